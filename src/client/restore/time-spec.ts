/**
 * The dates afrestore accepts with -A and -B, and the `date[%budate]` form that
 * carries two of them: a limit on the file's modification time (before the `%`)
 * and a limit on the start time of the backup run (after it). Either side may be
 * missing: "12.03.2024", "%12.03.2024", "01.03 % 12.03.2024 10:00".
 *
 * Date forms (all in local time, the process's TZ):
 *   MM/DD/YYYY [hh:mm[:ss]]    US order; the year may have two digits
 *   DD.MM[.YYYY] [hh:mm[:ss]]  the year may be left off (this year) or have two digits
 *   YYYY-MM-DD[ T]hh:mm[:ss]   ISO order (ours)
 *   ctime(3) and date(1) text  "Wed Nov 25 12:37:05 2026", "Wed Nov 25 12:37:05 UTC 2026"
 *   hh:mm[:ss]                 today at that time
 *   @<epoch>                   seconds since 1970 (ours)
 * A missing time of day is 00:00. Pure: `now` is passed in. Errors are USAGE.
 */
import { AfError } from '../../errors.js';

/** Epoch seconds limits; undefined = no limit. */
export interface TimeLimit {
  /** Limit on the file's mtime (index `~<mtime>`). */
  readonly file?: number;
  /** Limit on the backup run's start time (the index `##` header). */
  readonly backup?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function fullYear(text: string | undefined, now: Date): number {
  if (text === undefined) return now.getFullYear();
  const y = Number(text);
  if (text.length <= 2) return y < 70 ? 2000 + y : 1900 + y;
  return y;
}

function clock(text: string | undefined): [number, number, number] | undefined {
  if (text === undefined || text === '') return [0, 0, 0];
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3] ?? 0);
  if (h > 23 || mi > 59 || s > 60) return undefined;
  return [h, mi, s];
}

function build(y: number, mo: number, d: number, t: [number, number, number]): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const date = new Date(y, mo - 1, d, t[0], t[1], t[2]);
  if (date.getMonth() !== mo - 1) return undefined; // 31.02 and the like
  return Math.floor(date.getTime() / 1000);
}

/** Reads one date; throws USAGE naming the text when no form fits. */
export function parseDate(input: string, now: Date = new Date()): number {
  const text = input.trim().replace(/\s+/g, ' ');
  const bad = (): never => {
    throw new AfError('USAGE', `"${input.trim()}" is not a date (try DD.MM.YYYY hh:mm, MM/DD/YYYY hh:mm or a date(1) text)`);
  };
  if (text === '') bad();
  let m: RegExpExecArray | null;
  if ((m = /^@(\d+)$/.exec(text))) return Number(m[1]);
  const [day, rest] = splitTime(text);
  const t = clock(rest);
  let r: number | undefined;
  if (t === undefined) return bad();
  if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(day))) {
    r = build(fullYear(m[3], now), Number(m[1]), Number(m[2]), t);
  } else if ((m = /^(\d{1,2})\.(\d{1,2})\.?(?:(\d{2}|\d{4}))?$/.exec(day))) {
    r = build(fullYear(m[3], now), Number(m[2]), Number(m[1]), t);
  } else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(day))) {
    r = build(Number(m[1]), Number(m[2]), Number(m[3]), t);
  } else if (day === '' && rest !== undefined) {
    r = build(now.getFullYear(), now.getMonth() + 1, now.getDate(), t);
  } else {
    r = ctimeLike(text, now);
  }
  return r ?? bad();
}

/** Splits "day time" (or "dayThh:mm") into its two parts; a lone time gives day ''. */
function splitTime(text: string): [string, string | undefined] {
  if (/^\d{1,2}:\d{2}(:\d{2})?$/.test(text)) return ['', text];
  const m = /^(\S+?)(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$/.exec(text);
  if (!m) return [text, undefined];
  return [m[1]!, m[2]];
}

/** "Wed Nov 25 12:37:05 2026", optionally with a zone word before the year, or without the weekday. */
function ctimeLike(text: string, now: Date): number | undefined {
  const words = text.split(' ');
  if (words.length > 0 && /^[A-Za-z]{3,}$/.test(words[0]!) && !MONTHS.includes(words[0]!.slice(0, 3).toLowerCase())) words.shift();
  const month = MONTHS.indexOf((words[0] ?? '').slice(0, 3).toLowerCase());
  if (month < 0 || !/^\d{1,2}$/.test(words[1] ?? '')) return undefined;
  const day = Number(words[1]);
  let t: [number, number, number] | undefined = [0, 0, 0];
  let year: string | undefined;
  for (const w of words.slice(2)) {
    if (/^\d{1,2}:\d{2}(:\d{2})?$/.test(w)) t = clock(w);
    else if (/^\d{4}$/.test(w)) year = w;
    else if (/^[A-Z]{1,5}$|^[+-]\d{4}$/.test(w)) continue; // a zone name: the local zone is used
    else return undefined;
  }
  if (t === undefined) return undefined;
  return build(fullYear(year, now), month + 1, day, t);
}

/** Reads `date[%budate]`. */
export function parseTimeLimit(text: string, now: Date = new Date()): TimeLimit {
  const at = text.indexOf('%');
  const filePart = (at < 0 ? text : text.slice(0, at)).trim();
  const backupPart = at < 0 ? '' : text.slice(at + 1).trim();
  if (filePart === '' && backupPart === '') throw new AfError('USAGE', `"${text}" gives neither a date nor a backup date`);
  return {
    ...(filePart !== '' ? { file: parseDate(filePart, now) } : {}),
    ...(backupPart !== '' ? { backup: parseDate(backupPart, now) } : {}),
  };
}

/** The epoch of an index header's ctime text ("Wed Nov 25 12:37:05 2026"), local time; undefined if unreadable. */
export function headerTime(ctime: string): number | undefined {
  return ctimeLike(ctime.trim().replace(/\s+/g, ' '), new Date());
}
