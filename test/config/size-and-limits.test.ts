// Byte sizes with suffixes and the per-cartridge Max-Bytes-Per-Tape limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseSize } from '../../src/config/size.js';
import { parseMaxBytesPerTape } from '../../src/config/max-bytes-per-tape.js';

test('sizes with and without suffixes, 1024-based', () => {
  assert.equal(parseSize('512'), 512);
  assert.equal(parseSize('64K'), 65536);
  assert.equal(parseSize('64 k'), 65536);
  assert.equal(parseSize('10G'), 10 * 1024 ** 3);
  assert.equal(parseSize('10 GiB'), 10 * 1024 ** 3);
  assert.equal(parseSize('3MB'), 3 * 1024 ** 2);
  assert.equal(parseSize('2t'), 2 * 1024 ** 4);
  assert.equal(parseSize('1.5K'), 1536);
  assert.equal(parseSize(' 0 '), 0);
});

test('bad sizes are CONFIG_SYNTAX naming the text', () => {
  for (const bad of ['', 'ten', '10X', '-5', '1 2', 'K']) {
    assert.throws(
      () => parseSize(bad),
      (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && e.message.includes(`"${bad.trim()}"`),
      bad,
    );
  }
});

test('Max-Bytes-Per-Tape: the spec example', () => {
  const m = parseMaxBytesPerTape('4000000000 1,3-5:3500000000 7,9-:5000000000');
  assert.equal(m.defaultLimit, 4_000_000_000);
  const expected: Record<number, number> = {
    1: 3_500_000_000,
    2: 4_000_000_000,
    3: 3_500_000_000,
    4: 3_500_000_000,
    5: 3_500_000_000,
    6: 4_000_000_000,
    7: 5_000_000_000,
    8: 4_000_000_000,
    9: 5_000_000_000,
    10: 5_000_000_000,
    1000: 5_000_000_000,
  };
  for (const [cart, limit] of Object.entries(expected)) assert.equal(m.limitFor(Number(cart)), limit, `cartridge ${cart}`);
  assert.equal(m.unlimited, false);
});

test('Max-Bytes-Per-Tape: plain number, no default, zero, empty, blanks', () => {
  assert.equal(parseMaxBytesPerTape('10485760').limitFor(3), 10485760);
  const noDefault = parseMaxBytesPerTape('2:1000');
  assert.equal(noDefault.limitFor(1), Infinity);
  assert.equal(noDefault.limitFor(2), 1000);
  assert.equal(parseMaxBytesPerTape('0').limitFor(1), Infinity);
  assert.equal(parseMaxBytesPerTape('').unlimited, true);
  assert.equal(parseMaxBytesPerTape('100 1, 2 : 5').limitFor(2), 5);
  assert.equal(parseMaxBytesPerTape('100 1-2:1G').limitFor(2), 1024 ** 3);
  const firstWins = parseMaxBytesPerTape('1-5:10 3:20');
  assert.equal(firstWins.limitFor(3), 10);
});

test('Max-Bytes-Per-Tape: errors', () => {
  for (const bad of ['100 200', 'x', '1-3:', ':5', '1-3:abc', 'a-b:5']) {
    assert.throws(() => parseMaxBytesPerTape(bad), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX'), bad);
  }
});
