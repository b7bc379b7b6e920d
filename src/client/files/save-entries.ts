/**
 * `save_entries`: the DirsToBackup entries of the last run, one per line (spec
 * §6.3). An entry that is new since then gets a full save during an incremental.
 * Lines are kept as Latin-1 text exactly as written.
 */
import { sourceOf, splitLines, withSource } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';

export interface SaveEntries {
  readonly entries: readonly string[];
}

export function empty(): SaveEntries {
  return { entries: [] };
}

export function parse(text: string, _file: string): SaveEntries {
  return withSource({ entries: splitLines(text) }, text);
}

export function format(model: SaveEntries): string {
  return sourceOf(model) ?? model.entries.map((e) => `${e}\n`).join('');
}

export function of(entries: Iterable<string>): SaveEntries {
  return { entries: [...entries] };
}

/** The entries of `current` that were not saved last time. */
export function newEntries(previous: SaveEntries, current: Iterable<string>): string[] {
  const old = new Set(previous.entries);
  return [...current].filter((e) => !old.has(e));
}

export const codec: StateCodec<SaveEntries> = { parse, format, empty };
