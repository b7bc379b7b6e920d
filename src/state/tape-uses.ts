/**
 * `tape_uses`: how many times each cartridge has become full.
 *
 *   <cart>: <count>
 *
 * A key/value file in numeric order; afserver adds one when a tape fills up.
 */
import { colonKey, decimal, formatEntries, parseKeyedLines, placeEntry, splitFields, withSource } from './line-model.js';
import type { StateCodec } from './state-file.js';

export interface TapeUse {
  readonly cart: number;
  readonly uses: number;
}

export interface TapeUses {
  readonly entries: readonly TapeUse[];
}

function canonical(e: TapeUse): string {
  return `${e.cart}: ${e.uses}`;
}

export function empty(): TapeUses {
  return { entries: [] };
}

export function parse(text: string, file: string): TapeUses {
  const entries = parseKeyedLines<TapeUse>(text, file, (l, fail) => {
    const cart = colonKey('cart', l.key, fail);
    const [n] = splitFields(l.value, ['count'], fail);
    return { cart, uses: decimal('count', n!, fail) };
  });
  return withSource({ entries }, text);
}

export function format(model: TapeUses): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<TapeUses> = { parse, format, empty };

/** Times the cartridge became full (0 when it has no line). */
export function get(model: TapeUses, cart: number): number {
  return model.entries.find((e) => e.cart === cart)?.uses ?? 0;
}

export function set(model: TapeUses, cart: number, uses: number): TapeUses {
  return { entries: placeEntry(model.entries, `${cart}:`, { cart, uses }, 'numeric', canonical) };
}

/** One more time full. */
export function increment(model: TapeUses, cart: number): TapeUses {
  return set(model, cart, get(model, cart) + 1);
}
