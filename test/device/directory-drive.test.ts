/**
 * The directory device (afbackup's data.<k> files): the TapeDrive contract suite on a
 * symlinked directory, then what only this backend has: afbackup's own files read
 * back, the symlink a Set-Cart-Command swaps, nothing extra left in the directory,
 * flat-file reads in variable mode, and a full disk as end of tape.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DirectoryDrive } from '../../src/device/directory/directory-drive.js';
import { runDriveContract } from './drive-contract.js';
import { pattern, rejectsWith, scratchDir } from './helpers.js';

/** A scratch area with cartridge directories vol.<n> and the device symlink "dev" → vol.1. */
function makeArea(): { root: string; dev: string; vol(n: number): string; point(n: number): void; cleanup(): void } {
  const root = scratchDir('dirdev');
  const dev = path.join(root, 'dev');
  const vol = (n: number): string => path.join(root, `vol.${n}`);
  const point = (n: number): void => {
    fs.rmSync(dev, { force: true });
    fs.mkdirSync(vol(n), { recursive: true });
    fs.symlinkSync(vol(n), dev);
  };
  point(1);
  return {
    root,
    dev,
    vol,
    point,
    cleanup: () => {
      for (const name of fs.readdirSync(root)) if (name.startsWith('vol.')) fs.chmodSync(path.join(root, name), 0o755);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

runDriveContract(
  'directory device',
  async () => {
    const area = makeArea();
    const drive = new DirectoryDrive(area.dev, { syncOnClose: false });
    return {
      drive,
      spec: { device: area.dev },
      cleanup: async () => {
        await drive.close();
        area.cleanup();
      },
      setWriteProtect: async (on) => fs.chmodSync(area.vol(1), on ? 0o555 : 0o755),
      removeMedium: async () => {
        fs.rmSync(area.dev, { force: true });
        fs.symlinkSync(path.join(area.root, 'nowhere'), area.dev);
      },
    };
  },
  { keepsBlockBoundaries: false },
);

test('directory drive: reads what afbackup wrote (1024-byte label in data.0, data.1 …)', async () => {
  const area = makeArea();
  try {
    const label = Buffer.alloc(1024);
    label.write('\nAF\'s backup system\n\nINFO HEADER\n\nCartridge number:\t1\n');
    const file1 = pattern(10 * 1024, 1);
    const file2 = pattern(2 * 1024 + 300, 2); // a short last block
    fs.writeFileSync(path.join(area.vol(1), 'data.0'), label);
    fs.writeFileSync(path.join(area.vol(1), 'data.1'), file1);
    fs.writeFileSync(path.join(area.vol(1), 'data.2'), file2);
    const d = new DirectoryDrive(area.dev, { blockSize: 1024 });
    await d.open();
    const buf = Buffer.alloc(1024);
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 1024 });
    assert.ok(buf.equals(label));
    assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
    await d.seekFile(2);
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 1024 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 1024 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 300 });
    assert.ok(buf.subarray(0, 300).equals(file2.subarray(2048)));
    assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
    assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
    await rejectsWith(() => d.seekFile(4), 'SETFILE_FAILED');
    await d.close();
  } finally {
    area.cleanup();
  }
});

test('directory drive: writes flat files and leaves nothing else in the directory', async () => {
  const area = makeArea();
  try {
    const d = new DirectoryDrive(area.dev);
    await d.open();
    await d.setBlockSize(1024);
    const label = pattern(1024, 1);
    await d.writeBlock(label);
    await d.writeFilemarks(1);
    const blocks = Array.from({ length: 50 }, (_, i) => pattern(1024, i + 10));
    for (const b of blocks) await d.writeBlock(b);
    await d.writeFilemarks(1);
    await d.close();
    assert.deepEqual(fs.readdirSync(area.vol(1)).sort(), ['data.0', 'data.1']);
    assert.ok(fs.readFileSync(path.join(area.vol(1), 'data.0')).equals(label));
    assert.ok(fs.readFileSync(path.join(area.vol(1), 'data.1')).equals(Buffer.concat(blocks)));
    // Backup data is the owner's only, as afbackup's tape files were (0600).
    for (const f of ['data.0', 'data.1']) assert.equal(fs.statSync(path.join(area.vol(1), f)).mode & 0o777, 0o600, f);
    // The lock and the saved position live beside the device, in dev.lck.
    const saved = fs.readFileSync(`${area.dev}.lck`, 'utf8');
    assert.match(saved, /^file 2$/m);
    assert.match(saved, /^block-size 1024$/m);
    assert.match(saved, new RegExp(`^medium ${fs.realpathSync(area.vol(1))}$`, 'm'));
  } finally {
    area.cleanup();
  }
});

