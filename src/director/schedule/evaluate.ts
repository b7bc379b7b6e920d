/**
 * One idea: list the instants at which a RunSpec fires between two instants, computed
 * on the wall clock of one IANA time zone, with an explicit daylight-saving policy.
 *
 * Pure: the caller passes `from` (usually "now") and the zone; the clock is never read.
 *
 * Daylight-saving policy (tested with pinned zones in test/director/schedule-*.test.ts):
 *   - A wall time that does not exist (the hour skipped in spring) runs at the shift,
 *     i.e. the first instant after the gap: 02:30 on Berlin's spring day runs at
 *     03:00 CEST (01:00Z). Several times inside one gap therefore run once, at the shift.
 *   - A wall time that exists twice (the hour repeated in autumn) runs once, at its
 *     first occurrence (the one still on summer time). `hourly` in that night runs at
 *     01:MM, 02:MM (summer time), then 03:MM: the repeated hour is not run again.
 * systemd's OnCalendar differs on the first point: it skips a non-existent time.
 *
 * Week of year (`wNN`): the ISO-8601 week number (date-fns getISOWeek), except that the
 * days of January that still belong to the last ISO week of the previous year are w00
 * (Bareos' extension). So 2027-01-01..03 are w00, not w53; w53 of 2026 is 2026-12-28..31.
 * Days of late December that ISO counts as week 1 of the next year stay w01.
 *
 * Week of month: 1st = days 1-7, 2nd = 8-14, ..., 5th = 29-31; `last` = the final 7 days.
 */
import { TZDate, tzOffset } from '@date-fns/tz';
import { getISOWeek, getISOWeekYear, getDaysInMonth } from 'date-fns';
import { AfError } from '../../errors.js';
import type { RunSpec } from './run-grammar.js';

export interface RunWindow {
  /** Runs strictly after this instant ... */
  readonly from: Date;
  /** ... and at or before this one. */
  readonly until: Date;
  /** IANA zone name whose wall clock the schedule is written in. */
  readonly timeZone: string;
  /** At most this many runs (the earliest ones). Default 10000. */
  readonly limit?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const DEFAULT_LIMIT = 10_000;
/** How far nextRun looks ahead: covers Feb 29 across 2100 and weekday/date coincidences. */
const NEXT_RUN_HORIZON_DAYS = 50 * 366;

/** A calendar date (month 1..12). */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function offsetMinutes(timeZone: string, ms: number): number {
  const o = tzOffset(timeZone, new Date(ms));
  if (!Number.isFinite(o)) throw new AfError('CONFIG_SYNTAX', `unknown time zone "${timeZone}"`);
  return o;
}

/** Throws CONFIG_SYNTAX unless `timeZone` is a zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new AfError('CONFIG_SYNTAX', `unknown time zone "${timeZone}"`);
  }
  offsetMinutes(timeZone, 0);
}

/**
 * The instant of a wall-clock time in a zone, under the policy above: the earliest
 * occurrence when it exists (twice), else the first instant after the gap.
 */
export function wallTimeToInstant(date: CivilDate, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const before = offsetMinutes(timeZone, wall - DAY);
  const after = offsetMinutes(timeZone, wall + DAY);
  const hits: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    const t = wall - o * MINUTE;
    if (offsetMinutes(timeZone, t) === o) hits.push(t);
  }
  if (hits.length > 0) return new Date(Math.min(...hits));
  // Not on the wall clock that day: find the shift between the two readings, to the second.
  let lo = wall - after * MINUTE; // still on the old offset
  let hi = wall - before * MINUTE; // already on the new offset
  if (lo > hi) [lo, hi] = [hi, lo];
  const oldOffset = offsetMinutes(timeZone, lo);
  lo = Math.floor(lo / 1000);
  hi = Math.ceil(hi / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMinutes(timeZone, mid * 1000) === oldOffset) lo = mid;
    else hi = mid;
  }
  return new Date(hi * 1000);
}

/** The calendar date on the zone's wall clock at an instant. */
export function civilDateAt(instant: Date, timeZone: string): CivilDate {
  checkTimeZone(timeZone);
  const z = new TZDate(instant.getTime(), timeZone);
  return { year: z.getFullYear(), month: z.getMonth() + 1, day: z.getDate() };
}

function addDays(d: CivilDate, n: number): CivilDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

function compareDates(a: CivilDate, b: CivilDate): number {
  return (a.year - b.year) * 10000 + (a.month - b.month) * 100 + (a.day - b.day);
}

/** `wNN` of a date: ISO week, with w00 for January days still in the previous ISO year. */
export function weekOfYear(d: CivilDate): number {
  const noon = new Date(d.year, d.month - 1, d.day, 12);
  if (getISOWeekYear(noon) < d.year) return 0;
  return getISOWeek(noon);
}

/** Does the RunSpec select this calendar date (ignoring the time of day)? */
export function dayMatches(spec: RunSpec, d: CivilDate): boolean {
  if (spec.months && !spec.months.has(d.month)) return false;
  if (spec.monthDays && !spec.monthDays.has(d.day)) return false;
  if (spec.weekDays && !spec.weekDays.has(new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay())) return false;
  if (spec.weeksOfMonth) {
    const nth = Math.ceil(d.day / 7);
    const isLast = d.day + 7 > getDaysInMonth(new Date(d.year, d.month - 1, 1));
    if (!spec.weeksOfMonth.nth.has(nth) && !(spec.weeksOfMonth.last && isLast)) return false;
  }
  if (spec.weeksOfYear && !spec.weeksOfYear.has(weekOfYear(d))) return false;
  return true;
}

/** The wall-clock (hour, minute) pairs of one selected day, in order. */
function timesOfDay(spec: RunSpec): Array<[number, number]> {
  if (!spec.hourly) return spec.times.map((t) => [t.hour, t.minute]);
  const out: Array<[number, number]> = [];
  for (let h = 0; h < 24; h++) for (const m of spec.minutes) out.push([h, m]);
  return out;
}

/** All run instants in (from, until], earliest first, at most `limit` of them. */
export function nextRuns(spec: RunSpec, w: RunWindow): Date[] {
  const { from, until, timeZone } = w;
  const limit = w.limit ?? DEFAULT_LIMIT;
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) {
    throw new AfError('INTERNAL', 'nextRuns: invalid from/until date');
  }
  checkTimeZone(timeZone);
  const out: number[] = [];
  if (until.getTime() <= from.getTime() || limit <= 0) return [];
  const tod = timesOfDay(spec);
  const last = civilDateAt(until, timeZone);
  const seen = new Set<number>();
  for (let d = civilDateAt(from, timeZone); compareDates(d, last) <= 0; d = addDays(d, 1)) {
    if (!dayMatches(spec, d)) continue;
    for (const [h, m] of tod) {
      const t = wallTimeToInstant(d, h, m, timeZone).getTime();
      if (t <= from.getTime() || t > until.getTime() || seen.has(t)) continue;
      seen.add(t);
      out.push(t);
    }
    // A later day never yields an earlier instant, so a full day's worth is enough.
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => a - b).slice(0, limit).map((t) => new Date(t));
}

/** The first run strictly after `from`, or null if none within about 50 years. */
export function nextRun(spec: RunSpec, from: Date, timeZone: string): Date | null {
  const until = new Date(from.getTime() + NEXT_RUN_HORIZON_DAYS * DAY);
  return nextRuns(spec, { from, until, timeZone, limit: 1 })[0] ?? null;
}
