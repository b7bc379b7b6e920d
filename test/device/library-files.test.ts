/**
 * The virtual library's plain-text formats and its in-memory tape record: parsing,
 * formatting, syntax errors, and the bookkeeping of cuts, appends and positions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatDrives,
  formatIndex,
  formatLibraryConf,
  formatSize,
  formatSlots,
  makeBarcode,
  parseDrives,
  parseIndex,
  parseLibraryConf,
  parseSize,
  parseSlots,
} from '../../src/device/virtual/library-files.js';
import { TapeImage } from '../../src/device/virtual/tape-image.js';
import { isAfError } from '../../src/errors.js';

const syntaxError = (e: unknown): boolean => isAfError(e, 'STATE_SYNTAX');

test('sizes: K, M, G, T are powers of 1024; the shortest exact form is written', () => {
  assert.equal(parseSize('8G'), 8 * 2 ** 30);
  assert.equal(parseSize('64m'), 64 * 2 ** 20);
  assert.equal(parseSize('1536'), 1536);
  assert.equal(parseSize('2 KiB'), 2048);
  assert.equal(parseSize('x'), undefined);
  assert.equal(formatSize(8 * 2 ** 30), '8G');
  assert.equal(formatSize(1536), '1536');
  assert.equal(formatSize(3 * 2 ** 19), '1536K');
});

test('barcodes: prefix, zero-padded number, L9; eight characters', () => {
  assert.equal(makeBarcode('AF', 1), 'AF0001L9');
  assert.equal(makeBarcode('', 42), '000042L9');
  assert.equal(makeBarcode('VTAPE', 7), 'VTAPE7L9');
  assert.throws(() => makeBarcode('AF', 10000));
  assert.throws(() => makeBarcode('af', 1));
});

test('library.conf round-trips and rejects what it does not know', () => {
  const c = { capacity: 8 * 2 ** 30, earlyWarning: 64 * 2 ** 20, slots: 8, drives: 2, ports: 1, barcodePrefix: 'AF', syncOnClose: true };
  assert.deepEqual(parseLibraryConf(formatLibraryConf(c)), c);
  assert.deepEqual(parseLibraryConf('capacity 1G\nslots 2\n'), { capacity: 2 ** 30, earlyWarning: 0, slots: 2, drives: 1, ports: 1, barcodePrefix: 'AF', syncOnClose: true });
  assert.throws(() => parseLibraryConf('capacity 1G\nslots 2\ncolour blue\n'), syntaxError);
  assert.throws(() => parseLibraryConf('slots 2\n'), syntaxError);
  assert.throws(() => parseLibraryConf('capacity 1M\nearly-warning 1M\nslots 2\n'), syntaxError);
});

test('slots round-trip; unknown slots and duplicate cartridges are syntax errors', () => {
  const t = { slots: ['AF0001L9', null, 'AF0003L9'], ports: [null] };
  assert.deepEqual(parseSlots(formatSlots(t), { slots: 3, ports: 1 }), t);
  assert.deepEqual(parseSlots('slot 2 X1\n', { slots: 3, ports: 0 }), { slots: [null, 'X1', null], ports: [] });
  assert.throws(() => parseSlots('slot 4 X1\n', { slots: 3, ports: 0 }), syntaxError);
  assert.throws(() => parseSlots('slot 1 X1\nslot 2 X1\n', { slots: 3, ports: 0 }), syntaxError);
  assert.throws(() => parseSlots('slot 1\n', { slots: 3, ports: 0 }), syntaxError);
});

test('drives round-trip; a loaded drive needs a cartridge', () => {
  const lines = [
    { blockSize: 1024, state: 'loaded' as const, cartridge: 'AF0001L9', fromSlot: 1, file: 3, block: 17 },
    { blockSize: 0, state: 'empty' as const, cartridge: null, fromSlot: null, file: 0, block: 0 },
    { blockSize: 0, state: 'ejected' as const, cartridge: 'AF0002L9', fromSlot: null, file: 0, block: 0 },
  ];
  const text = formatDrives(lines);
  assert.match(text, /^drive 1 block-size 1024 state loaded cartridge AF0001L9 from-slot 1 file 3 block 17$/m);
  assert.match(text, /^drive 3 block-size 0 state ejected cartridge AF0002L9 from-slot - file 0 block 0$/m);
  assert.deepEqual(parseDrives(text, 3), lines);
  assert.throws(() => parseDrives('drive 1 state loaded\n', 1), syntaxError);
  assert.throws(() => parseDrives('drive 2 state empty\n', 1), syntaxError);
  assert.throws(() => parseDrives('drive 1 speed fast\n', 1), syntaxError);
});

test('index: run-length lines, merged runs, filemarks', () => {
  const files = parseIndex('# c\nfile 0 1x1024 filemark\nfile 1 3x512 2x512 1x100 filemark\nfile 2 filemark\nfile 3 5x7\n');
  assert.deepEqual(files, [
    { runs: [1, 1024], filemark: true },
    { runs: [5, 512, 1, 100], filemark: true },
    { runs: [], filemark: true },
    { runs: [5, 7], filemark: false },
  ]);
  const text = formatIndex('AF0001L9', files);
  assert.deepEqual(parseIndex(text), files);
  assert.match(text, /^file 1 5x512 1x100 filemark$/m);
  assert.throws(() => parseIndex('file 1 1x1\n'), syntaxError);
  assert.throws(() => parseIndex('file 0 1x0\n'), syntaxError);
  assert.throws(() => parseIndex('file 0 filemark 1x5\n'), syntaxError);
  // Only the last file can lack its filemark.
  assert.deepEqual(parseIndex('file 0 1x5\nfile 1 1x5\n')[0].filemark, true);
});

test('tape image: positions, end of data, cuts and appends', () => {
  const img = new TapeImage(parseIndex('file 0 1x1024 filemark\nfile 1 3x100 2x50 filemark\nfile 2 4x10\n'));
  assert.equal(img.used, 1024 + 400 + 40);
  assert.equal(img.filemarks, 2);
  assert.deepEqual(img.eod(), { file: 2, block: 4 });
  assert.equal(img.offsetOf(1, 4), 350);
  assert.equal(img.offsetOf(1, 5), 400);
  assert.deepEqual(img.clamp(9, 0), { file: 2, block: 4 });
  assert.deepEqual(img.clamp(1, 99), { file: 1, block: 5 });
  assert.equal(img.cut(1, 4), 3);
  assert.deepEqual(img.files.map((f) => [f.runs, f.filemark]), [[[1, 1024], true], [[3, 100, 1, 50], false]]);
  assert.equal(img.used, 1024 + 350);
  img.addBlocks(1, 50, 2);
  img.addBlocks(1, 60, 1);
  assert.deepEqual(img.files[1].runs, [3, 100, 3, 50, 1, 60]);
  img.endFile(1);
  img.endFile(2);
  assert.deepEqual(img.eod(), { file: 3, block: 0 });
  assert.equal(img.filemarks, 3);
  img.cut(1, 0);
  assert.equal(img.files.length, 1);
  assert.equal(img.used, 1024);
  assert.deepEqual(img.eod(), { file: 1, block: 0 });
});

test('tape image: a short last data file shortens the record to whole blocks', () => {
  const img = new TapeImage(parseIndex('file 0 1x10 filemark\nfile 1 4x100 filemark\n'));
  img.shortenTo(1, 250);
  assert.deepEqual(img.files[1].runs, [2, 100]);
  assert.equal(img.files[1].filemark, true);
  img.shortenTo(1, 0);
  assert.deepEqual(img.files[1], { runs: [], filemark: true, blocks: 0, bytes: 0 });
  const open = new TapeImage(parseIndex('file 0 3x10\n'));
  open.shortenTo(0, 5);
  assert.equal(open.files.length, 0);
});
