/** Range lists: every accepted spelling, normalised output, set operations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contains,
  formatRanges,
  fromNumbers,
  intersects,
  numbers,
  readRanges,
  subtract,
  toRanges,
  union,
  type RangeList,
} from '../../src/state/range-list.js';

function read(text: string, bounds = {}): RangeList {
  const r = readRanges(text, bounds);
  assert.ok(r.ok, `expected "${text}" to parse: ${r.ok ? '' : r.reason}`);
  return r.ranges;
}

test('plain items and ranges format back normalised', () => {
  assert.equal(formatRanges(read('1-3,5')), '1-3,5');
  assert.equal(formatRanges(read('5,1-3')), '1-3,5');
  assert.equal(formatRanges(read('1,2,3,7-9')), '1-3,7-9');
  assert.equal(formatRanges(read('5-6')), '5-6');
  assert.equal(formatRanges(read('')), '');
  assert.equal(formatRanges(read('  \n')), '');
});

test('whitespace-separated groups are united', () => {
  assert.equal(formatRanges(read('1-3 5\t7,8')), '1-3,5,7-8');
  assert.equal(formatRanges(read('4 2 3')), '2-4');
});

test('reversed ranges are turned round', () => {
  assert.equal(formatRanges(read('9-7')), '7-9');
});

test('open ends: -b from the first valid number, a- to the last', () => {
  assert.equal(formatRanges(read('-3')), '1-3');
  assert.equal(formatRanges(read('-3', { first: 2 })), '2-3');
  assert.equal(formatRanges(read('7-', { last: 9 })), '7-9');
  assert.equal(formatRanges(read('7-')), '7-');
  assert.ok(contains(read('7-'), 1000));
});

test('overlapping and adjacent ranges merge', () => {
  assert.equal(formatRanges(read('1-4,3-6,7')), '1-7');
  assert.equal(formatRanges(read('1-2,4-5')), '1-2,4-5');
});

test('malformed input is reported, never guessed', () => {
  for (const bad of ['1,,2', '1-2-3', 'a', '1x', '-', ',', '3,']) {
    const r = readRanges(bad);
    assert.equal(r.ok, false, `"${bad}" should not parse`);
  }
});

test('set operations', () => {
  const a = read('1-10');
  assert.equal(formatRanges(subtract(a, read('3-4,10'))), '1-2,5-9');
  assert.equal(formatRanges(subtract(read('5-'), read('7'))), '5-6,8-');
  assert.equal(formatRanges(union(read('1'), read('3'))), '1,3');
  assert.equal(intersects(read('1-3'), read('3-5')), true);
  assert.equal(intersects(read('1-3'), read('4-5')), false);
  assert.deepEqual(numbers(read('2-4,6')), [2, 3, 4, 6]);
  assert.equal(formatRanges(fromNumbers([3, 1, 2, 9])), '1-3,9');
  assert.equal(formatRanges(toRanges([5, 4])), '4-5');
  assert.equal(formatRanges(toRanges(read('8-9'))), '8-9');
});
