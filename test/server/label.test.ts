/**
 * The tape label on file 0 (spec §5.2, §11.6): the exact bytes of the original's
 * label, its size rule, and parsing labels written by afbackup and by copy_tape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabel, labelSize, parseLabel } from '../../src/server/label.js';
import { fixtureBytes } from '../protocol/fixtures.js';

test('the label block equals the one afbackup 3.5.8 wrote (vectors data.0)', () => {
  const golden = fixtureBytes('../golden/tape-simple-vol1-data.0');
  const time = /Labeling time:\t\t([^\n]+)\n/.exec(golden.toString('latin1'))![1]!;
  const ours = formatLabel({ cartridge: 1, labelingTime: time, blockSize: 1024 });
  assert.equal(ours.length, 1024);
  assert.ok(ours.equals(golden));
});

test('the label record is the smallest multiple of the block size that holds 500 bytes', () => {
  assert.equal(labelSize(1024), 1024);
  assert.equal(labelSize(512), 512);
  assert.equal(labelSize(100), 500);
  assert.equal(labelSize(300), 600);
  assert.equal(labelSize(262144), 262144);
});

test('labels parse, including a copy with a second number; other blocks do not', () => {
  const l = parseLabel(formatLabel({ cartridge: 7, secondCartridge: 3, labelingTime: 'Wed Nov 25 12:10:28 2026', blockSize: 2048, comment: 'weekly' }));
  assert.deepEqual(
    { c: l?.cartridge, s: l?.secondCartridge, bs: l?.blockSize, v: l?.programVersion, cm: l?.comment },
    { c: 7, s: 3, bs: 2048, v: '3.5.8', cm: 'weekly' },
  );
  assert.equal(parseLabel(Buffer.alloc(1024)), null);
  assert.equal(parseLabel(Buffer.from("\nAF's backup system\n\nINFO HEADER\n\nCartridge number:\tx\n")), null);
});
