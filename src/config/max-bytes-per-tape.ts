/**
 * Max-Bytes-Per-Tape: how many bytes the server writes to a cartridge before it
 * treats it as full, possibly different per cartridge.
 *
 * `4000000000 1,3-5:3500000000 7,9-:5000000000` means 3.5e9 for cartridges 1, 3, 4
 * and 5, 5e9 for 7 and 9 onwards, and 4e9 for all others. The default (a word
 * without a colon) may be left out; then the others are unlimited. Blanks around
 * `:` and `,` are tolerated. Sizes may carry K/M/G/T suffixes. A limit of 0
 * means unlimited, as does an empty value. When a cartridge is in several ranges,
 * the first listed wins.
 */
import { AfError } from '../errors.js';
import { type Range, parseRanges, rangesContain } from './ranges.js';
import { parseSize } from './size.js';

export interface MaxBytesRule {
  readonly ranges: readonly Range[];
  /** Bytes, or Infinity when unlimited. */
  readonly limit: number;
}

export class MaxBytesPerTape {
  constructor(
    /** Limit for cartridges no rule names; Infinity when unlimited. */
    readonly defaultLimit: number,
    readonly rules: readonly MaxBytesRule[],
  ) {}

  /** The byte limit of a cartridge (Infinity when unlimited). */
  limitFor(cartridge: number): number {
    return this.rules.find((r) => rangesContain(r.ranges, cartridge))?.limit ?? this.defaultLimit;
  }

  /** True when no cartridge has a limit. */
  get unlimited(): boolean {
    return this.defaultLimit === Infinity && this.rules.every((r) => r.limit === Infinity);
  }
}

/** Parses the value. Throws CONFIG_SYNTAX naming the bad part. */
export function parseMaxBytesPerTape(text: string): MaxBytesPerTape {
  const words = text
    .trim()
    .replace(/\s*([:,])\s*/g, '$1')
    .split(/\s+/)
    .filter((w) => w !== '');
  let defaultLimit: number | undefined;
  const rules: MaxBytesRule[] = [];
  for (const w of words) {
    const colon = w.indexOf(':');
    if (colon < 0) {
      if (defaultLimit !== undefined) {
        throw new AfError('CONFIG_SYNTAX', `Max-Bytes-Per-Tape "${text.trim()}" has two default limits`);
      }
      defaultLimit = limitOf(w, text);
      continue;
    }
    const ranges = parseRanges(w.slice(0, colon));
    if (ranges.length === 0) throw new AfError('CONFIG_SYNTAX', `"${w}" in Max-Bytes-Per-Tape names no cartridge`);
    rules.push({ ranges, limit: limitOf(w.slice(colon + 1), text) });
  }
  return new MaxBytesPerTape(defaultLimit ?? Infinity, rules);
}

/** A value where every cartridge is unlimited. */
export function unlimitedMaxBytesPerTape(): MaxBytesPerTape {
  return new MaxBytesPerTape(Infinity, []);
}

function limitOf(word: string, text: string): number {
  if (word === '') throw new AfError('CONFIG_SYNTAX', `a byte count is missing in Max-Bytes-Per-Tape "${text.trim()}"`);
  const n = parseSize(word);
  return n === 0 ? Infinity : n;
}
