/**
 * One idea: turn the text of one Bareos-style `Run =` value into a typed RunSpec
 * (per-line overrides plus day masks and times of day), refusing anything unclear.
 *
 * Meaning of a RunSpec (the "mask" model): every day field starts as "any"; each word
 * of one kind adds to that kind's set, and the kinds are intersected. `mon 1` is a
 * day that is both Monday and the 1st. Words we accept (case-insensitive):
 *
 *   Full | Incremental | Differential   bare level word (only before the first date/time word)
 *   Level=L  Pool=P  FullPool=P  IncrementalPool=P  DifferentialPool=P
 *   CartridgeSet=N  Storage=S  Messages=M  Accurate=yes|no  SpoolData=yes|no
 *   at HH:MM | at H:MMam|pm   a time of day (24 h; 12am = 00:MM, 12pm = 12:MM); repeatable
 *   hourly [at :MM | at 0:MM]  every hour at minute MM (default :00)
 *   daily | weekly | monthly   every day | Sundays | the 1st of the month (our reading)
 *   mon..sun, monday..sunday   weekday; ranges `mon-fri`, wrapping `sat-mon`
 *   1st..5th, first..fifth     week of month (days 1-7, 8-14, ...); ranges `2nd-5th`, `2nd-last`
 *   last                       the last 7 days of the month (so `last fri` = last Friday)
 *   jan..dec, january..        month; ranges `jan-mar`, wrapping `nov-feb`
 *   1..31 (optionally `on 1`)  day of month; ranges `1-15` (ascending); a month without it has no run
 *   w00..w53                   week of year (ISO-8601 numbering; w00 = days of January before ISO week 1)
 *   a/b                        day-of-month modulo: days a, a+b, a+2b, ... (`1/2` odd, `2/2` even days)
 *   wAA/wBB                    week modulo: weeks AA, AA+BB, ... up to 53 (`w01/w02` odd weeks)
 *   on                         filler word, ignored; commas separate words like spaces
 *
 * A line with no `at` time and no `hourly` is refused (Bareos would run it every hour).
 * Errors are AfError CONFIG_SYNTAX naming the word and its column (1-based).
 */
import { AfError } from '../../errors.js';

export type Level = 'Full' | 'Incremental' | 'Differential';

export interface RunOverrides {
  level?: Level;
  pool?: string;
  fullPool?: string;
  incrementalPool?: string;
  differentialPool?: string;
  /** afbackup cartridge set number (1-based). */
  cartridgeSet?: number;
  storage?: string;
  messages?: string;
  accurate?: boolean;
  spoolData?: boolean;
}

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

export interface RunSpec {
  /** The text as given. */
  readonly source: string;
  readonly overrides: RunOverrides;
  /** true: every hour of the day, at each minute in `minutes`. */
  readonly hourly: boolean;
  /** Minutes past the hour for hourly runs (sorted, at least one when hourly). */
  readonly minutes: readonly number[];
  /** Times of day (sorted, unique) for non-hourly runs. */
  readonly times: readonly TimeOfDay[];
  /** Months 1..12, or null for every month. */
  readonly months: ReadonlySet<number> | null;
  /** Days of month 1..31, or null for every day. */
  readonly monthDays: ReadonlySet<number> | null;
  /** Weekdays 0 = Sunday .. 6 = Saturday, or null for every weekday. */
  readonly weekDays: ReadonlySet<number> | null;
  /** Weeks of month 1..5 (days 1-7, 8-14, ...) plus `last`, or null for any. */
  readonly weeksOfMonth: { readonly nth: ReadonlySet<number>; readonly last: boolean } | null;
  /** Weeks of year 0..53 (see the file comment for w00), or null for every week. */
  readonly weeksOfYear: ReadonlySet<number> | null;
}

interface Token {
  readonly text: string;
  /** 1-based column in the source. */
  readonly col: number;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_LONG = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const ORDINALS: Record<string, number> = {
  '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5,
};
const LEVELS: Record<string, Level> = { full: 'Full', incremental: 'Incremental', differential: 'Differential' };

/** Splits into words; `-`, `/` and `=` are words of their own, commas and blanks separate. */
function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === ',') { i++; continue; }
    if (c === '-' || c === '/' || c === '=') { out.push({ text: c, col: i + 1 }); i++; continue; }
    let j = i;
    while (j < source.length && !' \t,-/='.includes(source[j]!)) j++;
    out.push({ text: source.slice(i, j), col: i + 1 });
    i = j;
  }
  return out;
}

type ItemKind = 'weekday' | 'month' | 'mday' | 'wom' | 'woy';

interface Item {
  kind: ItemKind;
  /** numeric value in the kind's own numbering; wom `last` is 6 */
  value: number;
}

