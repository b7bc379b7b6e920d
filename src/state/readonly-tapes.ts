/**
 * `readonly_tapes`: cartridges the server must not write. Free text: every line is a
 * range list and the set is their union. The server rewrites it as one normalised
 * line plus a newline, so an empty set is the single byte `\n`.
 */
import { sourceOf, splitLines, withSource } from './line-model.js';
import { contains, formatRanges, readRanges, subtract, toRanges, union, type RangeList } from './range-list.js';
import { stateSyntax } from './state-errors.js';
import type { StateCodec } from './state-file.js';

export interface ReadonlyTapes {
  readonly tapes: RangeList;
}

export function empty(): ReadonlyTapes {
  return { tapes: [] };
}

export function parse(text: string, file: string): ReadonlyTapes {
  let tapes: RangeList = [];
  splitLines(text).forEach((line, i) => {
    const r = readRanges(line);
    if (!r.ok) throw stateSyntax(file, i + 1, `not a range list (${r.reason})`, line);
    tapes = union(tapes, r.ranges);
  });
  return withSource({ tapes }, text);
}

export function format(model: ReadonlyTapes): string {
  return sourceOf(model) ?? `${formatRanges(model.tapes)}\n`;
}

export const codec: StateCodec<ReadonlyTapes> = { parse, format, empty };

export function has(model: ReadonlyTapes, cart: number): boolean {
  return contains(model.tapes, cart);
}

/** TapesReadOnly message. */
export function add(model: ReadonlyTapes, tapes: RangeList | Iterable<number>): ReadonlyTapes {
  return { tapes: union(model.tapes, toRanges(tapes)) };
}

/** TapesReadWrite message. */
export function remove(model: ReadonlyTapes, tapes: RangeList | Iterable<number>): ReadonlyTapes {
  return { tapes: subtract(model.tapes, toRanges(tapes)) };
}
