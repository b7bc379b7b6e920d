// Range lists: parsing every accepted form, normalised formatting, set operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import {
  countRanges,
  expandRanges,
  formatRanges,
  intersectRanges,
  normalizeRanges,
  parseRanges,
  rangesContain,
  rangesFromNumbers,
  subtractRanges,
  unionRanges,
} from '../../src/config/ranges.js';

test('plain lists', () => {
  assert.deepEqual(parseRanges('1-3,5'), [
    [1, 3],
    [5, 5],
  ]);
  assert.deepEqual(parseRanges('7'), [[7, 7]]);
  assert.deepEqual(parseRanges(''), []);
  assert.deepEqual(parseRanges('  \n'), []);
});

test('whitespace-separated groups and mixed separators', () => {
  assert.deepEqual(parseRanges('1 3\t5-6\n8, 9'), [
    [1, 1],
    [3, 3],
    [5, 6],
    [8, 9],
  ]);
});

test('open ranges use the bounds', () => {
  assert.deepEqual(parseRanges('-3'), [[1, 3]]);
  assert.deepEqual(parseRanges('-3', { first: 0 }), [[0, 3]]);
  assert.deepEqual(parseRanges('8-', { last: 10 }), [[8, 10]]);
  assert.deepEqual(parseRanges('8-'), [[8, Infinity]]);
  assert.deepEqual(parseRanges('12-', { last: 10 }), []);
  assert.deepEqual(parseRanges('-3', { first: 5 }), []);
});

test('reversed ranges are turned round', () => {
  assert.deepEqual(parseRanges('9-7,2'), [
    [2, 2],
    [7, 9],
  ]);
});

test('overlapping and adjacent groups merge', () => {
  assert.deepEqual(parseRanges('5,1-3,4,2-2,10-12,11'), [
    [1, 5],
    [10, 12],
  ]);
});

test('bad groups are CONFIG_SYNTAX naming the text', () => {
  for (const bad of ['a', '1-2-3', '-', '1,x-2', '3:4', '1.5']) {
    assert.throws(
      () => parseRanges(bad),
      (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /bad range/.test(e.message) && e.message.includes(`"${bad}"`),
      bad,
    );
  }
  assert.throws(() => parseRanges('99999999999999999999'), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX'));
});

test('formatting is normalised and ascending', () => {
  assert.equal(formatRanges([9, 1, 2, 3, 5, 7, 8, 3]), '1-3,5,7-9');
  assert.equal(formatRanges([5, 6]), '5-6');
  assert.equal(formatRanges([4]), '4');
  assert.equal(formatRanges([]), '');
  assert.equal(
    formatRanges([
      [7, 9],
      [1, 3],
      [5, 5],
    ]),
    '1-3,5,7-9',
  );
  assert.equal(formatRanges([[9, Infinity]]), '9-');
  assert.equal(formatRanges(new Set([3, 1, 2])), '1-3');
});

test('round trips', () => {
  for (const text of ['1-3,5,7-9', '5-6', '1', '2,4,6', '1-100000', '0-2,9-']) {
    assert.equal(formatRanges(parseRanges(text, { first: 0 })), text);
  }
  assert.equal(formatRanges(parseRanges('9-7 2 3 1')), '1-3,7-9');
  const numbers = [1, 2, 3, 10, 11, 20];
  assert.deepEqual(expandRanges(parseRanges(formatRanges(numbers))), numbers);
});

test('contains, union, intersect, subtract, count', () => {
  const a = parseRanges('1-5,10-');
  assert.equal(rangesContain(a, 3), true);
  assert.equal(rangesContain(a, 7), false);
  assert.equal(rangesContain(a, 1e6), true);
  assert.equal(formatRanges(unionRanges(parseRanges('1-3'), parseRanges('4,8'))), '1-4,8');
  assert.equal(formatRanges(intersectRanges(parseRanges('1-5,8-9'), parseRanges('4-8'))), '4-5,8');
  assert.equal(formatRanges(subtractRanges(parseRanges('1-10'), parseRanges('3,5-6,10'))), '1-2,4,7-9');
  assert.equal(formatRanges(subtractRanges(parseRanges('5-6'), parseRanges('5-6'))), '');
  assert.equal(formatRanges(subtractRanges(parseRanges('1-'), parseRanges('2-4'))), '1,5-');
  assert.equal(countRanges(parseRanges('1-3,7')), 4);
  assert.deepEqual(rangesFromNumbers([3, 2, 2, 9]), [
    [2, 3],
    [9, 9],
  ]);
  assert.deepEqual(normalizeRanges([[4, 2]]), [[2, 4]]);
});

test('expanding an open range is refused', () => {
  assert.throws(() => expandRanges(parseRanges('3-')), (e: unknown) => isAfError(e, 'INTERNAL'));
});