test('directory drive: follows the symlink a Set-Cart-Command swaps between sessions', async () => {
  const area = makeArea();
  try {
    const d = new DirectoryDrive(area.dev, { blockSize: 512 });
    await d.open();
    await d.writeBlock(pattern(512, 1));
    await d.writeFilemarks(1);
    await d.writeBlock(pattern(512, 2));
    await d.writeFilemarks(1);
    await d.seekFile(1);
    await d.close();

    area.point(2); // rm -f %d; mkdir -p %d.%n; ln -s %d.%n %d
    await d.open();
    let s = await d.status();
    assert.deepEqual([s.loaded, s.file, s.eod, s.medium], [true, 0, true, fs.realpathSync(area.vol(2))]);
    await d.writeBlock(pattern(512, 3));
    await d.writeFilemarks(1);
    await d.close();

    area.point(1);
    await d.open();
    s = await d.status();
    // Back to cartridge 1: a new medium for the drive, so the position starts at file 0.
    assert.deepEqual([s.file, s.block, s.medium], [0, 0, fs.realpathSync(area.vol(1))]);
    await d.seekEod();
    assert.equal((await d.status()).file, 2);
    await d.close();
    assert.deepEqual(fs.readdirSync(area.vol(1)).sort(), ['data.0', 'data.1']);
    assert.deepEqual(fs.readdirSync(area.vol(2)).sort(), ['data.0']);
  } finally {
    area.cleanup();
  }
});

test('directory drive: eject forgets the directory, the next operation looks again', async () => {
  const area = makeArea();
  try {
    const d = new DirectoryDrive(area.dev);
    await d.open();
    await d.writeBlock(pattern(100, 1));
    await d.writeFilemarks(1);
    await d.eject();
    area.point(3);
    const s = await d.status();
    assert.deepEqual([s.loaded, s.medium, s.file], [true, fs.realpathSync(area.vol(3)), 0]);
    assert.deepEqual(await d.readBlock(Buffer.alloc(100)), { kind: 'eod' });
    await d.close();
  } finally {
    area.cleanup();
  }
});

test('directory drive: variable mode reads as much of the file as fits', async () => {
  const area = makeArea();
  try {
    const data = pattern(5000, 4);
    fs.writeFileSync(path.join(area.vol(1), 'data.0'), data);
    const d = new DirectoryDrive(area.dev);
    await d.open();
    const buf = Buffer.alloc(3000);
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 3000 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 2000 });
    assert.ok(buf.subarray(0, 2000).equals(data.subarray(3000)));
    assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
    await d.close();
  } finally {
    area.cleanup();
  }
});

test('directory drive: writing deletes later data files, strays after a gap included', async () => {
  const area = makeArea();
  try {
    for (const k of [0, 1, 2, 5]) fs.writeFileSync(path.join(area.vol(1), `data.${k}`), 'x');
    const d = new DirectoryDrive(area.dev);
    await d.open();
    await d.seekFile(1);
    await d.writeBlock(pattern(10, 1));
    await d.close();
    assert.deepEqual(fs.readdirSync(area.vol(1)).sort(), ['data.0', 'data.1']);
  } finally {
    area.cleanup();
  }
});

test('directory drive: a missing device path is no cartridge; a missing parent is no device', async () => {
  const area = makeArea();
  try {
    fs.rmSync(area.dev);
    const d = new DirectoryDrive(area.dev);
    await d.open();
    assert.equal((await d.status()).loaded, false);
    await rejectsWith(() => d.seekEod(), 'NO_MEDIUM');
    await d.close();
    await rejectsWith(() => new DirectoryDrive(path.join(area.root, 'no', 'such')).open(), 'DEVICE_MISSING');
    fs.writeFileSync(path.join(area.root, 'plain'), '');
    await rejectsWith(() => new DirectoryDrive(path.join(area.root, 'plain')).open(), 'DEVICE_MISSING');
  } finally {
    area.cleanup();
  }
});

test('directory drive: a full disk is end of tape, the blocks before it are kept', async (t) => {
  const mnt = scratchDir('dir-tmpfs');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
  if (m.status !== 0) {
    fs.rmSync(mnt, { recursive: true, force: true });
    t.skip('cannot mount a small tmpfs here (needs root)');
    return;
  }
  try {
    const vol = path.join(mnt, 'vol');
    fs.mkdirSync(vol);
    const d = new DirectoryDrive(vol, { blockSize: 32768 });
    await d.open();
    const block = pattern(32768, 5);
    let written = 0;
    let warned = false;
    for (;;) {
      const r = await d.writeBlock(block);
      if (r.kind === 'eot') break;
      if (r.earlyWarning) warned = true;
      written++;
      assert.ok(written < 100000);
    }
    assert.ok(warned);
    assert.deepEqual(await d.writeBlock(block), { kind: 'eot' });
    await d.close();
    assert.equal(fs.statSync(path.join(vol, 'data.0')).size, written * block.length);
  } finally {
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
