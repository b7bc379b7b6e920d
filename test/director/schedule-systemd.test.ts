/**
 * One idea: for every table row that systemd's OnCalendar can also state, our run
 * instants equal what `systemd-analyze calendar` lists for the same expression.
 *
 * Only rows marked `systemd: true` in schedule-table.ts take part: rows with ISO weeks
 * (systemd has none) and rows whose time falls inside a skipped or repeated hour are
 * left out on purpose, because systemd skips a wall time that does not exist while we
 * run it at the shift (see evaluate.ts). The zone is given to systemd-analyze via TZ.
 *
 * Without systemd-analyze on PATH the comparison is skipped, unless CI=true (the CI image
 * installs package systemd), where a missing tool is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseRun } from '../../src/director/schedule/run-grammar.js';
import { toOnCalendar } from '../../src/director/schedule/systemd-calendar.js';
import { nextRuns } from '../../src/director/schedule/evaluate.js';
import { CASES } from './schedule-table.js';

const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveSystemd = probe.status === 0;
const inCI = process.env.CI === 'true';
const skip = !haveSystemd && !inCI ? 'systemd-analyze is not on PATH (and CI is not set)' : false;

/** Instants (UTC ms) systemd lists for `expr` after `from`, at most `n`. */
function systemdRuns(expr: string, zone: string, from: Date, n: number): number[] {
  const out = execFileSync('systemd-analyze', [
    'calendar', `--iterations=${n}`, `--base-time=@${Math.floor(from.getTime() / 1000)}`, expr,
  ], { encoding: 'utf8', env: { ...process.env, TZ: zone, LC_ALL: 'C' } });
  const times: number[] = [];
  for (const m of out.matchAll(/\(in UTC\): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)) {
    times.push(Date.parse(`${m[1]}T${m[2]}Z`));
  }
  return times;
}

test('systemd-analyze is available in CI', { skip: inCI ? false : 'only required when CI=true' }, () => {
  assert.ok(haveSystemd, 'CI=true but systemd-analyze is not on PATH (install package systemd)');
});

for (const c of CASES.filter((r) => r.systemd)) {
  test(`systemd agrees: ${c.name} [${c.expr} | ${c.zone}]`, { skip }, () => {
    const spec = parseRun(c.expr);
    const onCal = toOnCalendar(spec);
    assert.ok(onCal, `${c.expr} is marked systemd-expressible but toOnCalendar gave null`);
    const from = new Date(c.from);
    const until = new Date(c.until);
    const ours = nextRuns(spec, { from, until, timeZone: c.zone }).map((d) => d.getTime());
    const theirs = systemdRuns(onCal!, c.zone, from, ours.length + 1).filter((t) => t > from.getTime() && t <= until.getTime());
    assert.deepEqual(theirs.map((t) => new Date(t).toISOString()), ours.map((t) => new Date(t).toISOString()), `OnCalendar=${onCal}`);
  });
}

const TRANSLATIONS: Array<[string, string | null]> = [
  ['daily at 23:05', '*-*-* 23:05:00'],
  ['Full 1st sun at 23:05', 'Sun *-*-01..07 23:05:00'],
  ['2nd-5th sun at 2:05pm', 'Sun *-*-08..31 14:05:00'],
  ['last fri at 18:00', 'Fri *-*~07/1 18:00:00'],
  ['jun last fri at 18:00', 'Fri *-06~07/1 18:00:00'],
  ['mon-sat at 23:05', 'Mon..Sat *-*-* 23:05:00'],
  ['sat-mon at 7:00', 'Mon,Sat,Sun *-*-* 07:00:00'],
  ['mon wed fri at 7:00', 'Mon,Wed,Fri *-*-* 07:00:00'],
  ['nov-feb 1 at 06:00', '*-01,02,11,12-01 06:00:00'],
  ['1-15 at 1:00', '*-*-01..15 01:00:00'],
  ['hourly at :05', '*-*-* *:05:00'],
  ['hourly at :05 at :35', '*-*-* *:05,35:00'],
  ['at 2:05 at 14:05 at 2:35 at 14:35', '*-*-* 02,14:05,35:00'],
  ['at 2:05 at 14:35', null], // not an hours x minutes grid
  ['w01 at 1:00', null],
  ['w01/w02 mon at 1:00', null],
  ['1st last sun at 1:00', null],
  ['15 last at 1:00', null],
  ['8 1st at 1:00', null], // day 8 is never in the first week: no day at all
];

for (const [expr, want] of TRANSLATIONS) {
  test(`OnCalendar for ${expr}`, () => {
    assert.equal(toOnCalendar(parseRun(expr)), want);
  });
}

test('the documented difference: systemd skips a wall time that does not exist, we run at the shift', { skip }, () => {
  const spec = parseRun('daily at 02:30');
  const from = new Date('2026-03-28T00:00Z');
  const until = new Date('2026-03-31T00:00Z');
  const iso = (ts: number[]): string[] => ts.map((t) => new Date(t).toISOString());
  const theirs = systemdRuns(toOnCalendar(spec)!, 'Europe/Berlin', from, 3).filter((t) => t <= until.getTime());
  assert.deepEqual(iso(theirs), ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  const ours = nextRuns(spec, { from, until, timeZone: 'Europe/Berlin' }).map((d) => d.getTime());
  assert.deepEqual(iso(ours), ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
});
