/**
 * Sets of cartridge numbers written as range lists (`1-3,5,7-`), the notation of
 * afbackup's precious_tapes, readonly_tapes and server messages.
 *
 * Reading accepts comma-separated items, whitespace-separated groups of them,
 * `a-b`, reversed `b-a`, `-b` (from the lowest valid number) and `a-` (to the
 * highest, open when no bound is given). Writing is always normalised: ascending,
 * overlapping and adjacent ranges merged, joined by commas, no blanks.
 *
 * The set arithmetic is config/ranges.ts's; this module adds the strict reader that
 * state files need (a malformed item is reported, never skipped) and the names the
 * state modules use.
 */
import {
  expandRanges,
  formatRanges as formatConfigRanges,
  intersectRanges,
  normalizeRanges,
  rangesContain,
  rangesFromNumbers,
  subtractRanges,
  unionRanges,
} from '../config/ranges.js';

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
  return normalizeRanges([...ranges]);
}

/** `1-3,5,7-` */
export function formatRanges(ranges: RangeList): string {
  return formatConfigRanges(ranges);
}

export function fromNumbers(numbers: Iterable<number>): RangeList {
  return rangesFromNumbers(numbers);
}

/** Accepts either a range list or plain numbers, for helper parameters. */
export function toRanges(tapes: RangeList | Iterable<number>): RangeList {
  const items = [...(tapes as Iterable<Range | number>)];
  if (items.every((x) => typeof x === 'number')) return fromNumbers(items as number[]);
  return normalize(items as Range[]);
}

export function contains(ranges: RangeList, n: number): boolean {
  return rangesContain(ranges, n);
}

export function isEmpty(ranges: RangeList): boolean {
  return ranges.length === 0;
}

export function union(x: RangeList, y: RangeList): RangeList {
  return unionRanges(x, y);
}

/** The numbers of x that are not in y. */
export function subtract(x: RangeList, y: RangeList): RangeList {
  return subtractRanges(x, y);
}

export function intersects(x: RangeList, y: RangeList): boolean {
  return intersectRanges(x, y).length > 0;
}

/** The member numbers in ascending order (throws on an open range). */
export function numbers(ranges: RangeList): number[] {
  return expandRanges(ranges);
}
