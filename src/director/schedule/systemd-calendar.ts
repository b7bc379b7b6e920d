/**
 * One idea: state a RunSpec as a systemd OnCalendar expression when systemd's calendar
 * language can say the same thing, and return null when it cannot.
 *
 * Expressible: weekday sets, month sets, day-of-month sets (including modulo days and
 * `1st`..`5th`, which are day ranges 1-7, 8-14, ...), `last` alone (`~07/1`, the last
 * seven days), `hourly` minutes, and times of day that form a full hours x minutes grid.
 * Not expressible: ISO weeks (`wNN`, week modulo), `last` mixed with other day limits,
 * time lists that are not a grid.
 *
 * The two agree on calendar days and wall times, but not at daylight-saving gaps:
 * systemd skips a wall time that does not exist, we run it at the shift (evaluate.ts).
 */
import type { RunSpec } from './run-grammar.js';

const SD_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Sorted numbers as systemd list items, runs of three or more as `a..b`. */
function list(values: number[], show: (n: number) => string): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < v.length; ) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${show(v[i]!)}..${show(v[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(show(v[k]!));
    i = j + 1;
  }
  return parts.join(',');
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

/** The OnCalendar expression equal to `spec` (away from DST gaps), or null. */
export function toOnCalendar(spec: RunSpec): string | null {
  if (spec.weeksOfYear) return null;

  // Day of month.
  let dayPart: string;
  const wom = spec.weeksOfMonth;
  const monthPart = spec.months ? list([...spec.months], pad) : '*';
  if (wom && wom.last) {
    if (wom.nth.size > 0 || spec.monthDays) return null;
    dayPart = `${monthPart}~07/1`;
  } else {
    let days: number[] | null = spec.monthDays ? [...spec.monthDays] : null;
    if (wom) {
      const allowed = new Set([...wom.nth].flatMap((n) => range(n * 7 - 6, Math.min(n * 7, 31))));
      days = (days ?? range(1, 31)).filter((d) => allowed.has(d));
    }
    if (days && days.length === 0) return null;
    dayPart = `${monthPart}-${days && days.length < 31 ? list(days, pad) : '*'}`;
  }

  // Time of day.
  let timePart: string;
  if (spec.hourly) {
    timePart = `*:${list([...spec.minutes], pad)}:00`;
  } else {
    const hours = [...new Set(spec.times.map((t) => t.hour))];
    const minutes = [...new Set(spec.times.map((t) => t.minute))];
    if (hours.length * minutes.length !== spec.times.length) return null;
    timePart = `${list(hours, pad)}:${list(minutes, pad)}:00`;
  }

  // Weekdays, Monday first as systemd orders them; wrapping sets become plain lists.
  let dow = '';
  if (spec.weekDays && spec.weekDays.size < 7) {
    const mondayFirst = [...spec.weekDays].map((d) => (d + 6) % 7);
    dow = list(mondayFirst, (i) => SD_WEEKDAYS[(i + 1) % 7]!) + ' ';
  }
  return `${dow}*-${dayPart} ${timePart}`;
}
