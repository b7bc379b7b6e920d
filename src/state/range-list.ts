/**
 * Sets of cartridge numbers written as range lists (`1-3,5,7-`), the notation of
 * afbackup's precious_tapes, readonly_tapes and server messages.
 *
 * Reading accepts comma-separated items, whitespace-separated groups of them,
 * `a-b`, reversed `b-a`, `-b` (from the lowest valid number) and `a-` (to the
 * highest, open when no bound is given). Writing is always normalised: ascending,
 * overlapping and adjacent ranges merged, joined by commas, no blanks.
 *
 * This is a private helper of src/state; it may later be merged with src/config/ranges.ts.
 */
import { AfError } from '../errors.js';

/** One closed range; `last` is Infinity for an open end (`a-`). */
export type Range = readonly [first: number, last: number];

/** A normalised set: ascending, disjoint, non-adjacent ranges. */
export type RangeList = readonly Range[];

export interface RangeBounds {
  /** Value that `-b` starts from (afbackup: 1). */
  first?: number;
  /** Value that `a-` ends at; open (Infinity) when omitted. */
  last?: number;
}

export type RangeReadResult = { ok: true; ranges: RangeList } | { ok: false; reason: string };

const ITEM = /^(\d+)?(-)?(\d+)?$/;

/** Reads a range list; reports the first malformed item instead of guessing. */
export function readRanges(text: string, bounds: RangeBounds = {}): RangeReadResult {
  const low = bounds.first ?? 1;
  const high = bounds.last ?? Infinity;
  const found: Range[] = [];
  for (const group of text.split(/[ \t\n\v\f\r]+/)) {
    if (group === '') continue;
    for (const item of group.split(',')) {
      if (item === '') return { ok: false, reason: `empty item in "${group}"` };
      const m = ITEM.exec(item);
      if (!m || (m[1] === undefined && m[3] === undefined) || (m[2] === undefined && m[3] !== undefined)) {
        return { ok: false, reason: `"${item}" is not a number or range` };
      }
      const a = m[1] === undefined ? low : Number(m[1]);
      const b = m[2] === undefined ? a : m[3] === undefined ? high : Number(m[3]);
      if (!Number.isSafeInteger(a) || (!Number.isSafeInteger(b) && b !== Infinity)) {
        return { ok: false, reason: `"${item}" is out of range` };
      }
      found.push(a <= b ? [a, b] : [b, a]);
    }
  }
  return { ok: true, ranges: normalize(found) };
}

/** Sorts and merges ranges into the normalised form. */
export function normalize(ranges: Iterable<Range>): RangeList {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const prev = out[out.length - 1];
    if (prev && a <= prev[1] + 1) {
      if (b > prev[1]) prev[1] = b;
    } else {
      out.push([a, b]);
    }
  }
  return out.map(([a, b]) => [a, b] as const);
}

/** `1-3,5,7-` */
export function formatRanges(ranges: RangeList): string {
  return ranges
    .map(([a, b]) => (b === Infinity ? `${a}-` : a === b ? `${a}` : `${a}-${b}`))
    .join(',');
}

export function fromNumbers(numbers: Iterable<number>): RangeList {
  return normalize([...numbers].map((n) => [n, n] as const));
}

/** Accepts either a range list or plain numbers, for helper parameters. */
export function toRanges(tapes: RangeList | Iterable<number>): RangeList {
  const items = [...(tapes as Iterable<Range | number>)];
  if (items.every((x) => typeof x === 'number')) return fromNumbers(items as number[]);
  return normalize(items as Range[]);
}

export function contains(ranges: RangeList, n: number): boolean {
  return ranges.some(([a, b]) => n >= a && n <= b);
}

export function isEmpty(ranges: RangeList): boolean {
  return ranges.length === 0;
}

export function union(x: RangeList, y: RangeList): RangeList {
  return normalize([...x, ...y]);
}

/** The numbers of x that are not in y. */
export function subtract(x: RangeList, y: RangeList): RangeList {
  let rest: Range[] = [...x];
  for (const [c, d] of y) {
    const next: Range[] = [];
    for (const [a, b] of rest) {
      if (d < a || c > b) {
        next.push([a, b]);
        continue;
      }
      if (a < c) next.push([a, c - 1]);
      if (b > d) next.push([d + 1, b]);
    }
    rest = next;
  }
  return normalize(rest);
}

export function intersects(x: RangeList, y: RangeList): boolean {
  return x.some(([a, b]) => y.some(([c, d]) => a <= d && c <= b));
}

/** The member numbers in ascending order (throws on an open range). */
export function numbers(ranges: RangeList): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) {
    if (b === Infinity) throw new AfError('INTERNAL', `the open range "${a}-" has no finite list of numbers`);
    for (let n = a; n <= b; n++) out.push(n);
  }
  return out;
}
