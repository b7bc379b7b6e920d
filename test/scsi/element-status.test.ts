// READ ELEMENT STATUS: each element type with and without volume tags, a combined
// report, DVCID, alternate tags, truncation; and the mapping to the MediaChanger model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseElementStatus } from '../../src/device/scsi/element-status.js';
import { addressOf, elementMap, toElements } from '../../src/device/scsi/elements.js';
import { hex, ascii, volTag } from './hex.js';

const EMPTY_TAG = '00'.repeat(36);
/** 52-byte descriptors end in a 4-byte device identifier header with no identifier. */
const NO_ID = '00 00 00 00';

test('storage elements with volume tags', () => {
  const r = parseElementStatus(
    hex(`10 00 # first address 0x1000 | 00 02 # 2 elements | 00 | 00 00 70 # 112 bytes follow
         02 # storage | 80 # PVOLTAG | 00 34 # descriptor length 52 | 00 | 00 00 68 # 104 bytes
         10 00 | 09 # FULL + ACCESS | 00 | 00 00 # ASC/ASCQ | 00 00 00 | 00 # no SVALID | 00 00
         ${volTag('AF0001L9', 1)} ${NO_ID}
         10 01 | 08 # ACCESS, empty | 00 | 00 00 | 00 00 00 | 00 | 00 00
         ${EMPTY_TAG} ${NO_ID}`),
  );
  assert.equal(r.firstAddress, 0x1000);
  assert.equal(r.numberOfElements, 2);
  assert.equal(r.byteCount, 112);
  assert.equal(r.truncated, false);
  assert.deepEqual(r.elements, [
    { type: 'storage', address: 0x1000, full: true, except: false, access: true, asc: 0, ascq: 0, invert: false, primaryVolumeTag: { barcode: 'AF0001L9', sequence: 1 } },
    { type: 'storage', address: 0x1001, full: false, except: false, access: true, asc: 0, ascq: 0, invert: false },
  ]);
});

test('storage elements without volume tags, 12- and 16-byte descriptors', () => {
  for (const [len, pad] of [
    ['0C', ''],
    ['10', '00 00 00 00'],
  ] as const) {
    const n = parseInt(len, 16);
    const r = parseElementStatus(
      hex(`10 00 00 02 00 00 00 ${(8 + 2 * n).toString(16).padStart(2, '0')}
           02 | 00 # no tags | 00 ${len} | 00 | 00 00 ${(2 * n).toString(16).padStart(2, '0')}
           10 00 | 01 | 00 | 00 00 | 00 00 00 | 00 | 00 00 ${pad}
           10 01 | 04 # EXCEPT | 00 | 83 02 # vendor: not installed | 00 00 00 | 00 | 00 00 ${pad}`),
    );
    assert.deepEqual(
      r.elements.map((e) => [e.address, e.full, e.except, e.asc, e.ascq, e.primaryVolumeTag]),
      [
        [0x1000, true, false, 0, 0, undefined],
        [0x1001, false, true, 0x83, 0x02, undefined],
      ],
    );
  }
});

test('a drive with volume tag, SCSI id and a valid source', () => {
  const r = parseElementStatus(
    hex(`01 00 00 01 00 00 00 3C
         04 # data transfer | 80 | 00 34 | 00 | 00 00 34
         01 00 # address | 01 # FULL | 00 | 00 00
         30 # ID VALID + LU VALID, LUN 0 | 05 # SCSI id 5 | 00
         80 # SVALID | 10 02 # came from 0x1002
         ${volTag('AF0003L9')} ${NO_ID}`),
  );
  assert.deepEqual(r.elements, [
    { type: 'dataTransfer', address: 0x100, full: true, except: false, access: false, asc: 0, ascq: 0, invert: false, scsiId: 5, lun: 0, sourceAddress: 0x1002, primaryVolumeTag: { barcode: 'AF0003L9', sequence: 0 } },
  ]);
});

