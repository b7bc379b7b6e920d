/**
 * One idea: the value kinds of the director configuration — durations, yes/no,
 * counts, ports and comma lists — read from text, each refusing what it cannot read
 * with a short reason (the caller adds file, line and word).
 *
 * Durations: a plain number is seconds; otherwise number+unit groups, blanks
 * optional, added up: `1 hour`, `30 min`, `2 days`, `1h30m`, `1 day 12 hours`.
 * Units: s sec secs second seconds | m min mins minute minutes | h hour hours |
 * d day days | w week weeks | mon month months (30 days) | y year years (365 days).
 * Note: unlike Bareos, a bare `m` means minutes here (so `1h30m` reads as expected);
 * months are `mon`/`month`.
 */

const UNIT_SECONDS: Record<string, number> = {};
function units(seconds: number, ...names: string[]): void {
  for (const n of names) UNIT_SECONDS[n] = seconds;
}
units(1, 's', 'sec', 'secs', 'second', 'seconds');
units(60, 'm', 'min', 'mins', 'minute', 'minutes');
units(3600, 'h', 'hr', 'hrs', 'hour', 'hours');
units(86_400, 'd', 'day', 'days');
units(7 * 86_400, 'w', 'week', 'weeks');
units(30 * 86_400, 'mon', 'month', 'months');
units(365 * 86_400, 'y', 'year', 'years');

/** Result of a reader: the value, or why the text is not one. */
export type Read<T> = { ok: true; value: T } | { ok: false; why: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const no = <T>(why: string): Read<T> => ({ ok: false, why });

/** Whole seconds of a duration text. */
export function readDuration(text: string): Read<number> {
  const t = text.trim();
  if (/^\d+$/.test(t)) return ok(Number(t));
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/giy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const unit = m[2]!.toLowerCase();
    const f = UNIT_SECONDS[unit];
    if (f === undefined) return no(`unknown time unit "${m[2]}"`);
    total += Number(m[1]) * f;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) return no('not a duration such as "30 min", "2 days" or "1h30m"');
  const secs = Math.round(total);
  if (!Number.isSafeInteger(secs)) return no('duration is too long');
  return ok(secs);
}

/** yes/no, true/false, on/off, 1/0. */
export function readYesNo(text: string): Read<boolean> {
  const v = text.trim().toLowerCase();
  if (v === 'yes' || v === 'true' || v === 'on' || v === '1') return ok(true);
  if (v === 'no' || v === 'false' || v === 'off' || v === '0') return ok(false);
  return no('expected yes or no');
}

/** A whole number within [min, max]. */
export function readInt(text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): Read<number> {
  const v = text.trim();
  if (!/^\d+$/.test(v)) return no('not a whole number');
  const n = Number(v);
  if (n < min || n > max) return no(`must be from ${min} to ${max}`);
  return ok(n);
}

/** Comma-separated entries with blanks trimmed; empty entries refused. */
export function readList(text: string): Read<string[]> {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) return no('empty entry in a comma list');
  return ok(parts);
}
