/**
 * Range lists such as `1-3,5,7-9` (spec §4.1), kept as sorted, disjoint [lo, hi] pairs.
 *
 * Readers accept commas and/or blanks between groups, `-b` (from the first valid
 * number to b), `a-` (from a to the last valid number, or without end when no last
 * number is known) and reversed ranges (`5-3` is 3..5). Writers produce the
 * normalised ascending form: consecutive numbers collapse into `a-b` (a pair too:
 * afbackup writes `5-6`), single numbers stand alone, groups are joined by commas.
 * Cartridge, file and set lists in the state files and the configuration all use it.
 */
import { AfError } from '../errors.js';

/** An inclusive interval of non-negative integers; `hi` may be Infinity (open end). */
export type Range = readonly [lo: number, hi: number];

export interface RangeBounds {
  /** What `-b` starts from. Default 1. */
  first?: number;
  /** What `a-` runs to. Default: no end (Infinity). */
  last?: number;
}

/** Parses a range list into normalised ranges. Throws CONFIG_SYNTAX naming the bad group. */
export function parseRanges(text: string, bounds: RangeBounds = {}): Range[] {
  const first = bounds.first ?? 1;
  const last = bounds.last ?? Infinity;
  const found: Range[] = [];
  for (const group of text.split(/[\s,]+/)) {
    if (group === '') continue;
    const m = /^(\d*)(-(\d*))?$/.exec(group);
    if (!m || (m[1] === '' && (m[3] ?? '') === '')) {
      throw new AfError('CONFIG_SYNTAX', `bad range "${group}" in "${text.trim()}"`);
    }
    const a = m[1] === '' ? undefined : toNumber(m[1]!, group, text);
    if (m[2] === undefined) {
      found.push([a!, a!]);
      continue;
    }
    const b = m[3] === '' || m[3] === undefined ? undefined : toNumber(m[3], group, text);
    if (a === undefined) {
      if (b! >= first) found.push([first, b!]);
    } else if (b === undefined) {
      if (a <= last) found.push([a, last]);
    } else {
      found.push(a <= b ? [a, b] : [b, a]);
    }
  }
  return normalizeRanges(found);
}

function toNumber(digits: string, group: string, text: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) {
    throw new AfError('CONFIG_SYNTAX', `number too large in range "${group}" of "${text.trim()}"`);
  }
  return n;
}

/**
 * Formats numbers or ranges in the normalised form `1-3,5,7-9` (an open end as `7-`).
 * An empty input gives the empty string.
 */
export function formatRanges(input: Iterable<number> | readonly Range[]): string {
  const ranges = isRangeArray(input) ? normalizeRanges(input) : rangesFromNumbers(input);
  return ranges
    .map(([lo, hi]) => (lo === hi ? `${lo}` : hi === Infinity ? `${lo}-` : `${lo}-${hi}`))
    .join(',');
}

function isRangeArray(input: Iterable<number> | readonly Range[]): input is readonly Range[] {
  return Array.isArray(input) && input.length > 0 && Array.isArray(input[0]);
}

/** Ranges covering exactly the given numbers (any order, duplicates allowed). */
export function rangesFromNumbers(numbers: Iterable<number>): Range[] {
  return normalizeRanges([...numbers].map((n): Range => [n, n]));
}

/** Sorts, merges overlapping and adjacent ranges, and swaps reversed ones. */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges
    .map(([a, b]): Range => (a <= b ? [a, b] : [b, a]))
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const prev = out[out.length - 1];
    if (prev && lo <= prev[1] + 1) {
      if (hi > prev[1]) prev[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

/** Every number of the ranges, ascending. Throws INTERNAL for an open-ended range. */
export function expandRanges(ranges: readonly Range[]): number[] {
  const out: number[] = [];
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (!Number.isFinite(hi)) throw new AfError('INTERNAL', `cannot list the open range "${lo}-"`);
    for (let n = lo; n <= hi; n++) out.push(n);
  }
  return out;
}

/** True when n lies in one of the ranges. */
export function rangesContain(ranges: readonly Range[], n: number): boolean {
  return ranges.some(([lo, hi]) => (lo <= hi ? lo <= n && n <= hi : hi <= n && n <= lo));
}

/** Numbers in a or b. */
export function unionRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return normalizeRanges([...a, ...b]);
}

/** Numbers in both a and b. */
export function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const [alo, ahi] of normalizeRanges(a)) {
    for (const [blo, bhi] of normalizeRanges(b)) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return normalizeRanges(out);
}

/** Numbers in a but not in b. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let rest: Range[] = normalizeRanges(a);
  for (const [blo, bhi] of normalizeRanges(b)) {
    const next: Range[] = [];
    for (const [lo, hi] of rest) {
      if (bhi < lo || blo > hi) {
        next.push([lo, hi]);
        continue;
      }
      if (lo < blo) next.push([lo, blo - 1]);
      if (hi > bhi) next.push([bhi + 1, hi]);
    }
    rest = next;
  }
  return rest;
}

/** How many numbers the ranges hold (Infinity for an open range). */
export function countRanges(ranges: readonly Range[]): number {
  return normalizeRanges(ranges).reduce((sum, [lo, hi]) => sum + (hi - lo + 1), 0);
}
