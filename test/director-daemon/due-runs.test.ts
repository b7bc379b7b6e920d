/**
 * scheduledRun as a table: which run a tick starts for one job, under both catch-up
 * policies and across daylight-saving days in pinned zones (Europe/Berlin,
 * America/New_York) — the DST policy itself lives in schedule/evaluate.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduledRun } from '../../src/director/daemon/due-runs.js';
import { config } from './helpers.js';

interface Row {
  name: string;
  runs: string[];
  tz: string;
  considered?: string;
  now: string;
  catchUp: 'none' | 'latest';
  graceSec?: number;
  expect: null | { level: string; scheduled: string; folded: number; dropped: number; set?: number };
}

const ROWS: Row[] = [
  { name: 'on time', runs: ['Incremental daily at 23:05'], tz: 'UTC', considered: '2026-03-02T23:04:00Z', now: '2026-03-02T23:05:00Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-03-02T23:05:00.000Z', folded: 1, dropped: 0 } },
  { name: 'not yet', runs: ['daily at 23:05'], tz: 'UTC', considered: '2026-03-02T23:03:00Z', now: '2026-03-02T23:04:59Z', catchUp: 'latest', expect: null },
  { name: 'first start: only the grace window counts', runs: ['daily at 23:05'], tz: 'UTC', now: '2026-03-02T23:05:30Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-03-02T23:05:00.000Z', folded: 1, dropped: 0 } },
  { name: 'downtime, none: all missed dropped', runs: ['daily at 23:05'], tz: 'UTC', considered: '2026-03-01T00:00:00Z', now: '2026-03-04T12:00:00Z', catchUp: 'none', expect: null },
  { name: 'downtime, latest: one run, due at the latest missed instant', runs: ['daily at 23:05'], tz: 'UTC', considered: '2026-03-01T00:00:00Z', now: '2026-03-04T12:00:00Z', catchUp: 'latest',
    expect: { level: 'Incremental', scheduled: '2026-03-03T23:05:00.000Z', folded: 3, dropped: 0 } },
  { name: 'downtime, latest: a missed Full wins the level, with its cartridge set', runs: ['Level=Full CartridgeSet=2 sun at 23:05', 'Incremental mon-sat at 23:05'], tz: 'UTC',
    considered: '2026-03-01T00:00:00Z', now: '2026-03-03T12:00:00Z', catchUp: 'latest',
    expect: { level: 'Full', scheduled: '2026-03-02T23:05:00.000Z', folded: 2, dropped: 0, set: 2 } },
  { name: 'downtime, none: the on-time run still runs, missed ones are counted', runs: ['hourly at :00'], tz: 'UTC', considered: '2026-03-01T00:30:00Z', now: '2026-03-01T05:00:30Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-03-01T05:00:00.000Z', folded: 1, dropped: 4 } },
  // Berlin, spring forward 2026-03-29: 02:30 does not exist, runs at the shift 03:00 CEST = 01:00Z
  { name: 'Berlin: a time in the spring gap runs at the shift', runs: ['daily at 02:30'], tz: 'Europe/Berlin', considered: '2026-03-29T00:55:00Z', now: '2026-03-29T01:00:00Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-03-29T01:00:00.000Z', folded: 1, dropped: 0 } },
  // Berlin, fall back 2026-10-25: 02:30 exists twice, runs once at the first (00:30Z)
  { name: 'Berlin: a time in the repeated autumn hour runs once, the first time', runs: ['daily at 02:30'], tz: 'Europe/Berlin', considered: '2026-10-25T00:00:00Z', now: '2026-10-25T00:30:00Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-10-25T00:30:00.000Z', folded: 1, dropped: 0 } },
  { name: 'Berlin: ... and not again an hour later', runs: ['daily at 02:30'], tz: 'Europe/Berlin', considered: '2026-10-25T00:30:00Z', now: '2026-10-25T01:31:00Z', catchUp: 'latest', expect: null },
  // New York, spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z)
  { name: 'New York: 02:15 in the spring gap runs at 03:00 EDT', runs: ['daily at 02:15'], tz: 'America/New_York', considered: '2026-03-08T06:59:00Z', now: '2026-03-08T07:00:00Z', catchUp: 'none',
    expect: { level: 'Incremental', scheduled: '2026-03-08T07:00:00.000Z', folded: 1, dropped: 0 } },
  // New York, fall back 2026-11-01: 01:30 EDT (05:30Z) then 01:30 EST (06:30Z); the first only
  { name: 'New York: 01:30 on the autumn day runs once at 01:30 EDT', runs: ['daily at 01:30'], tz: 'America/New_York', considered: '2026-11-01T05:00:00Z', now: '2026-11-01T07:00:00Z', catchUp: 'latest',
    expect: { level: 'Incremental', scheduled: '2026-11-01T05:30:00.000Z', folded: 1, dropped: 0 } },
  { name: 'New York: hourly through the autumn night does not repeat 01:00', runs: ['hourly at :00'], tz: 'America/New_York', considered: '2026-11-01T04:30:00Z', now: '2026-11-01T07:30:00Z', catchUp: 'latest',
    expect: { level: 'Incremental', scheduled: '2026-11-01T07:00:00.000Z', folded: 2, dropped: 0 } },
];

for (const row of ROWS) {
  test(`scheduledRun: ${row.name}`, () => {
    const runs = row.runs.map((r) => `Run = ${r}`).join('; ');
    const cfg = config(`Client { Name = c; Address = h }\nSchedule { Name = S; ${runs} }\nJob { Name = j; Client = c; Schedule = S }`);
    const got = scheduledRun(cfg.jobs.get('j')!, cfg.schedules.get('S')!, {
      ...(row.considered ? { considered: new Date(row.considered) } : {}), now: new Date(row.now),
      graceMs: (row.graceSec ?? 120) * 1000, timeZone: row.tz, catchUp: row.catchUp,
    });
    if (row.expect === null) return assert.equal(got, null);
    assert.ok(got);
    assert.deepEqual({ level: got.level, scheduled: got.scheduled.toISOString(), folded: got.folded, dropped: got.dropped, ...(got.cartridgeSet !== undefined ? { set: got.cartridgeSet } : {}) }, row.expect);
  });
}
