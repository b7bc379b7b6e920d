// `mtx status` output into the MediaChanger model: realistic samples and broken output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { isAfError } from '../../src/errors.js';
import { parseMtxStatus } from '../../src/device/command/mtx-status.js';

const fixture = (name: string): string => fs.readFileSync(new URL(`../fixtures/scsi/${name}`, import.meta.url), 'utf8');

test('1 drive, 7 slots and 1 import/export element, with barcodes', () => {
  const s = parseMtxStatus(fixture('mtx-status-1drive-ie.txt'));
  assert.deepEqual(s.header, { device: '/dev/sg1', drives: 1, slots: 8, importExport: 1 });
  assert.deepEqual(s.elements, [
    { kind: 'drive', number: 1, full: true, barcode: 'AF0003L9', sourceSlot: 3 },
    { kind: 'slot', number: 1, full: true, barcode: 'AF0001L9' },
    { kind: 'slot', number: 2, full: true, barcode: 'AF0002L9' },
    { kind: 'slot', number: 3, full: false },
    { kind: 'slot', number: 4, full: true, barcode: 'AF0004L9' },
    { kind: 'slot', number: 5, full: false },
    { kind: 'slot', number: 6, full: false },
    { kind: 'slot', number: 7, full: true, barcode: 'CLN001L1' },
    { kind: 'ioport', number: 1, full: false },
  ]);
  assert.deepEqual(s.numbering, { drives: [0], slots: [1, 2, 3, 4, 5, 6, 7], ioports: [8] });
});

test('2 drives, one empty, no barcodes, unknown source', () => {
  const s = parseMtxStatus(fixture('mtx-status-nobarcodes.txt'));
  assert.deepEqual(s.elements, [
    { kind: 'drive', number: 1, full: false },
    { kind: 'drive', number: 2, full: true },
    { kind: 'slot', number: 1, full: true },
    { kind: 'slot', number: 2, full: false },
    { kind: 'slot', number: 3, full: true },
    { kind: 'slot', number: 4, full: false },
    { kind: 'slot', number: 5, full: false },
    { kind: 'slot', number: 6, full: true },
  ]);
  assert.deepEqual(s.numbering.drives, [0, 1]);
});

test('alternate volume tags, two ports, a drive loaded from a port', () => {
  const s = parseMtxStatus(fixture('mtx-status-altvoltag.txt'));
  const drives = s.elements.filter((e) => e.kind === 'drive');
  assert.deepEqual(drives, [
    { kind: 'drive', number: 1, full: true, barcode: 'VOL011L6' },
    { kind: 'drive', number: 2, full: true, barcode: 'VOL002L6', sourceSlot: 2 },
  ]);
  assert.deepEqual(
    s.elements.filter((e) => e.kind === 'ioport'),
    [
      { kind: 'ioport', number: 1, full: false },
      { kind: 'ioport', number: 2, full: true, barcode: 'VOL012L6' },
    ],
  );
  assert.equal(s.elements.filter((e) => e.kind === 'slot').length, 10);
  const d0 = s.lines.find((l) => l.kind === 'drive' && l.mtxNumber === 0)!;
  assert.deepEqual(d0, { kind: 'drive', mtxNumber: 0, number: 1, full: true, barcode: 'VOL011L6', alternateBarcode: 'ALT011', sourceMtxNumber: 11 });
  const s1 = s.lines.find((l) => l.kind === 'slot' && l.mtxNumber === 1)!;
  assert.equal(s1.alternateBarcode, 'ALT001');
  assert.deepEqual(s.numbering.ioports, [11, 12]);
});

test('CRLF line ends, no header, ports listed before slots', () => {
  const text = [
    'Data Transfer Element 0:Empty',
    '      Storage Element 1 IMPORT/EXPORT:Full :VolumeTag=IE0001',
    '      Storage Element 2:Full :VolumeTag = S0002',
    '      Storage Element 3:Empty',
  ].join('\r\n');
  const s = parseMtxStatus(text);
  assert.equal(s.header, undefined);
  assert.deepEqual(s.elements, [
    { kind: 'drive', number: 1, full: false },
    { kind: 'slot', number: 1, full: true, barcode: 'S0002' },
    { kind: 'slot', number: 2, full: false },
    { kind: 'ioport', number: 1, full: true, barcode: 'IE0001' },
  ]);
  assert.deepEqual(s.numbering, { drives: [0], slots: [2, 3], ioports: [1] });
});

test('output cut short disagrees with its header', () => {
  const cut = fixture('mtx-status-1drive-ie.txt').split('\n').slice(0, 5).join('\n');
  assert.throws(() => parseMtxStatus(cut), (e) => isAfError(e, 'CHANGER_FAILED') && /header announces 1, 8 \(1\)/.test(e.message));
});

test('garbled element lines, duplicates and empty output are CHANGER_FAILED', () => {
  assert.throws(() => parseMtxStatus('Data Transfer Element 0:Half\n'), (e) => isAfError(e, 'CHANGER_FAILED') && /line 1/.test(e.message));
  assert.throws(
    () => parseMtxStatus('  Storage Element 1:Empty\n  Storage Element 1:Full\n'),
    (e) => isAfError(e, 'CHANGER_FAILED') && /listed twice/.test(e.message),
  );
  assert.throws(() => parseMtxStatus('  Storage Element 1:Full :Barcode=X\n'), (e) => isAfError(e, 'CHANGER_FAILED') && /volume tags/.test(e.message));
  assert.throws(() => parseMtxStatus(''), (e) => isAfError(e, 'CHANGER_FAILED'));
  assert.throws(() => parseMtxStatus('mtx: cannot open SCSI device /dev/sg9\n'), (e) => isAfError(e, 'CHANGER_FAILED'));
});