test('an empty drive without tags, with a DVCID serial number', () => {
  const r = parseElementStatus(
    hex(`01 00 00 01 00 00 00 22
         04 | 00 | 00 1A # 26 bytes | 00 | 00 00 1A
         01 00 | 08 | 00 | 00 00 | 00 00 00 | 00 | 00 00
         02 # ASCII | 00 # vendor specific | 00 | 0A # 10 bytes | ${ascii('1068000123', 10)}`),
  );
  assert.equal(r.elements[0]!.full, false);
  assert.equal(r.elements[0]!.identifier, '1068000123');
  assert.equal(r.elements[0]!.sourceAddress, undefined);
});

test('import/export element: operator-placed, enabled both ways, primary and alternate tags', () => {
  const r = parseElementStatus(
    hex(`00 10 00 01 00 00 00 5C
         03 | C0 # PVOLTAG + AVOLTAG | 00 54 # 84 bytes | 00 | 00 00 54
         00 10 | 3B # FULL IMPEXP ACCESS EXENAB INENAB | 00 | 00 00 | 00 00 00 | 00 | 00 00
         ${volTag('CLN001L1')} ${volTag('ALT-CLN', 2)}`),
  );
  const e = r.elements[0]!;
  assert.equal(e.type, 'importExport');
  assert.deepEqual(e.importExport, { placedByOperator: true, importEnabled: true, exportEnabled: true });
  assert.deepEqual(e.primaryVolumeTag, { barcode: 'CLN001L1', sequence: 0 });
  assert.deepEqual(e.alternateVolumeTag, { barcode: 'ALT-CLN', sequence: 2 });
});

test('an empty import/export element without tags', () => {
  const r = parseElementStatus(hex('00 10 00 01 00 00 00 14 | 03 00 00 0C 00 00 00 0C | 00 10 | 28 # INENAB ACCESS | 00 | 00 00 | 00 00 00 | 00 | 00 00'));
  assert.deepEqual(r.elements[0]!.importExport, { placedByOperator: false, importEnabled: true, exportEnabled: false });
  assert.equal(r.elements[0]!.full, false);
});

test('the transport element', () => {
  const r = parseElementStatus(hex('00 01 00 01 00 00 00 14 | 01 00 00 0C 00 00 00 0C | 00 01 | 00 | 00 | 00 00 | 00 00 00 | 00 | 00 00'));
  assert.deepEqual(r.elements, [{ type: 'transport', address: 1, full: false, except: false, access: false, asc: 0, ascq: 0, invert: false }]);
});

/** A whole small library in one report: transport, 3 slots, 1 port, 2 drives (one loaded from slot 3). */
const COMBINED = hex(`
  00 01 | 00 07 # 7 elements | 00 | 00 01 64 # 356 bytes
  01 00 00 0C 00 00 00 0C               # transport page, 12-byte descriptors
  00 01 | 00 | 00 | 00 00 | 00 00 00 | 00 | 00 00
  02 80 00 34 00 00 00 9C               # storage page, tags, 3 x 52 = 156 bytes
  10 00 | 09 | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${volTag('AF0001L9')} ${NO_ID}
  10 01 | 09 | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${volTag('AF0002L9')} ${NO_ID}
  10 02 | 08 | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${EMPTY_TAG} ${NO_ID}
  03 80 00 34 00 00 00 34               # import/export page
  00 10 | 3B | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${volTag('NEW001L9')} ${NO_ID}
  04 80 00 34 00 00 00 68               # drive page, 2 x 52
  01 01 | 09 | 00 | 00 00 | 00 00 00 | 80 # SVALID | 10 02 # from the third slot | ${volTag('AF0003L9')} ${NO_ID}
  01 00 | 08 | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${EMPTY_TAG} ${NO_ID}
`);

