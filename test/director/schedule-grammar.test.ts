/**
 * One idea: the `Run =` parser, checked as tables: what each accepted line means, and
 * the CONFIG_SYNTAX error (word and column) for each refused line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRun, type RunSpec } from '../../src/director/schedule/run-grammar.js';
import { isAfError } from '../../src/errors.js';

/** A RunSpec flattened to plain arrays for deepEqual. */
function plain(s: RunSpec): Record<string, unknown> {
  const arr = (x: ReadonlySet<number> | null): number[] | null => (x ? [...x].sort((a, b) => a - b) : null);
  return {
    overrides: s.overrides,
    hourly: s.hourly,
    minutes: [...s.minutes],
    times: s.times.map((t) => `${t.hour}:${String(t.minute).padStart(2, '0')}`),
    months: arr(s.months),
    monthDays: arr(s.monthDays),
    weekDays: arr(s.weekDays),
    weeksOfMonth: s.weeksOfMonth ? { nth: arr(s.weeksOfMonth.nth), last: s.weeksOfMonth.last } : null,
    weeksOfYear: arr(s.weeksOfYear),
  };
}

const base: Record<string, unknown> = {
  overrides: {}, hourly: false, minutes: [], times: [], months: null, monthDays: null,
  weekDays: null, weeksOfMonth: null, weeksOfYear: null,
};

/** Line -> the fields that differ from `base`. */
const ACCEPTED: Array<[string, Record<string, unknown>]> = [
  ['at 23:05', { times: ['23:05'] }],
  ['daily at 2:05', { times: ['2:05'] }],
  ['Full 1st sun at 23:05', { overrides: { level: 'Full' }, times: ['23:05'], weekDays: [0], weeksOfMonth: { nth: [1], last: false } }],
  ['Level=Full Pool=Monthly 1st sun at 2:05', { overrides: { level: 'Full', pool: 'Monthly' }, times: ['2:05'], weekDays: [0], weeksOfMonth: { nth: [1], last: false } }],
  ['level = incremental CartridgeSet=2 mon-sat at 2:05', { overrides: { level: 'Incremental', cartridgeSet: 2 }, times: ['2:05'], weekDays: [1, 2, 3, 4, 5, 6] }],
  ['Differential FullPool=F IncrementalPool=I DifferentialPool=D Storage=Tape Messages=Std Accurate=yes SpoolData=no sun at 1:00',
    { overrides: { level: 'Differential', fullPool: 'F', incrementalPool: 'I', differentialPool: 'D', storage: 'Tape', messages: 'Std', accurate: true, spoolData: false }, times: ['1:00'], weekDays: [0] }],
  ['2nd-5th sun at 2:05', { times: ['2:05'], weekDays: [0], weeksOfMonth: { nth: [2, 3, 4, 5], last: false } }],
  ['second-last Sunday at 2:05', { times: ['2:05'], weekDays: [0], weeksOfMonth: { nth: [2, 3, 4, 5], last: true } }],
  ['last fri at 21:00', { times: ['21:00'], weekDays: [5], weeksOfMonth: { nth: [], last: true } }],
  ['sat-mon at 7:00', { times: ['7:00'], weekDays: [0, 1, 6] }],
  ['MONDAY, Wednesday at 7:00', { times: ['7:00'], weekDays: [1, 3] }],
  ['jan-mar 1 at 0:00', { times: ['0:00'], months: [1, 2, 3], monthDays: [1] }],
  ['nov-feb on 15 at 0:00', { times: ['0:00'], months: [1, 2, 11, 12], monthDays: [15] }],
  ['December 24-26 at 0:00', { times: ['0:00'], months: [12], monthDays: [24, 25, 26] }],
  ['1/2 at 1:00', { times: ['1:00'], monthDays: Array.from({ length: 16 }, (_, i) => 2 * i + 1) }],
  ['2/2 at 1:00', { times: ['1:00'], monthDays: Array.from({ length: 15 }, (_, i) => 2 * i + 2) }],
  ['w01/w02 at 1:00', { times: ['1:00'], weeksOfYear: Array.from({ length: 27 }, (_, i) => 2 * i + 1) }],
  ['w03/w05 at 1:00', { times: ['1:00'], weeksOfYear: [3, 8, 13, 18, 23, 28, 33, 38, 43, 48, 53] }],
  ['w00/w02 at 1:00', { times: ['1:00'], weeksOfYear: Array.from({ length: 27 }, (_, i) => 2 * i) }],
  ['w52-w53 w00 at 1:00', { times: ['1:00'], weeksOfYear: [0, 52, 53] }],
  ['hourly', { hourly: true, minutes: [0] }],
  ['hourly at :30', { hourly: true, minutes: [30] }],
  ['hourly at 0:05 at 0:35', { hourly: true, minutes: [5, 35] }],
  ['weekly at 1:00', { times: ['1:00'], weekDays: [0] }],
  ['monthly at 1:00', { times: ['1:00'], monthDays: [1] }],
  ['at 14:05 at 2:05', { times: ['2:05', '14:05'] }],
];

