/**
 * The virtual library's changer: the MediaChanger contract suite, then what only this
 * backend has: its slots and drives files, the changer lock (DEVINUSE), cooperation
 * with drives open in this and other processes, import/export ports, added cartridges.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createVirtualLibrary, openVirtualLibrary, type VirtualLibrary } from '../../src/device/virtual/library.js';
import { runChangerContract } from './changer-contract.js';
import { Child, pattern, rejectsWith, scratchDir } from './helpers.js';

function makeLibrary(opts: { changerWaitMs?: number } = {}): { lib: VirtualLibrary; dir: string; cleanup(): Promise<void> } {
  const dir = scratchDir('vtl-changer');
  const lib = createVirtualLibrary(
    dir,
    { slots: 5, drives: 2, ports: 1, cartridges: 3, capacity: 64 << 20, earlyWarning: 1 << 20, syncOnClose: false },
    opts,
  );
  return {
    lib,
    dir,
    cleanup: async () => {
      for (const n of [1, 2]) await lib.drive(n).close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

runChangerContract('virtual library changer', async () => {
  const { lib, dir, cleanup } = makeLibrary();
  return { changer: lib.changer, drive: (n) => lib.drive(n), spec: { device: `vtl:${dir}` }, cleanup };
});

test('virtual changer: a new library has cartridge n in slot n and plain-text state files', async () => {
  const { dir, cleanup } = makeLibrary();
  try {
    const text = (name: string): string[] => fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(text('slots'), ['slot 1 AF0001L9', 'slot 2 AF0002L9', 'slot 3 AF0003L9', 'slot 4 empty', 'slot 5 empty', 'port 1 empty']);
    assert.deepEqual(text('drives'), ['drive 1 block-size 0 state empty', 'drive 2 block-size 0 state empty']);
    assert.deepEqual(text('library.conf'), ['capacity 64M', 'early-warning 1M', 'slots 5', 'drives 2', 'ports 1', 'barcode-prefix AF', 'sync-on-close no']);
    for (const bc of ['AF0001L9', 'AF0002L9', 'AF0003L9']) assert.ok(fs.statSync(path.join(dir, `cart.${bc}`)).isDirectory());
    await rejectsWith(async () => createVirtualLibrary(dir, { slots: 1, capacity: 1 << 20, earlyWarning: 0 }), 'CONFIG_ERROR');
  } finally {
    await cleanup();
  }
});

test('virtual changer: an administrator edits the slots file, the changer follows', async () => {
  const { lib, dir, cleanup } = makeLibrary();
  try {
    fs.mkdirSync(path.join(dir, 'cart.HAND01L9'));
    const slots = fs.readFileSync(path.join(dir, 'slots'), 'utf8').replace('slot 4 empty', 'slot 4 HAND01L9');
    fs.writeFileSync(path.join(dir, 'slots'), slots);
    await lib.changer.load(4, 2);
    const d = lib.drive(2);
    await d.open();
    assert.equal((await d.status()).medium, 'HAND01L9');
    await d.writeBlock(pattern(100, 1));
    await d.close();
    assert.equal(fs.statSync(path.join(dir, 'cart.HAND01L9', 'data.0')).size, 100);
  } finally {
    await cleanup();
  }
});

test('virtual changer: addCartridge puts a blank cartridge into a slot or port', async () => {
  const { lib, cleanup } = makeLibrary();
  try {
    lib.addCartridge('NEW001L9', { kind: 'ioport', number: 1 });
    assert.throws(() => lib.addCartridge('NEW001L9', { kind: 'slot', number: 4 }), /already in the library/);
    assert.throws(() => lib.addCartridge('NEW002L9', { kind: 'slot', number: 1 }), /is full/);
    await lib.changer.transfer({ kind: 'ioport', number: 1, full: true }, { kind: 'slot', number: 5, full: false });
    const inv = await lib.changer.inventory();
    assert.deepEqual(inv.find((e) => e.kind === 'slot' && e.number === 5), { kind: 'slot', number: 5, full: true, barcode: 'NEW001L9' });
  } finally {
    await cleanup();
  }
});

test('virtual changer: DEVINUSE while another process holds the changer', async () => {
  const { lib, dir, cleanup } = makeLibrary({ changerWaitMs: 200 });
  const child = new Child({ device: `vtl:${dir}` }, [['lock', path.join(dir, 'changer.lck')], ['wait']]);
  try {
    const r = await child.reported(1);
    assert.equal(r[0].value, true);
    await rejectsWith(() => lib.changer.load(1, 1), 'DEVINUSE');
    child.go();
    await child.done();
    await lib.changer.load(1, 1);
  } finally {
    child.kill();
    await cleanup();
  }
});

test('virtual changer: a cartridge in use by another process cannot be unloaded until ejected', async () => {
  const { lib, dir, cleanup } = makeLibrary();
  await lib.changer.load(1, 1);
  const child = new Child({ device: `vtl:${dir}` }, [['open'], ['write', 1000, 1], ['wait'], ['eject'], ['wait'], ['close']]);
  try {
    const r = await child.reported(2);
    assert.ok(r.every((x) => x.ok), JSON.stringify(r));
    await rejectsWith(() => lib.changer.unload(1), 'CHANGER_FAILED');
    child.go();
    await child.reported(4);
    await lib.changer.unload(1); // ejected: the robot may take it while the drive stays open
    await lib.changer.load(2, 1); // and put another one in
    child.go();
    await child.done();
    const inv = await lib.changer.inventory();
    assert.equal(inv[0].barcode, 'AF0002L9');
    assert.equal(fs.statSync(path.join(lib.cartridgeDir('AF0001L9'), 'data.0')).size, 1000);
  } finally {
    child.kill();
    await cleanup();
  }
});

test('virtual changer: a drive open in another process sees a cartridge loaded meanwhile', async () => {
  const { lib, dir, cleanup } = makeLibrary();
  const child = new Child({ device: `vtl:${dir}` }, [['open'], ['status'], ['wait'], ['status'], ['write', 10, 1], ['close']]);
  try {
    const r = await child.reported(2);
    assert.equal((r[1].value as { loaded: boolean }).loaded, false);
    await lib.changer.load(3, 1);
    child.go();
    const all = await child.done();
    assert.ok(all.every((x) => x.ok), JSON.stringify(all));
    assert.equal((all[3].value as { medium: string }).medium, 'AF0003L9');
  } finally {
    child.kill();
    await cleanup();
  }
});

test('virtual changer: unloading a drive open in this process ejects it first', async () => {
  const { lib, cleanup } = makeLibrary();
  try {
    await lib.changer.load(1, 2);
    const d = lib.drive(2);
    await d.open();
    await d.writeBlock(pattern(3000, 1)); // still in the write buffer
    await lib.changer.unload(2);
    await rejectsWith(() => d.readBlock(Buffer.alloc(10)), 'NO_MEDIUM');
    assert.equal(fs.statSync(path.join(lib.cartridgeDir('AF0001L9'), 'data.0')).size, 3000);
    await lib.changer.load(1, 2);
    await d.rewind();
    assert.deepEqual(await d.readBlock(Buffer.alloc(4000)), { kind: 'data', bytes: 3000 });
  } finally {
    await cleanup();
  }
});

test('virtual changer: moves queued in one process run one after another', async () => {
  const { lib, cleanup } = makeLibrary();
  try {
    await Promise.all([lib.changer.load(1, 1), lib.changer.load(2, 2), lib.changer.transfer({ kind: 'slot', number: 3, full: true }, { kind: 'slot', number: 4, full: false })]);
    const again = openVirtualLibrary(lib.dir);
    const inv = await again.changer.inventory();
    assert.deepEqual(
      inv.filter((e) => e.full).map((e) => `${e.kind}${e.number}:${e.barcode}`),
      ['drive1:AF0001L9', 'drive2:AF0002L9', 'slot4:AF0003L9'],
    );
  } finally {
    await cleanup();
  }
});
