/**
 * `index_ages`: when each index file was last written (spec §6.3).
 *
 *   <num>: <epoch seconds>      e.g. `1: 1795610227`
 *
 * A key/value file in numeric order of the index numbers.
 */
import { colonKey, decimal, formatEntries, parseKeyedLines, placeEntry, splitFields, withSource } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';

export interface IndexAge {
  readonly num: number;
  readonly epoch: number;
}

export interface IndexAges {
  readonly entries: readonly IndexAge[];
}

function canonical(e: IndexAge): string {
  return `${e.num}: ${e.epoch}`;
}

export function empty(): IndexAges {
  return { entries: [] };
}

export function parse(text: string, file: string): IndexAges {
  const entries = parseKeyedLines<IndexAge>(text, file, (l, fail) => {
    const num = colonKey('num', l.key, fail);
    const [epoch] = splitFields(l.value, ['epoch'], fail);
    return { num, epoch: decimal('epoch', epoch!, fail) };
  });
  return withSource({ entries }, text);
}

export function format(model: IndexAges): string {
  return formatEntries(model, canonical);
}

export function set(model: IndexAges, num: number, epoch: number): IndexAges {
  return { entries: placeEntry(model.entries, `${num}:`, { num, epoch }, 'numeric', canonical) };
}

export function remove(model: IndexAges, num: number): IndexAges {
  return { entries: placeEntry(model.entries, `${num}:`, null, 'none', canonical) };
}

export const codec: StateCodec<IndexAges> = { parse, format, empty };
