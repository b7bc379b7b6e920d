/**
 * `status scheduler` against evaluate.ts: for pinned zones (Europe/Berlin and
 * America/New_York) over their spring and autumn daylight-saving days, the runs the
 * console lists are exactly the instants nextRuns gives for each Run line of each
 * job's schedule, with the level and cartridge set of the line or the job; two lines
 * that fire at once give one run (the first line's); job= and ACLs narrow the list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRuns } from '../../src/director/schedule/evaluate.js';
import { isoWithOffset } from '../../src/director/history/job-record.js';
import { makeCtx, makeDirectorDir, run } from './helpers.js';
import type { DirectorConfig } from '../../src/director/conf/model.js';

const DAY = 86_400_000;

/** The expected list, built straight from evaluate.ts (no dedup needed where lines do not coincide). */
function expected(config: DirectorConfig, from: Date, days: number, tz: string, jobs: string[]): Array<[string, string, string]> {
  const until = new Date(from.getTime() + days * DAY);
  const out: Array<[number, string, string, string]> = [];
  for (const name of jobs) {
    const job = config.jobs.get(name)!;
    const seen = new Set<number>();
    for (const r of config.schedules.get(job.schedule!)!.runs) {
      for (const t of nextRuns(r.spec, { from, until, timeZone: tz })) {
        if (seen.has(t.getTime())) continue;
        seen.add(t.getTime());
        out.push([t.getTime(), isoWithOffset(t, tz), name, r.spec.overrides.level ?? job.level]);
      }
    }
  }
  return out.sort((a, b) => a[0] - b[0] || (a[2] === 'fileserver-backup' ? -1 : 1)).map(([, t, j, l]) => [t, j, l]);
}

for (const [tz, now, days, note] of [
  ['Europe/Berlin', '2026-03-26T12:00:00Z', 6, 'spring forward on 2026-03-29 (02:30 does not exist: runs at 03:00)'],
  ['Europe/Berlin', '2026-10-22T12:00:00Z', 6, 'fall back on 2026-10-25 (02:30 twice: runs once)'],
  ['America/New_York', '2026-03-05T12:00:00Z', 5, 'spring forward on 2026-03-08'],
  ['America/New_York', '2026-10-29T12:00:00Z', 5, 'fall back on 2026-11-01, a 1st Sunday (Full) and no 1st Saturday'],
] as const) {
  test(`status scheduler in ${tz}: ${note}`, async () => {
    const d = await makeDirectorDir({ tz });
    try {
      const o = await run(makeCtx(d, { now, json: true }), `status scheduler days=${days}`);
      assert.equal(o.status, 0);
      const doc = o.document as any;
      assert.equal(doc.timeZone, tz);
      const got = doc.runs.map((r: any) => [r.time, r.job, r.level]);
      const want = expected(d.config, new Date(now), days, tz, ['fileserver-backup', 'laptop-backup']);
      assert.deepEqual(got, want);
      assert.ok(got.length >= days, 'runs were listed');
      // The text shows the same times, one line each.
      const text = (await run(makeCtx(d, { now }), `status scheduler days=${days}`)).text;
      for (const [t, j, l] of want) assert.match(text, new RegExp(`^${t.replace(/\+/g, '\\+')} +${l} +${j} `, 'm'));
    } finally {
      d.cleanup();
    }
  });
}

test('Berlin spring day: the laptop run at 02:30 moves to the shift (03:00 CEST = 01:00Z)', async () => {
  const d = await makeDirectorDir({ tz: 'Europe/Berlin' });
  try {
    const doc = (await run(makeCtx(d, { now: '2026-03-28T12:00:00Z' }), 'status scheduler days=1 job=laptop-backup')).document as any;
    assert.deepEqual(doc.runs.map((r: any) => r.time), ['2026-03-29T03:00:00+02:00']);
  } finally {
    d.cleanup();
  }
});

test('two Run lines at one instant: one run, the first line (Full, its cartridge set); others use the job\'s sets', async () => {
  const d = await makeDirectorDir({ tz: 'Europe/Berlin' });
  try {
    // 2026-04-04 is the first Saturday of April.
    const doc = (await run(makeCtx(d, { now: '2026-04-03T12:00:00Z' }), 'status scheduler days=2')).document as any;
    const laptop = doc.runs.filter((r: any) => r.job === 'laptop-backup');
    assert.deepEqual(laptop.map((r: any) => [r.time, r.level, r.cartridgeSet]), [
      ['2026-04-04T02:30:00+02:00', 'Full', 3],
      ['2026-04-05T02:30:00+02:00', 'Incremental', 4],
    ]);
    const fs = doc.runs.filter((r: any) => r.job === 'fileserver-backup');
    assert.deepEqual(fs.map((r: any) => [r.time, r.level, r.cartridgeSet]), [
      ['2026-04-03T23:05:00+02:00', 'Incremental', 1],
      ['2026-04-04T23:05:00+02:00', 'Incremental', 1],
    ]);
    const sunday = (await run(makeCtx(d, { now: '2026-04-05T00:00:00Z' }), 'status scheduler days=1 job=fileserver-backup')).document as any;
    assert.deepEqual(sunday.runs.map((r: any) => [r.time, r.level, r.cartridgeSet]), [['2026-04-05T23:05:00+02:00', 'Full', 2]]);
  } finally {
    d.cleanup();
  }
});

test('job= narrows, days= is checked, an unknown job is 41', async () => {
  const d = await makeDirectorDir();
  try {
    const ctx = makeCtx(d);
    const only = (await run(ctx, 'status scheduler job=laptop-backup')).document as any;
    assert.ok(only.runs.length > 0 && only.runs.every((r: any) => r.job === 'laptop-backup'));
    assert.equal(only.days, 7);
    const bad = await run(ctx, 'status scheduler days=0');
    assert.equal(bad.status, 2);
    assert.match(bad.error!, /"days=0"/);
    assert.equal((await run(ctx, 'status scheduler job=nosuch')).status, 41);
  } finally {
    d.cleanup();
  }
});
