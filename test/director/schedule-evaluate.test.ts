/**
 * One idea: the schedule evaluator, checked as a table (expression, zone, window ->
 * run instants), including the daylight-saving policy in pinned zones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRun } from '../../src/director/schedule/run-grammar.js';
import { nextRuns, nextRun, wallTimeToInstant, weekOfYear } from '../../src/director/schedule/evaluate.js';
import { isAfError } from '../../src/errors.js';
import { CASES, wallIso } from './schedule-table.js';

for (const c of CASES) {
  test(`schedule table: ${c.name} [${c.expr} | ${c.zone}]`, () => {
    const spec = parseRun(c.expr);
    const runs = nextRuns(spec, { from: new Date(c.from), until: new Date(c.until), timeZone: c.zone });
    assert.deepEqual(runs.map((d) => wallIso(d, c.zone)), c.expect);
  });
}

test('window bounds: from is exclusive, until inclusive', () => {
  const spec = parseRun('daily at 12:00');
  const at = new Date('2026-06-01T10:00:00Z'); // 12:00 CEST
  assert.deepEqual(nextRuns(spec, { from: at, until: new Date('2026-06-02T10:00:00Z'), timeZone: 'Europe/Berlin' })
    .map((d) => d.toISOString()), ['2026-06-02T10:00:00.000Z']);
  assert.deepEqual(nextRuns(spec, { from: new Date(at.getTime() - 1), until: at, timeZone: 'Europe/Berlin' })
    .map((d) => d.toISOString()), ['2026-06-01T10:00:00.000Z']);
  assert.deepEqual(nextRuns(spec, { from: at, until: at, timeZone: 'Europe/Berlin' }), []);
});

test('limit keeps the earliest runs', () => {
  const runs = nextRuns(parseRun('hourly'), {
    from: new Date('2026-06-01T00:00:00Z'), until: new Date('2026-07-01T00:00:00Z'), timeZone: 'UTC', limit: 3,
  });
  assert.deepEqual(runs.map((d) => d.toISOString()),
    ['2026-06-01T01:00:00.000Z', '2026-06-01T02:00:00.000Z', '2026-06-01T03:00:00.000Z']);
});

test('nextRun: finds the next leap day years ahead, null for an impossible date', () => {
  const from = new Date('2028-03-01T00:00:00Z');
  assert.equal(wallIso(nextRun(parseRun('29 feb at 12:00'), from, 'Europe/Berlin')!, 'Europe/Berlin'), '2032-02-29T12:00+01:00');
  assert.equal(nextRun(parseRun('30 feb at 12:00'), from, 'Europe/Berlin'), null);
  // 2096 is leap, 2100 is not: next after 2096 is 2104
  assert.equal(wallIso(nextRun(parseRun('29 feb at 12:00'), new Date('2096-03-01T00:00:00Z'), 'UTC')!, 'UTC'), '2104-02-29T12:00+00:00');
});

test('wallTimeToInstant: the DST policy on its own', () => {
  const iso = (y: number, m: number, d: number, h: number, mi: number, z: string): string =>
    wallIso(wallTimeToInstant({ year: y, month: m, day: d }, h, mi, z), z);
  // skipped: the first instant after the gap
  assert.equal(iso(2026, 3, 29, 2, 0, 'Europe/Berlin'), '2026-03-29T03:00+02:00');
  assert.equal(iso(2026, 3, 29, 2, 59, 'Europe/Berlin'), '2026-03-29T03:00+02:00');
  assert.equal(iso(2026, 3, 8, 2, 30, 'America/New_York'), '2026-03-08T03:00-04:00');
  // repeated: the first occurrence
  assert.equal(iso(2026, 10, 25, 2, 0, 'Europe/Berlin'), '2026-10-25T02:00+02:00');
  assert.equal(iso(2026, 11, 1, 1, 59, 'America/New_York'), '2026-11-01T01:59-04:00');
  // a zone with a 30-minute shift (Lord Howe: 02:00 -> 02:30 in October)
  assert.equal(iso(2026, 10, 4, 2, 15, 'Australia/Lord_Howe'), '2026-10-04T02:30+11:00');
});

test('weekOfYear: ISO weeks with w00 for January days of the previous ISO year', () => {
  assert.equal(weekOfYear({ year: 2027, month: 1, day: 1 }), 0);
  assert.equal(weekOfYear({ year: 2027, month: 1, day: 3 }), 0);
  assert.equal(weekOfYear({ year: 2027, month: 1, day: 4 }), 1);
  assert.equal(weekOfYear({ year: 2026, month: 12, day: 31 }), 53);
  assert.equal(weekOfYear({ year: 2026, month: 1, day: 1 }), 1);
  assert.equal(weekOfYear({ year: 2025, month: 12, day: 29 }), 1); // ISO week 1 of 2026 stays w01
});

test('an unknown time zone is a configuration error', () => {
  assert.throws(
    () => nextRuns(parseRun('daily at 1:00'), { from: new Date(0), until: new Date(86_400_000), timeZone: 'Mars/Olympus' }),
    (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /Mars\/Olympus/.test((e as Error).message),
  );
});
