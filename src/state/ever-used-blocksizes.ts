/**
 * `ever_used_blocksizes`: every tape block size seen in a label, tried first when
 * reading an unknown tape.
 *
 *   <size>␠        (the key alone, then one space: a key/value line with an empty value)
 *
 * A key/value file in numeric order. A line without the trailing space is still
 * read (afbackup's list reader accepts it) and kept as it is.
 */
import { decimal, formatEntries, parseKeyedLines, placeEntry, withSource } from './line-model.js';
import type { StateCodec } from './state-file.js';

export interface BlocksizeEntry {
  readonly size: number;
}

export interface EverUsedBlocksizes {
  readonly entries: readonly BlocksizeEntry[];
}

function canonical(e: BlocksizeEntry): string {
  return `${e.size} `;
}

export function empty(): EverUsedBlocksizes {
  return { entries: [] };
}

export function parse(text: string, file: string): EverUsedBlocksizes {
  const entries = parseKeyedLines<BlocksizeEntry>(
    text,
    file,
    (l, fail) => {
      const size = decimal('size', l.key, fail);
      if (l.value !== '') fail(`unexpected text "${l.value}" after the block size`);
      return { size };
    },
    { allowEmptyValue: true },
  );
  return withSource({ entries }, text);
}

export function format(model: EverUsedBlocksizes): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<EverUsedBlocksizes> = { parse, format, empty };

/** Block sizes in file order. */
export function sizes(model: EverUsedBlocksizes): number[] {
  return model.entries.map((e) => e.size);
}

/** Records a block size (no change when it is already listed). */
export function add(model: EverUsedBlocksizes, size: number): EverUsedBlocksizes {
  if (model.entries.some((e) => e.size === size)) return model;
  return { entries: placeEntry(model.entries, String(size), { size }, 'numeric', canonical) };
}
