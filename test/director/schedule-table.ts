/**
 * One idea: the shared table of schedule cases (expression, zone, window -> expected
 * run instants), used by the evaluator test and, for rows marked `systemd`, by the
 * cross-check against `systemd-analyze calendar`.
 *
 * Expected instants are wall time with the zone's offset, minutes precision:
 * '2026-03-29T03:00+02:00'. `systemd: false` marks rows systemd cannot state (ISO weeks)
 * or where its daylight-saving policy differs from ours (times inside a skipped or
 * repeated hour): those rows are checked against our policy only.
 */
import { TZDate } from '@date-fns/tz';

export interface ScheduleCase {
  readonly name: string;
  readonly expr: string;
  readonly zone: string;
  /** exclusive */
  readonly from: string;
  /** inclusive */
  readonly until: string;
  readonly expect: readonly string[];
  /** compare with systemd-analyze (grammar expressible and no DST ambiguity) */
  readonly systemd: boolean;
}

const B = 'Europe/Berlin';
const NY = 'America/New_York';

export const CASES: readonly ScheduleCase[] = [
  // --- DST days, a time well away from the shift: all four agree with systemd
  { name: 'Berlin spring, 23:05', expr: 'daily at 23:05', zone: B, from: '2026-03-27T12:00Z', until: '2026-03-31T00:00Z',
    expect: ['2026-03-27T23:05+01:00', '2026-03-28T23:05+01:00', '2026-03-29T23:05+02:00', '2026-03-30T23:05+02:00'], systemd: true },
  { name: 'Berlin autumn, 23:05', expr: 'daily at 23:05', zone: B, from: '2026-10-23T12:00Z', until: '2026-10-27T00:00Z',
    expect: ['2026-10-23T23:05+02:00', '2026-10-24T23:05+02:00', '2026-10-25T23:05+01:00', '2026-10-26T23:05+01:00'], systemd: true },
  { name: 'New York spring, 23:05', expr: 'daily at 23:05', zone: NY, from: '2026-03-07T12:00Z', until: '2026-03-10T12:00Z',
    expect: ['2026-03-07T23:05-05:00', '2026-03-08T23:05-04:00', '2026-03-09T23:05-04:00'], systemd: true },
  { name: 'New York autumn, 23:05', expr: 'daily at 23:05', zone: NY, from: '2026-10-31T12:00Z', until: '2026-11-03T12:00Z',
    expect: ['2026-10-31T23:05-04:00', '2026-11-01T23:05-05:00', '2026-11-02T23:05-05:00'], systemd: true },

  // --- inside the skipped hour: runs at the shift (systemd would skip the day)
  { name: 'Berlin spring, 02:30 does not exist', expr: 'daily at 02:30', zone: B, from: '2026-03-28T00:00Z', until: '2026-03-31T00:00Z',
    expect: ['2026-03-28T02:30+01:00', '2026-03-29T03:00+02:00', '2026-03-30T02:30+02:00'], systemd: false },
  { name: 'New York spring, 02:30 does not exist', expr: 'daily at 02:30', zone: NY, from: '2026-03-07T00:00Z', until: '2026-03-10T00:00Z',
    expect: ['2026-03-07T02:30-05:00', '2026-03-08T03:00-04:00', '2026-03-09T02:30-04:00'], systemd: false },
  // --- inside the repeated hour: runs once, first occurrence (summer time)
  { name: 'Berlin autumn, 02:30 exists twice', expr: 'daily at 02:30', zone: B, from: '2026-10-24T00:00Z', until: '2026-10-27T00:00Z',
    expect: ['2026-10-24T02:30+02:00', '2026-10-25T02:30+02:00', '2026-10-26T02:30+01:00'], systemd: false },
  { name: 'New York autumn, 01:30 exists twice', expr: 'daily at 01:30', zone: NY, from: '2026-10-31T12:00Z', until: '2026-11-02T12:00Z',
    expect: ['2026-11-01T01:30-04:00', '2026-11-02T01:30-05:00'], systemd: false },
  { name: 'hourly through the Berlin autumn night: repeated hour once', expr: 'hourly at :15', zone: B, from: '2026-10-24T22:00Z', until: '2026-10-25T03:00Z',
    expect: ['2026-10-25T00:15+02:00', '2026-10-25T01:15+02:00', '2026-10-25T02:15+02:00', '2026-10-25T03:15+01:00'], systemd: false },
  { name: 'hourly through the Berlin spring night: 02:15 runs at the shift', expr: 'hourly at :15', zone: B, from: '2026-03-28T23:00Z', until: '2026-03-29T03:00Z',
    expect: ['2026-03-29T00:15+01:00', '2026-03-29T01:15+01:00', '2026-03-29T03:00+02:00', '2026-03-29T03:15+02:00', '2026-03-29T04:15+02:00'], systemd: false },

  // --- hourly on a plain day (Bareos' own form `at 0:MM`)
  { name: 'hourly at 0:05', expr: 'hourly at 0:05', zone: B, from: '2026-06-01T00:00Z', until: '2026-06-01T04:00Z',
    expect: ['2026-06-01T02:05+02:00', '2026-06-01T03:05+02:00', '2026-06-01T04:05+02:00', '2026-06-01T05:05+02:00'], systemd: true },

  // --- week of month
  { name: '1st sun over a year', expr: 'Full 1st sun at 23:05', zone: B, from: '2026-01-01T00:00Z', until: '2027-01-01T00:00Z',
    expect: ['2026-01-04T23:05+01:00', '2026-02-01T23:05+01:00', '2026-03-01T23:05+01:00', '2026-04-05T23:05+02:00',
      '2026-05-03T23:05+02:00', '2026-06-07T23:05+02:00', '2026-07-05T23:05+02:00', '2026-08-02T23:05+02:00',
      '2026-09-06T23:05+02:00', '2026-10-04T23:05+02:00', '2026-11-01T23:05+01:00', '2026-12-06T23:05+01:00'], systemd: true },
  { name: 'last fri at month ends', expr: 'last fri at 18:00', zone: B, from: '2026-01-01T00:00Z', until: '2026-08-01T00:00Z',
    expect: ['2026-01-30T18:00+01:00', '2026-02-27T18:00+01:00', '2026-03-27T18:00+01:00', '2026-04-24T18:00+02:00',
      '2026-05-29T18:00+02:00', '2026-06-26T18:00+02:00', '2026-07-31T18:00+02:00'], systemd: true },
  { name: '2nd-5th sun, 12-hour clock', expr: 'Level=Differential 2nd-5th sun at 2:05pm', zone: B, from: '2026-03-01T00:00Z', until: '2026-04-01T00:00Z',
    expect: ['2026-03-08T14:05+01:00', '2026-03-15T14:05+01:00', '2026-03-22T14:05+01:00', '2026-03-29T14:05+02:00'], systemd: true },

  // --- weekdays
  { name: 'mon-sat', expr: 'Incremental mon-sat at 23:05', zone: NY, from: '2026-06-07T00:00Z', until: '2026-06-14T12:00Z',
    expect: ['2026-06-06T23:05-04:00', '2026-06-08T23:05-04:00', '2026-06-09T23:05-04:00', '2026-06-10T23:05-04:00',
      '2026-06-11T23:05-04:00', '2026-06-12T23:05-04:00', '2026-06-13T23:05-04:00'], systemd: true },
  { name: 'wrapping weekday range sat-mon', expr: 'sat-mon at 07:00', zone: B, from: '2026-06-01T00:00Z', until: '2026-06-09T00:00Z',
    expect: ['2026-06-01T07:00+02:00', '2026-06-06T07:00+02:00', '2026-06-07T07:00+02:00', '2026-06-08T07:00+02:00'], systemd: true },
  { name: 'two times a day, weekdays', expr: 'mon-fri at 02:05 at 14:05', zone: B, from: '2026-06-05T00:00Z', until: '2026-06-09T00:00Z',
    expect: ['2026-06-05T02:05+02:00', '2026-06-05T14:05+02:00', '2026-06-08T02:05+02:00', '2026-06-08T14:05+02:00'], systemd: true },
  { name: 'weekly = Sundays', expr: 'weekly at 10:00', zone: B, from: '2026-06-01T00:00Z', until: '2026-06-15T00:00Z',
    expect: ['2026-06-07T10:00+02:00', '2026-06-14T10:00+02:00'], systemd: true },
  { name: 'monthly = the 1st', expr: 'monthly at 10:00', zone: B, from: '2026-06-15T00:00Z', until: '2026-09-15T00:00Z',
    expect: ['2026-07-01T10:00+02:00', '2026-08-01T10:00+02:00', '2026-09-01T10:00+02:00'], systemd: true },

  // --- days of month, month ends, leap days
  { name: 'Feb 29: only in the leap year', expr: '29 feb at 12:00', zone: B, from: '2026-01-01T00:00Z', until: '2029-01-01T00:00Z',
    expect: ['2028-02-29T12:00+01:00'], systemd: true },
  { name: 'day 29 in a non-leap Feb', expr: 'on 29 at 12:00', zone: B, from: '2027-01-15T00:00Z', until: '2027-04-01T00:00Z',
    expect: ['2027-01-29T12:00+01:00', '2027-03-29T12:00+02:00'], systemd: true },
  { name: 'day 29 in a leap Feb', expr: 'on 29 at 12:00', zone: B, from: '2028-01-15T00:00Z', until: '2028-04-01T00:00Z',
    expect: ['2028-01-29T12:00+01:00', '2028-02-29T12:00+01:00', '2028-03-29T12:00+02:00'], systemd: true },
  { name: 'day 30 skips Feb of a leap year', expr: '30 at 12:00', zone: B, from: '2028-01-15T00:00Z', until: '2028-04-15T00:00Z',
    expect: ['2028-01-30T12:00+01:00', '2028-03-30T12:00+02:00'], systemd: true },
  { name: 'day 31 only in long months', expr: '31 at 12:00', zone: B, from: '2027-01-15T00:00Z', until: '2027-06-15T00:00Z',
    expect: ['2027-01-31T12:00+01:00', '2027-03-31T12:00+02:00', '2027-05-31T12:00+02:00'], systemd: true },
  { name: 'odd days 1/2 across a month end', expr: '1/2 at 12:00', zone: B, from: '2026-01-27T00:00Z', until: '2026-02-04T00:00Z',
    expect: ['2026-01-27T12:00+01:00', '2026-01-29T12:00+01:00', '2026-01-31T12:00+01:00', '2026-02-01T12:00+01:00', '2026-02-03T12:00+01:00'], systemd: true },
  { name: 'even days 2/2', expr: '2/2 at 12:00', zone: B, from: '2026-01-27T00:00Z', until: '2026-02-04T00:00Z',
    expect: ['2026-01-28T12:00+01:00', '2026-01-30T12:00+01:00', '2026-02-02T12:00+01:00'], systemd: true },

  // --- months
  { name: 'month range wrapping the year', expr: 'nov-feb 1 at 06:00', zone: B, from: '2026-06-01T00:00Z', until: '2027-06-01T00:00Z',
    expect: ['2026-11-01T06:00+01:00', '2026-12-01T06:00+01:00', '2027-01-01T06:00+01:00', '2027-02-01T06:00+01:00'], systemd: true },

  // --- ISO weeks (systemd has none)
  { name: 'w53 in 2026 (ISO 2026 has week 53); Jan 2027 days are w00', expr: 'w53 at 01:00', zone: B, from: '2026-12-20T00:00Z', until: '2027-01-10T00:00Z',
    expect: ['2026-12-28T01:00+01:00', '2026-12-29T01:00+01:00', '2026-12-30T01:00+01:00', '2026-12-31T01:00+01:00'], systemd: false },
  { name: 'w53 in 2027: none', expr: 'w53 at 01:00', zone: B, from: '2027-01-01T00:00Z', until: '2028-01-01T00:00Z',
    expect: [], systemd: false },
  { name: 'w00 = Jan days before ISO week 1', expr: 'w00 at 01:00', zone: B, from: '2026-12-20T00:00Z', until: '2027-01-10T00:00Z',
    expect: ['2027-01-01T01:00+01:00', '2027-01-02T01:00+01:00', '2027-01-03T01:00+01:00'], systemd: false },
  { name: 'odd weeks w01/w02', expr: 'w01/w02 mon at 12:00', zone: B, from: '2026-01-01T00:00Z', until: '2026-03-01T00:00Z',
    expect: ['2026-01-12T12:00+01:00', '2026-01-26T12:00+01:00', '2026-02-09T12:00+01:00', '2026-02-23T12:00+01:00'], systemd: false },
  { name: 'even weeks w00/w02', expr: 'w00/w02 mon at 12:00', zone: B, from: '2026-01-01T00:00Z', until: '2026-03-01T00:00Z',
    expect: ['2026-01-05T12:00+01:00', '2026-01-19T12:00+01:00', '2026-02-02T12:00+01:00', '2026-02-16T12:00+01:00'], systemd: false },
  { name: 'week range', expr: 'w02-w03 fri at 12:00', zone: NY, from: '2026-01-01T00:00Z', until: '2026-03-01T00:00Z',
    expect: ['2026-01-09T12:00-05:00', '2026-01-16T12:00-05:00'], systemd: false },
];

/** An instant as the table writes it: zone wall time to the minute, with offset. */
export function wallIso(d: Date, zone: string): string {
  return new TZDate(d.getTime(), zone).toISOString().replace(/:00\.000(?=[+-]|Z)/, '');
}
