/**
 * `cartridge_names` (cart_ctl -t, -iN, -N): barcode and description of cartridges.
 *
 *   <cart>: <barcode word, or "" when none> <free text description>
 *
 * A key/value file in ASCII order of the keys (so `10:` sorts before `3:`, as
 * afbackup writes it). A barcode holding blanks is quoted.
 */
import { quoteWord, scanWord, isBlank } from './kfile.js';
import { colonKey, formatEntries, parseKeyedLines, placeEntry, withSource } from './line-model.js';
import type { StateCodec } from './state-file.js';

export interface CartName {
  readonly cart: number;
  /** '' when the cartridge has no barcode. */
  readonly barcode: string;
  readonly description: string;
}

export interface CartridgeNames {
  readonly entries: readonly CartName[];
}

function canonical(e: CartName): string {
  return `${e.cart}: ${quoteWord(e.barcode)} ${e.description}`;
}

export function empty(): CartridgeNames {
  return { entries: [] };
}

export function parse(text: string, file: string): CartridgeNames {
  const entries = parseKeyedLines<CartName>(text, file, (l, fail) => {
    const cart = colonKey('cart', l.key, fail);
    const w = scanWord(l.value);
    if (!w) return { cart, barcode: '', description: '' };
    let rest = w.end;
    while (rest < l.value.length && isBlank(l.value[rest])) rest++;
    return { cart, barcode: w.word, description: l.value.slice(rest) };
  });
  return withSource({ entries }, text);
}

export function format(model: CartridgeNames): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<CartridgeNames> = { parse, format, empty };

export function get(model: CartridgeNames, cart: number): CartName | undefined {
  return model.entries.find((e) => e.cart === cart);
}

export function set(model: CartridgeNames, entry: CartName): CartridgeNames {
  return { entries: placeEntry(model.entries, `${entry.cart}:`, { ...entry }, 'ascii', canonical) };
}

/** Sets the barcode, keeping the description. */
export function setBarcode(model: CartridgeNames, cart: number, barcode: string): CartridgeNames {
  return set(model, { cart, barcode, description: get(model, cart)?.description ?? '' });
}

/** Sets the description, keeping the barcode. */
export function setDescription(model: CartridgeNames, cart: number, description: string): CartridgeNames {
  return set(model, { cart, barcode: get(model, cart)?.barcode ?? '', description });
}

export function remove(model: CartridgeNames, cart: number): CartridgeNames {
  if (!model.entries.some((e) => e.cart === cart)) return model;
  return { entries: placeEntry(model.entries, `${cart}:`, null, 'none', canonical) };
}
