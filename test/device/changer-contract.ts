/**
 * The MediaChanger contract as one suite that every changer backend runs (the virtual
 * library's changer now; SCSI and command changers later). The harness hands over a
 * changer in a known state: at least two slots with blank cartridges, at least one
 * empty slot, every drive empty, barcodes readable; plus the drives behind the drive
 * elements and a device spec for a second process.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OpenDeviceSpec } from '../../src/device/open-device.js';
import type { Element, MediaChanger, TapeDrive } from '../../src/device/tape-drive.js';
import { inChild, pattern, rejectsWith } from './helpers.js';

export interface ChangerHarness {
  changer: MediaChanger;
  /** The drive behind drive element n (1-based), closed. */
  drive(n: number): TapeDrive;
  /** What openDevice in another process needs to reach the same changer (and drive 1). */
  spec: OpenDeviceSpec;
  cleanup(): Promise<void>;
}

const kinds: Element['kind'][] = ['drive', 'slot', 'ioport'];

function find(inv: Element[], kind: Element['kind'], number: number): Element {
  const e = inv.find((x) => x.kind === kind && x.number === number);
  assert.ok(e, `no ${kind} ${number}`);
  return e;
}

function fullSlots(inv: Element[]): Element[] {
  return inv.filter((e) => e.kind === 'slot' && e.full);
}

function emptySlots(inv: Element[]): Element[] {
  return inv.filter((e) => e.kind === 'slot' && !e.full);
}

