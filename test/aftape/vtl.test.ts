/**
 * aftape as a child process against a virtual tape library: status, loading through
 * the changer, spacing and filemarks with the positions checked through status --json,
 * the label, the changer commands, TapeAlert refused, selftest, and the device in use.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { formatLabel } from '../../src/server/label.js';
import { openVirtualLibrary } from '../../src/device/virtual/library.js';
import { aftape, makeLibrary, ok, scratch } from './helpers.js';
import { makeSite, run as runProgram } from '../cli/helpers.js';

interface Status {
  device: string;
  kind: string;
  inUse: boolean;
  loaded: boolean;
  writeProtected: boolean;
  file: number;
  block: number;
  bot: boolean;
  eod: boolean;
  blockSize: number;
  medium?: string;
  flags: string[];
}

/** A library with cartridge 2 loaded; returns the -f value and a cleanup. */
async function loaded(tag: string): Promise<{ dev: string; dir: string; done: () => void }> {
  const dir = scratch(tag);
  const dev = makeLibrary(dir);
  await ok(['-f', dev, 'load', '2']);
  return { dev, dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function status(dev: string): Promise<Status> {
  return JSON.parse(await ok(['-f', dev, 'status', '--json'])) as Status;
}

async function where(dev: string): Promise<[number, number, boolean]> {
  const s = await status(dev);
  return [s.file, s.block, s.eod];
}

describe('aftape on a virtual library', { concurrency: 4 }, () => {
  test('status of an empty drive, load from a slot, status in words and as JSON', async () => {
    const dir = scratch('status');
    const dev = makeLibrary(dir);
    try {
      let s = await status(dev);
      assert.equal(s.loaded, false);
      assert.equal(s.kind, 'virtual');
      assert.deepEqual(s.flags, ['DR_OPEN']);
      const r = await aftape(['-f', dev, 'load']);
      assert.equal(r.status, 2, 'load without a slot into an empty drive is a usage error');
      assert.match(r.stderr, /^aftape: .*needs a SLOT/);
      await ok(['-f', dev, 'load', '2']);
      s = await status(dev);
      assert.deepEqual([s.loaded, s.medium, s.file, s.block, s.bot, s.eod, s.blockSize], [true, 'AF0002L9', 0, 0, true, true, 0]);
      assert.deepEqual(s.flags, ['ONLINE', 'BOT', 'EOD']);
      const text = await ok(['-f', dev, 'status']);
      assert.match(text, /^Cartridge: +AF0002L9$/m);
      assert.match(text, /^File number: +0$/m);
      assert.match(text, /^Block size: +variable$/m);
      assert.match(text, /BOT: at the beginning of the tape/);
      assert.match(text, /EOD: at the end of recorded data/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('weof, rewind, fsf, bsf and eod move to the files status reports', async () => {
    const { dev, done } = await loaded('pos');
    try {
      await ok(['-f', dev, 'weof', '3']);
      assert.deepEqual(await where(dev), [3, 0, true]);
      await ok(['-f', dev, 'rewind']);
      assert.deepEqual(await where(dev), [0, 0, false]);
      assert.equal((await status(dev)).bot, true);
      await ok(['-f', dev, 'fsf', '2']);
      assert.deepEqual(await where(dev), [2, 0, false]);
      await ok(['-f', dev, 'bsf', '1']);
      assert.deepEqual(await where(dev), [1, 0, false]);
      await ok(['-f', dev, 'fsf']);
      assert.deepEqual(await where(dev), [2, 0, false]);
      await ok(['-f', dev, 'eod']);
      assert.deepEqual(await where(dev), [3, 0, true]);
      // Beyond end of data, or before the first file: SETFILE_FAILED (72), the position stays.
      let r = await aftape(['-f', dev, 'fsf', '1']);
      assert.equal(r.status, 72, r.stderr);
      assert.match(r.stderr, /^aftape: Setting the file failed: /);
      assert.deepEqual(await where(dev), [3, 0, true]);
      r = await aftape(['-f', dev, 'bsf', '4']);
      assert.equal(r.status, 72, r.stderr);
      // weof in the middle ends the data there.
      await ok(['-f', dev, 'bsf', '2']);
      await ok(['-f', dev, 'weof']);
      assert.deepEqual(await where(dev), [2, 0, true]);
      await ok(['-f', dev, 'setblk', '512']);
      assert.equal((await status(dev)).blockSize, 512);
      assert.match(await ok(['-f', dev, 'status']), /^Block size: +512 bytes$/m);
      await ok(['-f', dev, 'setblk', '0']);
      assert.equal((await status(dev)).blockSize, 0);
    } finally {
      done();
    }
  });

  test('label prints the afbackup label of file 0, as text and as JSON', async () => {
    const { dev, done } = await loaded('label');
    try {
      let r = await aftape(['-f', dev, 'label']);
      assert.equal(r.status, 61, 'a blank tape has no label');
      assert.match(r.stderr, /is empty \(no label found\)/);
      // Write a label through the device layer, at a block size aftape is not told.
      const lib = openVirtualLibrary(dev.slice(4));
      const drive = lib.drive(1);
      await drive.open();
      const block = formatLabel({ cartridge: 5, labelingTime: 'Wed Nov 25 12:00:00 2026', blockSize: 2048, comment: 'aftape test' });
      await drive.setBlockSize(block.length);
      await drive.writeBlock(block);
      await drive.writeFilemarks(1);
      await drive.setBlockSize(0);
      await drive.close();
      const j = JSON.parse(await ok(['-f', dev, 'label', '--json'])) as Record<string, unknown>;
      assert.equal(j.cartridge, 5);
      assert.equal(j.secondCartridge, 5);
      assert.equal(j.blockSize, 2048);
      assert.equal(j.comment, 'aftape test');
      assert.equal(j.labelingTime, 'Wed Nov 25 12:00:00 2026');
      const text = await ok(['-f', dev, 'label']);
      assert.match(text, /^Cartridge number:\t5$/m);
      assert.match(text, /INFO HEADER/);
      // The probe leaves the block size as it was, and the tape rewound.
      const s = await status(dev);
      assert.deepEqual([s.blockSize, s.file, s.block], [0, 0, 0]);
      // Something else on file 0 is no label.
      await drive.open();
      await drive.rewind();
      await drive.setBlockSize(0);
      await drive.writeBlock(Buffer.alloc(1000, 0x41));
      await drive.close();
      r = await aftape(['-f', dev, 'label']);
      assert.equal(r.status, 61);
      assert.match(r.stderr, /holds no afbackup label/);
    } finally {
      done();
    }
  });

  test('eject, load again, and the changer commands', async () => {
    const { dev, dir, done } = await loaded('changer');
    try {
      await ok(['-f', dev, 'eject']);
      assert.equal((await status(dev)).loaded, false);
      let inv = JSON.parse(await ok(['-f', dev, 'changer', 'inventory', '--json'])) as { changer: string; elements: Array<Record<string, unknown>> };
      assert.deepEqual(inv.elements[0], { kind: 'drive', number: 1, full: true, barcode: 'AF0002L9', sourceSlot: 2 });
      // load without a slot takes the ejected cartridge back in.
      await ok(['-f', dev, 'load']);
      assert.equal((await status(dev)).medium, 'AF0002L9');
      await ok(['-f', dev, 'eject']);
      await ok(['-f', dev, 'changer', 'unload']);
      assert.equal(
        await ok(['-f', dev, 'changer', 'status']),
        'Drive 1: empty\nSlot 1: full AF0001L9\nSlot 2: full AF0002L9\nSlot 3: full AF0003L9\nPort 1: empty\n',
      );
      await ok(['-f', dev, 'changer', 'transfer', '3', 'p1']);
      await ok(['-f', dev, 'changer', 'load', '1']);
      // --changer alone reaches the library too.
      inv = JSON.parse(await ok(['--changer', `vtl:${dir}/lib`, 'changer', 'inventory', '--json'])) as typeof inv;
      assert.deepEqual(
        inv.elements.map((e) => `${String(e.kind)}${String(e.number)}:${e.full ? String(e.barcode) : '-'}`),
        ['drive1:AF0001L9', 'slot1:-', 'slot2:AF0002L9', 'slot3:-', 'ioport1:AF0003L9'],
      );
      assert.equal((await status(dev)).medium, 'AF0001L9');
      // Faults of the changer: 87, and nothing moves.
      let r = await aftape(['-f', dev, 'changer', 'load', '2']);
      assert.equal(r.status, 87, r.stderr);
      assert.match(r.stderr, /^aftape: Media changer operation failed: .*drive 1 is full/);
      r = await aftape(['-f', dev, 'changer', 'transfer', '2', '9']);
      assert.equal(r.status, 87, r.stderr);
      r = await aftape(['-f', dev, 'changer', 'transfer', '2', 'x']);
      assert.equal(r.status, 2, r.stderr);
      r = await aftape(['-f', dev, 'changer', 'frobnicate']);
      assert.equal(r.status, 2, r.stderr);
    } finally {
      done();
    }
  });

  test('selftest refuses without --yes and passes every check with it', async () => {
    const { dev, done } = await loaded('selftest');
    try {
      await ok(['-f', dev, 'weof', '2']);
      const r = await aftape(['-f', dev, 'selftest']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^aftape: .*give --yes/);
      assert.deepEqual(await where(dev), [2, 0, true], 'nothing was touched');
      const text = await ok(['-f', dev, 'selftest', '--yes']);
      assert.match(text, /^PASS {2}files written with filemarks read back block by block$/m);
      assert.doesNotMatch(text, /^FAIL/m);
      assert.match(text, /^8 of 8 checks passed\.$/m);
      const j = JSON.parse(await ok(['-f', dev, '--json', 'selftest', '--yes'])) as { failed: number; passed: number; results: Array<{ ok: boolean }> };
      assert.deepEqual([j.failed, j.passed, j.results.every((x) => x.ok)], [0, 8, true]);
      // It leaves an erased tape, rewound, in the block size it found.
      const s = await status(dev);
      assert.deepEqual([s.file, s.block, s.bot, s.eod, s.blockSize], [0, 0, true, true, 0]);
      // Without a cartridge: 84.
      await ok(['-f', dev, 'eject']);
      const none = await aftape(['-f', dev, 'selftest', '--yes']);
      assert.equal(none.status, 84, none.stderr);
    } finally {
      done();
    }
  });

  test('a drive held by another process: commands get 63, status shows the saved state', async () => {
    const { dev, done } = await loaded('busy');
    const drive = openVirtualLibrary(dev.slice(4)).drive(1);
    await drive.open();
    try {
      const r = await aftape(['-f', dev, 'rewind']);
      assert.equal(r.status, 63, r.stderr);
      assert.match(r.stderr, /^aftape: Device is in use/);
      const s = await status(dev);
      assert.deepEqual([s.inUse, s.loaded, s.medium], [true, true, 'AF0002L9']);
      assert.match(await ok(['-f', dev, 'status']), /in use by another process/);
    } finally {
      await drive.close();
      done();
    }
  });

  test('tapealert is not available for a virtual drive (exit 1)', async () => {
    const { dev, done } = await loaded('alert');
    try {
      const r = await aftape(['-f', dev, 'tapealert']);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, 'aftape: tapealert: not available for this device (only st tape drives report TapeAlert flags)\n');
    } finally {
      done();
    }
  });

  test('the device comes from $TAPE, else from the server configuration (-c)', async () => {
    const site = makeSite({ kind: 'vtl', cartridges: 4 });
    try {
      // label_tape loads cartridge 3 through the library's changer and labels it.
      const l = await runProgram('label_tape', ['-c', site.conf, '-f', '3'], { env: site.env });
      assert.equal(l.status, 0, l.stderr);
      const j = JSON.parse(await ok(['-c', site.conf, 'label', '--json'], site.env)) as { cartridge: number; device: string };
      assert.equal(j.cartridge, 3);
      assert.equal(j.device, 'vtl:lib');
      const s = JSON.parse(await ok(['-c', site.conf, 'status', '--json'], site.env)) as Status;
      assert.equal(s.medium, 'AF0003L9');
      // $TAPE wins over the configuration; -f wins over $TAPE.
      const lib = `vtl:${site.varDir}/lib`;
      const t = JSON.parse(await ok(['status', '--json'], { ...site.env, TAPE: lib })) as Status;
      assert.equal(t.device, lib);
      const missing = await aftape(['-f', `vtl:${site.root}/nolib`, 'status'], { ...site.env, TAPE: lib });
      assert.equal(missing.status, 83);
      assert.match(missing.stderr, /holds no virtual tape library/);
      assert.equal(fs.existsSync(`${site.root}/nolib`), false, 'aftape creates no library');
    } finally {
      site.remove();
    }
  });
});
