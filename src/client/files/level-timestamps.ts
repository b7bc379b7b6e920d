/**
 * `level_timestamps`: when the last backup of each level started (spec §6.3).
 *
 *   <level>: <ctime>            e.g. `2147483647: Wed Nov 25 12:11:18 2026`
 *
 * A key/value file in numeric order. A full backup has the level 2147483647; a
 * level-Q incremental compares with the latest entry whose level is >= Q.
 */
import { colonKey, formatEntries, parseKeyedLines, placeEntry, withSource } from '../../state/line-model.js';
import { CTIME_PATTERN } from '../../state/ctime.js';
import type { StateCodec } from '../../state/state-file.js';

/** The level of a full backup. */
export const FULL_LEVEL = 2147483647;

export interface LevelTimestamp {
  readonly level: number;
  /** ctime() text. */
  readonly time: string;
}

export interface LevelTimestamps {
  readonly entries: readonly LevelTimestamp[];
}

function canonical(e: LevelTimestamp): string {
  return `${e.level}: ${e.time}`;
}

export function empty(): LevelTimestamps {
  return { entries: [] };
}

export function parse(text: string, file: string): LevelTimestamps {
  const entries = parseKeyedLines<LevelTimestamp>(text, file, (l, fail) => {
    const level = colonKey('level', l.key, fail);
    if (!CTIME_PATTERN.test(l.value)) fail(`"${l.value}" is not a ctime() time such as "Wed Nov 25 12:11:18 2026"`);
    return { level, time: l.value };
  });
  return withSource({ entries }, text);
}

export function format(model: LevelTimestamps): string {
  return formatEntries(model, canonical);
}

export function set(model: LevelTimestamps, level: number, time: string): LevelTimestamps {
  return { entries: placeEntry(model.entries, `${level}:`, { level, time }, 'numeric', canonical) };
}

export function get(model: LevelTimestamps, level: number): string | undefined {
  return model.entries.find((e) => e.level === level)?.time;
}

export const codec: StateCodec<LevelTimestamps> = { parse, format, empty };