export function runChangerContract(label: string, makeChanger: () => Promise<ChangerHarness>): void {
  const withChanger = async (body: (c: MediaChanger, h: ChangerHarness, inv: Element[]) => Promise<void>): Promise<void> => {
    const h = await makeChanger();
    try {
      const inv = await h.changer.inventory();
      assert.ok(fullSlots(inv).length >= 2, 'the harness must provide two full slots');
      assert.ok(emptySlots(inv).length >= 1, 'the harness must provide an empty slot');
      assert.ok(inv.some((e) => e.kind === 'drive' && !e.full), 'the harness must provide an empty drive');
      await body(h.changer, h, inv);
    } finally {
      await h.cleanup();
    }
  };

  describe(`MediaChanger contract: ${label}`, () => {
    test('inventory lists drives, then slots, then ports, each in number order from 1', async () => {
      await withChanger(async (_c, _h, inv) => {
        const order = inv.map((e) => kinds.indexOf(e.kind));
        assert.deepEqual(order, [...order].sort((a, b) => a - b));
        for (const k of kinds) {
          const nums = inv.filter((e) => e.kind === k).map((e) => e.number);
          assert.deepEqual(nums, nums.map((_, i) => i + 1), `${k} numbers`);
        }
        const barcodes = inv.filter((e) => e.full).map((e) => e.barcode);
        assert.ok(barcodes.every((b) => typeof b === 'string' && b.length > 0));
        assert.equal(new Set(barcodes).size, barcodes.length, 'barcodes are unique');
        assert.ok(inv.filter((e) => !e.full).every((e) => e.barcode === undefined));
      });
    });

    test('load moves a cartridge from its slot into a drive, remembering the slot', async () => {
      await withChanger(async (c, _h, inv) => {
        const slot = fullSlots(inv)[0];
        await c.load(slot.number, 1);
        const after = await c.inventory();
        assert.deepEqual(find(after, 'drive', 1), { kind: 'drive', number: 1, full: true, barcode: slot.barcode, sourceSlot: slot.number });
        assert.deepEqual(find(after, 'slot', slot.number), { kind: 'slot', number: slot.number, full: false });
      });
    });

    test('unload without a slot returns the cartridge to its source slot', async () => {
      await withChanger(async (c, _h, inv) => {
        await c.load(fullSlots(inv)[1].number, 1);
        await c.unload(1);
        assert.deepEqual(await c.inventory(), inv);
      });
    });

    test('unload into a chosen empty slot', async () => {
      await withChanger(async (c, _h, inv) => {
        const from = fullSlots(inv)[0];
        const to = emptySlots(inv)[0];
        await c.load(from.number, 1);
        await c.unload(1, to.number);
        const after = await c.inventory();
        assert.equal(find(after, 'slot', to.number).barcode, from.barcode);
        assert.equal(find(after, 'slot', from.number).full, false);
        assert.equal(find(after, 'drive', 1).full, false);
      });
    });

    test('loading from an empty slot or into a full drive fails and changes nothing', async () => {
      await withChanger(async (c, _h, inv) => {
        await rejectsWith(() => c.load(emptySlots(inv)[0].number, 1), 'CHANGER_FAILED');
        assert.deepEqual(await c.inventory(), inv);
        await c.load(fullSlots(inv)[0].number, 1);
        const loaded = await c.inventory();
        await rejectsWith(() => c.load(fullSlots(inv)[1].number, 1), 'CHANGER_FAILED');
        assert.deepEqual(await c.inventory(), loaded);
      });
    });

    test('unloading an empty drive or into a full slot fails and changes nothing', async () => {
      await withChanger(async (c, _h, inv) => {
        await rejectsWith(() => c.unload(1), 'CHANGER_FAILED');
        await c.load(fullSlots(inv)[0].number, 1);
        const loaded = await c.inventory();
        await rejectsWith(() => c.unload(1, fullSlots(inv)[1].number), 'CHANGER_FAILED');
        assert.deepEqual(await c.inventory(), loaded);
      });
    });

    test('elements that do not exist are refused', async () => {
      await withChanger(async (c, _h, inv) => {
        const slots = inv.filter((e) => e.kind === 'slot').length;
        const drives = inv.filter((e) => e.kind === 'drive').length;
        await rejectsWith(() => c.load(slots + 1, 1), 'CHANGER_FAILED');
        await rejectsWith(() => c.load(0, 1), 'CHANGER_FAILED');
        await rejectsWith(() => c.load(fullSlots(inv)[0].number, drives + 1), 'CHANGER_FAILED');
        await rejectsWith(() => c.unload(drives + 1), 'CHANGER_FAILED');
        await rejectsWith(() => c.transfer({ kind: 'slot', number: slots + 1, full: true }, emptySlots(inv)[0]), 'CHANGER_FAILED');
        assert.deepEqual(await c.inventory(), inv);
      });
    });

    test('transfer moves a cartridge between slots (and ports)', async () => {
      await withChanger(async (c, _h, inv) => {
        const from = fullSlots(inv)[0];
        const to = emptySlots(inv)[0];
        await c.transfer(from, to);
        let after = await c.inventory();
        assert.equal(find(after, 'slot', to.number).barcode, from.barcode);
        assert.equal(find(after, 'slot', from.number).full, false);
        await rejectsWith(() => c.transfer(from, to), 'CHANGER_FAILED'); // source now empty
        await rejectsWith(() => c.transfer(fullSlots(inv)[1], to), 'CHANGER_FAILED'); // destination full
        const port = after.find((e) => e.kind === 'ioport' && !e.full);
        if (port) {
          await c.transfer(to, port);
          after = await c.inventory();
          assert.equal(find(after, 'ioport', port.number).barcode, from.barcode);
          await c.transfer(port, from);
        } else {
          await c.transfer(to, from);
        }
        assert.deepEqual(await c.inventory(), inv);
      });
    });

    test('the drive sees the cartridge loaded into it, and each cartridge keeps its data', async () => {
      await withChanger(async (c, h, inv) => {
        const [a, b] = fullSlots(inv);
        const d = h.drive(1);
        await c.load(a.number, 1);
        await d.open();
        let s = await d.status();
        assert.equal(s.loaded, true);
        if (s.medium !== undefined && a.barcode !== undefined) assert.match(s.medium, new RegExp(a.barcode));
        const block = pattern(4096, 1);
        await d.writeBlock(block);
        await d.writeFilemarks(1);
        await d.eject(); // as afbackup's Changecart-Command does before the changer moves
        await c.unload(1);
        await c.load(b.number, 1);
        s = await d.status();
        assert.equal(s.loaded, true);
        await d.rewind();
        assert.deepEqual(await d.readBlock(Buffer.alloc(8192)), { kind: 'eod' });
        await d.eject();
        await c.unload(1);
        await c.load(a.number, 1);
        await d.rewind();
        const buf = Buffer.alloc(8192);
        assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 4096 });
        assert.ok(buf.subarray(0, 4096).equals(block));
        await d.close();
        await c.unload(1);
        assert.deepEqual(await c.inventory(), inv);
      });
    });

    test('moves are seen by another process', async () => {
      await withChanger(async (c, h, inv) => {
        await c.load(fullSlots(inv)[0].number, 1);
        const reports = await inChild(h.spec, [['inventory']]);
        assert.equal(reports[0].ok, true, JSON.stringify(reports));
        assert.deepEqual(reports[0].value, await c.inventory());
        const moved = await inChild(h.spec, [['unload', 1]]);
        assert.equal(moved[0].ok, true, JSON.stringify(moved));
        assert.deepEqual(await c.inventory(), inv);
      });
    });
  });
}