function classify(word: string): Item | null {
  const w = word.toLowerCase();
  let k = WEEKDAYS.indexOf(w);
  if (k < 0) k = WEEKDAY_LONG.indexOf(w);
  if (k >= 0) return { kind: 'weekday', value: k };
  k = MONTHS.indexOf(w);
  if (k < 0) k = MONTH_LONG.indexOf(w);
  if (k >= 0) return { kind: 'month', value: k + 1 };
  if (Object.hasOwn(ORDINALS, w)) return { kind: 'wom', value: ORDINALS[w]! };
  if (w === 'last') return { kind: 'wom', value: 6 };
  if (/^\d{1,2}$/.test(w)) return { kind: 'mday', value: Number(w) };
  if (/^w\d{2}$/.test(w)) return { kind: 'woy', value: Number(w.slice(1)) };
  return null;
}

function itemInRange(it: Item): boolean {
  switch (it.kind) {
    case 'mday': return it.value >= 1 && it.value <= 31;
    case 'woy': return it.value >= 0 && it.value <= 53;
    default: return true;
  }
}

/** Parses one `Run =` value. Throws AfError CONFIG_SYNTAX. */
export function parseRun(source: string): RunSpec {
  const toks = tokenize(source);
  const fail = (msg: string, tok?: Token): never => {
    const where = tok ? ` at column ${tok.col}` : '';
    throw new AfError('CONFIG_SYNTAX', `Run "${source}": ${msg}${where}`);
  };
  const overrides: RunOverrides = {};
  let hourly = false;
  const minutes = new Set<number>();
  const times = new Map<number, TimeOfDay>();
  const sets: Record<ItemKind, Set<number> | null> = { weekday: null, month: null, mday: null, wom: null, woy: null };
  let seenDateTime = false;
  /** `at :MM` tokens: legal on hourly lines only. */
  const minuteOnly: Token[] = [];

  const add = (kind: ItemKind, v: number): void => {
    (sets[kind] ??= new Set()).add(v);
  };

  let i = 0;
  const peek = (off = 0): Token | undefined => toks[i + off];

  while (i < toks.length) {
    const tok = toks[i]!;
    const lower = tok.text.toLowerCase();

    // key=value override
    if (peek(1)?.text === '=') {
      const valTok = peek(2);
      if (!valTok || valTok.text === '=' || valTok.text === '-' || valTok.text === '/') fail(`"${tok.text}=" needs a value`, tok);
      applyOverride(overrides, tok, valTok!, fail);
      i += 3;
      continue;
    }
    if (tok.text === '=' || tok.text === '-' || tok.text === '/') fail(`unexpected "${tok.text}"`, tok);

    if (Object.hasOwn(LEVELS, lower)) {
      if (seenDateTime) fail(`level word "${tok.text}" must come before the date and time`, tok);
      if (overrides.level !== undefined) fail(`second level "${tok.text}"`, tok);
      overrides.level = LEVELS[lower]!;
      i++;
      continue;
    }
    seenDateTime = true;

    if (lower === 'on') { i++; continue; }
    if (lower === 'hourly') { hourly = true; i++; continue; }
    if (lower === 'daily') { i++; continue; }
    if (lower === 'weekly') { add('weekday', 0); i++; continue; }
    if (lower === 'monthly') { add('mday', 1); i++; continue; }
    if (lower === 'at') {
      const t = peek(1);
      if (!t) fail('"at" needs a time HH:MM', tok);
      let text = t!.text;
      let used = 2;
      const suffix = peek(2)?.text.toLowerCase();
      if ((suffix === 'am' || suffix === 'pm') && !/[ap]m$/i.test(text)) { text += suffix; used = 3; }
      const parsed = parseTime(text);
      if (!parsed) fail(`"${t!.text}" is not a time HH:MM`, t);
      const { hour, minute } = parsed!;
      if (hour === null) {
        minutes.add(minute);
        minuteOnly.push(t!);
      } else {
        times.set(hour * 60 + minute, { hour, minute });
      }
      i += used;
      continue;
    }

    const item = classify(tok.text);
    if (!item) fail(`unknown word "${tok.text}"`, tok);
    if (!itemInRange(item!)) fail(`"${tok.text}" is out of range`, tok);
    const op = peek(1)?.text;
    if (op === '-' || op === '/') {
      if (op === '/' && item!.kind !== 'mday' && item!.kind !== 'woy') {
        fail(`modulo "${tok.text}/…" is only for days of month (1/2) and weeks (w01/w02)`, tok);
      }
      const endTok = peek(2);
      const end = endTok ? classify(endTok.text) : null;
      if (endTok && !end && !'-/='.includes(endTok.text)) fail(`unknown word "${endTok.text}"`, endTok);
      if (endTok && end && end.kind === item!.kind && !itemInRange(end)) fail(`"${endTok.text}" is out of range`, endTok);
      if (!endTok || !end || end.kind !== item!.kind) {
        fail(`"${tok.text}${op}" must be followed by a ${item!.kind === 'wom' ? 'week of month' : item!.kind === 'woy' ? 'week wNN' : item!.kind === 'mday' ? 'day of month' : item!.kind}`, endTok ?? tok);
      }
      if (op === '-') addRange(item!, end!, add, fail, tok);
      else addModulo(item!, end!, add, fail, tok);
      i += 3;
      continue;
    }
    add(item!.kind, item!.value);
    i++;
  }

  // minute-only times (`at :05`) are for hourly lines only; `at 0:MM` with hourly means minute MM
  if (minuteOnly.length > 0 && !hourly) {
    const t = minuteOnly[0]!;
    fail(`"${t.text}" gives only minutes; use "hourly at :MM" or a full HH:MM`, t);
  }
  if (hourly) {
    for (const t of times.values()) {
      if (t.hour !== 0) {
        fail(`"hourly" takes only minutes ("at :${pad(t.minute)}" or "at 0:${pad(t.minute)}"), not ${t.hour}:${pad(t.minute)}`);
      }
      minutes.add(t.minute);
    }
    times.clear();
    if (minutes.size === 0) minutes.add(0);
  } else if (times.size === 0) {
    fail('no time of day: add "at HH:MM" (or "hourly"); a Run without a time is not run every hour');
  }

  const wom = sets.wom;
  return {
    source,
    overrides,
    hourly,
    minutes: [...minutes].sort((a, b) => a - b),
    times: [...times.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]),
    months: sets.month,
    monthDays: sets.mday,
    weekDays: sets.weekday,
    weeksOfMonth: wom ? { nth: new Set([...wom].filter((v) => v <= 5)), last: wom.has(6) } : null,
    weeksOfYear: sets.woy,
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `HH:MM`, `H:MMam`, `:MM` (hour null). */
function parseTime(text: string): { hour: number | null; minute: number } | null {
  const m = /^(\d{1,2})?:(\d{2})([ap]m)?$/i.exec(text);
  if (!m) return null;
  const minute = Number(m[2]);
  if (minute > 59) return null;
  if (m[1] === undefined) return m[3] ? null : { hour: null, minute };
  let hour = Number(m[1]);
  if (m[3]) {
    if (hour < 1 || hour > 12) return null;
    const pm = m[3].toLowerCase() === 'pm';
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (hour > 23) {
    return null;
  }
  return { hour, minute };
}

function addRange(
  a: Item, b: Item,
  add: (k: ItemKind, v: number) => void,
  fail: (msg: string, tok?: Token) => never,
  tok: Token,
): void {
  if (a.kind === 'weekday' || a.kind === 'month') {
    // cyclic: sat-mon, nov-feb
    const size = a.kind === 'weekday' ? 7 : 12;
    const base = a.kind === 'weekday' ? 0 : 1;
    let v = a.value;
    for (;;) {
      add(a.kind, v);
      if (v === b.value) break;
      v = ((v - base + 1) % size) + base;
    }
    return;
  }
  if (a.kind === 'wom' && a.value === 6) fail('a week-of-month range cannot start at "last"', tok);
  if (b.value < a.value) fail(`range "${tok.text}-…" goes backwards`, tok);
  for (let v = a.value; v <= b.value; v++) add(a.kind, v);
}

function addModulo(
  a: Item, b: Item,
  add: (k: ItemKind, v: number) => void,
  fail: (msg: string, tok?: Token) => never,
  tok: Token,
): void {
  const step = b.value;
  if (step < 1) fail(`modulo "${tok.text}/…" needs a step of at least 1`, tok);
  if (a.value > step && !(a.kind === 'woy' && a.value === 0)) fail(`modulo "${tok.text}/…": the start must not exceed the step`, tok);
  const max = a.kind === 'mday' ? 31 : 53;
  for (let v = a.value; v <= max; v += step) add(a.kind, v);
}

function applyOverride(
  o: RunOverrides, keyTok: Token, valTok: Token,
  fail: (msg: string, tok?: Token) => never,
): void {
  const key = keyTok.text.toLowerCase();
  const val = valTok.text;
  const yesNo = (): boolean => {
    const v = val.toLowerCase();
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    return fail(`"${keyTok.text}=" takes yes or no, not "${val}"`, valTok);
  };
  const once = (field: keyof RunOverrides): void => {
    if (o[field] !== undefined) fail(`"${keyTok.text}" given twice`, keyTok);
  };
  switch (key) {
    case 'level': {
      once('level');
      const l = Object.hasOwn(LEVELS, val.toLowerCase()) ? LEVELS[val.toLowerCase()] : undefined;
      if (!l) fail(`unknown level "${val}" (Full, Incremental, Differential)`, valTok);
      o.level = l;
      return;
    }
    case 'pool': once('pool'); o.pool = val; return;
    case 'fullpool': once('fullPool'); o.fullPool = val; return;
    case 'incrementalpool': once('incrementalPool'); o.incrementalPool = val; return;
    case 'differentialpool': once('differentialPool'); o.differentialPool = val; return;
    case 'storage': once('storage'); o.storage = val; return;
    case 'messages': once('messages'); o.messages = val; return;
    case 'accurate': once('accurate'); o.accurate = yesNo(); return;
    case 'spooldata': once('spoolData'); o.spoolData = yesNo(); return;
    case 'cartridgeset': {
      once('cartridgeSet');
      if (!/^\d+$/.test(val) || Number(val) < 1) fail(`cartridge set "${val}" is not a number from 1 up`, valTok);
      o.cartridgeSet = Number(val);
      return;
    }
    default:
      fail(`unknown override "${keyTok.text}="`, keyTok);
  }
}