test('a combined report of every element type', () => {
  assert.equal(COMBINED.length, 8 + 0x164);
  const r = parseElementStatus(COMBINED);
  assert.equal(r.truncated, false);
  assert.deepEqual(
    r.elements.map((e) => [e.type, e.address, e.full, e.primaryVolumeTag?.barcode]),
    [
      ['transport', 1, false, undefined],
      ['storage', 0x1000, true, 'AF0001L9'],
      ['storage', 0x1001, true, 'AF0002L9'],
      ['storage', 0x1002, false, undefined],
      ['importExport', 0x10, true, 'NEW001L9'],
      ['dataTransfer', 0x101, true, 'AF0003L9'],
      ['dataTransfer', 0x100, false, undefined],
    ],
  );
});

test('the combined report in the MediaChanger model: numbered from 1 in address order', () => {
  const { elements } = parseElementStatus(COMBINED);
  assert.deepEqual(toElements(elements), [
    { kind: 'drive', number: 1, full: false },
    { kind: 'drive', number: 2, full: true, barcode: 'AF0003L9', sourceSlot: 3 },
    { kind: 'slot', number: 1, full: true, barcode: 'AF0001L9' },
    { kind: 'slot', number: 2, full: true, barcode: 'AF0002L9' },
    { kind: 'slot', number: 3, full: false },
    { kind: 'ioport', number: 1, full: true, barcode: 'NEW001L9' },
  ]);
  const map = elementMap(elements);
  assert.deepEqual(map, { transport: 1, drives: [0x100, 0x101], slots: [0x1000, 0x1001, 0x1002], ioports: [0x10] });
  assert.equal(addressOf(map, 'drive', 2), 0x101);
  assert.equal(addressOf(map, 'slot', 3), 0x1002);
  assert.equal(addressOf(map, 'ioport', 1), 0x10);
  assert.throws(() => addressOf(map, 'slot', 4), (e) => isAfError(e, 'CHANGER_FAILED') && /no slot 4/.test(e.message));
  assert.throws(() => addressOf(map, 'drive', 0), (e) => isAfError(e, 'CHANGER_FAILED'));
});

test('a source that is a port, or a changer without transport element', () => {
  const r = parseElementStatus(
    hex(`00 10 00 02 00 00 00 50
         03 80 00 34 00 00 00 34 | 00 10 | 0A # empty | 00 | 00 00 | 00 00 00 | 00 | 00 00 | ${EMPTY_TAG} ${NO_ID}
         04 00 00 0C 00 00 00 0C | 01 00 | 01 | 00 | 00 00 | 00 00 00 | 80 | 00 10 # from the port`),
  );
  assert.deepEqual(toElements(r.elements), [
    { kind: 'drive', number: 1, full: true },
    { kind: 'ioport', number: 1, full: false },
  ]);
  assert.equal(elementMap(r.elements).transport, 0);
});

test('a report cut by the allocation length returns whole descriptors and says so', () => {
  const cut = COMBINED.subarray(0, 8 + 20 + 8 + 52 + 30);
  const r = parseElementStatus(cut);
  assert.equal(r.truncated, true);
  assert.deepEqual(r.elements.map((e) => e.address), [1, 0x1000]);
});

test('malformed reports are CHANGER_FAILED', () => {
  assert.throws(() => parseElementStatus(hex('00 01 00 01 00')), (e) => isAfError(e, 'CHANGER_FAILED'));
  assert.throws(
    () => parseElementStatus(hex('00 01 00 01 00 00 00 14 | 07 00 00 0C 00 00 00 0C | 00 01 00 00 00 00 00 00 00 00 00 00')),
    (e) => isAfError(e, 'CHANGER_FAILED') && /unknown element type code 7/.test(e.message),
  );
  assert.throws(
    () => parseElementStatus(hex('00 01 00 01 00 00 00 0A | 02 00 00 02 00 00 00 02 | 00 01')),
    (e) => isAfError(e, 'CHANGER_FAILED') && /descriptor length 2/.test(e.message),
  );
  // A zero descriptor length with no descriptors is an empty page, not a loop.
  assert.deepEqual(parseElementStatus(hex('00 01 00 00 00 00 00 08 | 02 00 00 00 00 00 00 00')).elements, []);
});
