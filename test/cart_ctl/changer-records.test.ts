/**
 * Which element holds which cartridge (server/cartridge-choice.ts): the one rule that
 * cart_ctl and afserver's own changer loads share, over plain inventories and records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cartridgeInElement, cartridgeOfBarcode, elementOfCartridge, type ChangerRecords } from '../../src/server/cartridge-choice.js';
import * as locations from '../../src/state/cartridge-locations.js';
import * as names from '../../src/state/cartridge-names.js';
import type { Element } from '../../src/device/tape-drive.js';

const DEV = '/dev/sg3';

function records(loc: string, nm: string): ChangerRecords {
  return { locations: locations.parse(loc, 'cartridge_locations'), names: names.parse(nm, 'cartridge_names') };
}

const inv: Element[] = [
  { kind: 'drive', number: 1, full: true, barcode: 'AF0002L9', sourceSlot: 2 },
  { kind: 'slot', number: 1, full: true, barcode: 'AF0001L9' },
  { kind: 'slot', number: 2, full: false },
  { kind: 'slot', number: 3, full: true }, // no barcode
  { kind: 'slot', number: 4, full: true, barcode: 'AF0004L9' },
  { kind: 'ioport', number: 1, full: true, barcode: 'XYZ' },
];
const at = (kind: Element['kind'], n: number) => inv.find((e) => e.kind === kind && e.number === n)!;
const where = (e: Element | null) => (e ? `${e.kind} ${e.number}` : null);

test('cartridgeOfBarcode: the first run of digits, 0 and none are no cartridge', () => {
  assert.equal(cartridgeOfBarcode('AF0007L9'), 7);
  assert.equal(cartridgeOfBarcode('000123'), 123);
  assert.equal(cartridgeOfBarcode('CLN000L1'), null);
  assert.equal(cartridgeOfBarcode('XYZ'), null);
});

test('no records: barcodes give the numbers; a tape without barcode in slot n is cartridge n', () => {
  const r = records('', '');
  assert.equal(where(elementOfCartridge(2, inv, r, DEV)), 'drive 1');
  assert.equal(where(elementOfCartridge(1, inv, r, DEV)), 'slot 1');
  assert.equal(where(elementOfCartridge(3, inv, r, DEV)), 'slot 3');
  assert.equal(where(elementOfCartridge(5, inv, r, DEV)), null);
  assert.equal(cartridgeInElement(at('drive', 1), r, DEV), 2);
  assert.equal(cartridgeInElement(at('slot', 3), r, DEV), null, 'a slot without barcode or record is not told');
  assert.equal(cartridgeInElement(at('slot', 2), r, DEV), null, 'an empty slot holds nothing');
  assert.equal(cartridgeInElement(at('ioport', 1), r, DEV), null);
});

test('cartridge_names wins over the barcode number, both ways', () => {
  const r = records('', '7: AF0004L9 relabelled\n9: XYZ\n');
  assert.equal(where(elementOfCartridge(7, inv, r, DEV)), 'slot 4');
  assert.equal(where(elementOfCartridge(4, inv, r, DEV)), null, 'AF0004L9 is cartridge 7 now');
  assert.equal(cartridgeInElement(at('slot', 4), r, DEV), 7);
  assert.equal(where(elementOfCartridge(9, inv, r, DEV)), 'ioport 1');
});

test('cartridge_locations: trusted for a tape without barcode, ignored when the barcode says otherwise', () => {
  const r = records(`6: ${DEV} slot 3\n1: ${DEV} slot 4\n8: ${DEV} slot 2\n5: shelf 1\n`, '');
  assert.equal(where(elementOfCartridge(6, inv, r, DEV)), 'slot 3');
  assert.equal(cartridgeInElement(at('slot', 3), r, DEV), 6);
  assert.equal(where(elementOfCartridge(3, inv, r, DEV)), null, 'slot 3 is recorded as holding cartridge 6');
  assert.equal(where(elementOfCartridge(1, inv, r, DEV)), 'slot 1', 'the stale record (slot 4 holds AF0004L9) is passed over');
  assert.equal(where(elementOfCartridge(8, inv, r, DEV)), null, 'recorded in an empty slot');
  assert.equal(where(elementOfCartridge(5, inv, r, DEV)), null, 'on a shelf');
  assert.equal(where(elementOfCartridge(6, inv, r, '/dev/sg4')), null, 'the record is for another changer');
});

test('a drive without barcode: its record, else the slot it came from', () => {
  const bare: Element[] = [{ kind: 'drive', number: 1, full: true, sourceSlot: 5 }, { kind: 'slot', number: 5, full: false }];
  assert.equal(cartridgeInElement(bare[0]!, records('', ''), DEV), 5);
  assert.equal(where(elementOfCartridge(5, bare, records('', ''), DEV)), 'drive 1');
  const r = records(`11: ${DEV} drive 1\n`, '');
  assert.equal(cartridgeInElement(bare[0]!, r, DEV), 11);
  assert.equal(where(elementOfCartridge(11, bare, r, DEV)), 'drive 1');
  assert.equal(where(elementOfCartridge(5, bare, r, DEV)), null);
});
