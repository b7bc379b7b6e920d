/** ctime(): C's layout, local time, day of month padded with a blank. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctime, CTIME_PATTERN } from '../../src/state/ctime.js';
import { runChild } from './helpers.js';

test('a fixed local time formats like C ctime()', () => {
  assert.equal(ctime(new Date(2026, 10, 25, 12, 10, 28)), 'Wed Nov 25 12:10:28 2026');
  assert.equal(ctime(new Date(2026, 10, 5, 1, 2, 3)), 'Thu Nov  5 01:02:03 2026');
  assert.equal(ctime(new Date(2000, 0, 1, 0, 0, 0)), 'Sat Jan  1 00:00:00 2000');
  assert.match(ctime(), CTIME_PATTERN);
});

test('in a child with TZ=UTC the epoch of the golden status line gives the golden text', async () => {
  const out = await runChild('print-ctime', [String(Date.UTC(2026, 10, 25, 12, 10, 28))], { TZ: 'UTC' });
  assert.equal(out, 'Wed Nov 25 12:10:28 2026\n');
});

test('the local time zone is used (TZ=Asia/Tokyo is nine hours ahead of UTC)', async () => {
  const out = await runChild('print-ctime', [String(Date.UTC(2026, 10, 25, 20, 0, 0))], { TZ: 'Asia/Tokyo' });
  assert.equal(out, 'Thu Nov 26 05:00:00 2026\n');
});
