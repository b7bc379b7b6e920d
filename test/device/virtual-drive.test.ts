/**
 * The virtual library's drive: the TapeDrive contract suite, then what only this
 * backend has: its files on disk (data.<k>, a run-length index), recovery from a data
 * file shorter than its index, eject, and the drive state kept in the drives file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createVirtualLibrary, type VirtualLibrary } from '../../src/device/virtual/library.js';
import { runDriveContract } from './drive-contract.js';
import { pattern, rejectsWith, scratchDir } from './helpers.js';

const CAPACITY = 16 << 20;
const EARLY_WARNING = 4 << 20;

async function makeLibrary(): Promise<{ lib: VirtualLibrary; dir: string; cleanup(): Promise<void> }> {
  const dir = scratchDir('vtl');
  const lib = createVirtualLibrary(dir, { slots: 3, capacity: CAPACITY, earlyWarning: EARLY_WARNING, syncOnClose: false });
  await lib.changer.load(1, 1);
  return {
    lib,
    dir,
    cleanup: async () => {
      await lib.drive(1).close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

runDriveContract(
  'virtual library drive',
  async () => {
    const { lib, dir, cleanup } = await makeLibrary();
    const cart = lib.cartridgeDir('AF0001L9');
    return {
      drive: lib.drive(1),
      spec: { device: `vtl:${dir}` },
      cleanup,
      setWriteProtect: async (on) => {
        const marker = path.join(cart, 'write-protect');
        if (on) fs.writeFileSync(marker, '');
        else fs.rmSync(marker, { force: true });
      },
      removeMedium: async () => {
        await lib.changer.unload(1);
      },
    };
  },
  { keepsBlockBoundaries: true, capacity: { bytes: CAPACITY, earlyWarning: EARLY_WARNING } },
);

test('virtual drive: tape files are flat data.<k> files with a run-length index', async () => {
  const { lib, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    await d.open();
    const label = pattern(1024, 1);
    await d.writeBlock(label);
    await d.writeFilemarks(1);
    const blocks: Buffer[] = [];
    for (let i = 0; i < 1000; i++) blocks.push(pattern(1024, i + 2));
    blocks.push(pattern(500, 9999));
    for (const b of blocks) await d.writeBlock(b);
    await d.writeFilemarks(2);
    await d.writeBlock(pattern(7, 1));
    await d.close();
    const cart = lib.cartridgeDir('AF0001L9');
    const index = fs.readFileSync(path.join(cart, 'index'), 'utf8');
    const lines = index.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(lines, ['file 0 1x1024 filemark', 'file 1 1000x1024 1x500 filemark', 'file 2 filemark', 'file 3 1x7']);
    assert.ok(fs.readFileSync(path.join(cart, 'data.0')).equals(label));
    assert.ok(fs.readFileSync(path.join(cart, 'data.1')).equals(Buffer.concat(blocks)));
    assert.equal(fs.statSync(path.join(cart, 'data.2')).size, 0);
    assert.equal(fs.statSync(path.join(cart, 'data.3')).size, 7);
    assert.deepEqual(fs.readdirSync(cart).sort(), ['data.0', 'data.1', 'data.2', 'data.3', 'index']);
  } finally {
    await cleanup();
  }
});

test('virtual drive: a file left without filemark reads as end of data, and seekEod continues it', async () => {
  const { lib, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    await d.open();
    await d.writeBlock(pattern(100, 1));
    await d.writeFilemarks(1);
    await d.writeBlock(pattern(200, 2));
    await d.close();
    await d.open();
    await d.rewind();
    const buf = Buffer.alloc(1000);
    assert.equal((await d.readBlock(buf)).kind, 'data');
    assert.equal((await d.readBlock(buf)).kind, 'filemark');
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 200 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
    await d.rewind();
    await d.seekEod();
    assert.deepEqual(await d.status().then((s) => [s.file, s.block, s.eod]), [1, 1, true]);
    await d.writeBlock(pattern(300, 3));
    await d.writeFilemarks(1);
    await d.seekFile(1);
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 200 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 300 });
    assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
    await rejectsWith(() => d.seekFile(3), 'SETFILE_FAILED');
  } finally {
    await cleanup();
  }
});

test('virtual drive: a data file shorter than its index is cut back to whole blocks', async () => {
  const { lib, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    await d.open();
    await d.writeBlock(pattern(100, 1));
    await d.writeFilemarks(1);
    for (let i = 0; i < 5; i++) await d.writeBlock(pattern(1000, i));
    await d.close();
    const cart = lib.cartridgeDir('AF0001L9');
    fs.truncateSync(path.join(cart, 'data.1'), 2500); // as after a crash before the data reached the disk
    await d.open();
    await d.seekFile(1);
    const buf = Buffer.alloc(1000);
    assert.equal((await d.readBlock(buf)).kind, 'data');
    assert.equal((await d.readBlock(buf)).kind, 'data');
    assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
    assert.deepEqual(await d.status().then((s) => [s.file, s.block, s.eod]), [1, 2, true]);
    await d.writeBlock(pattern(10, 1));
    await d.close();
    assert.equal(fs.statSync(path.join(cart, 'data.1')).size, 2010);
  } finally {
    await cleanup();
  }
});

test('virtual drive: leftover data files after the index are removed when writing', async () => {
  const { lib, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    const cart = lib.cartridgeDir('AF0001L9');
    fs.writeFileSync(path.join(cart, 'data.0'), 'stale');
    fs.writeFileSync(path.join(cart, 'data.1'), 'stale');
    await d.open();
    await d.writeBlock(pattern(10, 1));
    await d.writeFilemarks(1);
    await d.close();
    assert.deepEqual(fs.readdirSync(cart).sort(), ['data.0', 'index']);
    assert.equal(fs.statSync(path.join(cart, 'data.0')).size, 10);
  } finally {
    await cleanup();
  }
});

test('virtual drive: eject leaves the cartridge in the drive for the changer, unloaded for the drive', async () => {
  const { lib, dir, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    await d.open();
    await d.writeBlock(pattern(10, 1));
    await d.writeFilemarks(1);
    await d.eject();
    const s = await d.status();
    assert.equal(s.loaded, false);
    await rejectsWith(() => d.readBlock(Buffer.alloc(10)), 'NO_MEDIUM');
    await d.eject(); // nothing in it: nothing happens
    assert.match(fs.readFileSync(path.join(dir, 'drives'), 'utf8'), /^drive 1 block-size 0 state ejected cartridge AF0001L9 from-slot 1 file 0 block 0$/m);
    const inv = await lib.changer.inventory();
    assert.deepEqual(inv[0], { kind: 'drive', number: 1, full: true, barcode: 'AF0001L9', sourceSlot: 1 });
    await lib.changer.unload(1);
    await lib.changer.load(2, 1);
    const s2 = await d.status();
    assert.deepEqual([s2.loaded, s2.medium], [true, 'AF0002L9']);
  } finally {
    await cleanup();
  }
});

test('virtual drive: block size and position are kept in the drives file', async () => {
  const { lib, dir, cleanup } = await makeLibrary();
  try {
    const d = lib.drive(1);
    await d.open();
    await d.setBlockSize(2048);
    await d.writeBlock(pattern(2048, 1));
    await d.writeFilemarks(1);
    await d.writeBlock(pattern(4096, 1));
    await d.close();
    const line = fs.readFileSync(path.join(dir, 'drives'), 'utf8').split('\n').find((l) => l.startsWith('drive 1'));
    assert.equal(line, 'drive 1 block-size 2048 state loaded cartridge AF0001L9 from-slot 1 file 1 block 2');
    // A closed drive reports what the files say.
    const s = await d.status();
    assert.deepEqual([s.loaded, s.file, s.block, s.blockSize, s.eod, s.medium], [true, 1, 2, 2048, true, 'AF0001L9']);
  } finally {
    await cleanup();
  }
});

test('virtual drive: a full host filesystem is end of tape, nothing lost', async (t) => {
  const mnt = scratchDir('vtl-tmpfs');
  const { spawnSync } = await import('node:child_process');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
  if (m.status !== 0) {
    fs.rmSync(mnt, { recursive: true, force: true });
    t.skip('cannot mount a small tmpfs here (needs root)');
    return;
  }
  try {
    const lib = createVirtualLibrary(path.join(mnt, 'lib'), { slots: 1, capacity: 1 << 30, earlyWarning: 1 << 20 });
    await lib.changer.load(1, 1);
    const d = lib.drive(1);
    await d.open();
    const block = pattern(64 * 1024, 3);
    let written = 0;
    let warned = false;
    for (;;) {
      const r = await d.writeBlock(block);
      if (r.kind === 'eot') break;
      written++;
      if (r.earlyWarning) warned = true;
      assert.ok(written < 10000);
    }
    assert.ok(warned, 'a nearly full filesystem gives early warning');
    assert.ok(written > 100, `only ${written} blocks fitted`);
    await d.close();
    await d.open();
    await d.rewind();
    const buf = Buffer.alloc(block.length);
    let read = 0;
    for (;;) {
      const r = await d.readBlock(buf);
      if (r.kind !== 'data') break;
      assert.ok(buf.equals(block));
      read++;
    }
    assert.equal(read, written);
    await d.close();
  } finally {
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