for (const [src, want] of ACCEPTED) {
  test(`Run accepted: ${src}`, () => {
    assert.deepEqual(plain(parseRun(src)), { ...base, ...want });
  });
}

test('12-hour clock: 12am is 00:MM, 12pm is 12:MM, the suffix may stand apart', () => {
  const t = (s: string): string[] => plain(parseRun(s)).times as string[];
  assert.deepEqual(t('at 12:05am'), ['0:05']);
  assert.deepEqual(t('at 12:05pm'), ['12:05']);
  assert.deepEqual(t('at 1:05PM'), ['13:05']);
  assert.deepEqual(t('at 11:59 pm'), ['23:59']);
});

const REFUSED: Array<[string, RegExp]> = [
  ['mon-fri', /no time of day/],
  ['daily', /no time of day/],
  ['Full mon', /no time of day/],
  ['Level=Full', /no time of day/],
  ['', /no time of day/],
  ['tomorrow at 1:00', /unknown word "tomorrow" at column 1/],
  ['mon-fry at 1:00', /unknown word "fry" at column 5/],
  ['at 25:00', /"25:00" is not a time HH:MM at column 4/],
  ['at 1:60', /"1:60" is not a time/],
  ['at 13:00pm', /"13:00pm" is not a time/],
  ['at', /"at" needs a time HH:MM at column 1/],
  ['at :05', /gives only minutes.*at column 4/],
  ['hourly at 2:05', /"hourly" takes only minutes/],
  ['w54 at 1:00', /"w54" is out of range at column 1/],
  ['32 at 1:00', /"32" is out of range/],
  ['0 at 1:00', /"0" is out of range/],
  ['15-1 at 1:00', /goes backwards at column 1/],
  ['mon-jan at 1:00', /"mon-" must be followed by a weekday/],
  ['sun/2 at 1:00', /modulo .* only for days of month/],
  ['5/2 at 1:00', /start must not exceed the step/],
  ['last-2nd sun at 1:00', /cannot start at "last"/],
  ['mon at 1:00 Full', /level word "Full" must come before/],
  ['Full Incremental at 1:00', /second level "Incremental" at column 6/],
  ['Level=Full Level=Full at 1:00', /"Level" given twice at column 12/],
  ['Levl=Full at 1:00', /unknown override "Levl=" at column 1/],
  ['Level=Weekly at 1:00', /unknown level "Weekly"/],
  ['CartridgeSet=x at 1:00', /cartridge set "x" is not a number/],
  ['Accurate=maybe at 1:00', /takes yes or no/],
  ['Pool= at 1:00', /unknown word "1:00" at column 10/], // `Pool=at`, then a stray time
  ['- at 1:00', /unexpected "-" at column 1/],
  ['constructor at 1:00', /unknown word "constructor"/],
  ['Level=toString at 1:00', /unknown level "toString"/],
];

for (const [src, re] of REFUSED) {
  test(`Run refused: ${JSON.stringify(src)}`, () => {
    assert.throws(() => parseRun(src), (e: unknown) => {
      assert.ok(isAfError(e, 'CONFIG_SYNTAX'), `expected CONFIG_SYNTAX, got ${String(e)}`);
      assert.match((e as Error).message, re);
      return true;
    });
  });
}
