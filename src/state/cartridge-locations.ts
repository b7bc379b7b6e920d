/**
 * `cartridge_locations` (cart_ctl): where each cartridge is.
 *
 *   <cart>: <changer device> <drive|slot|loadport> <n>
 *   <cart>: <free text>            (a place outside any changer)
 *
 * A key/value file in numeric order. A value of exactly three words whose second
 * is a place name and third a number is a changer location; anything else is text.
 */
import { colonKey, formatEntries, parseKeyedLines, placeEntry, withSource } from './line-model.js';
import type { StateCodec } from './state-file.js';

export type ChangerPlace = 'drive' | 'slot' | 'loadport';

export type CartLocation =
  | { readonly kind: 'changer'; readonly changer: string; readonly place: ChangerPlace; readonly index: number }
  | { readonly kind: 'external'; readonly text: string };

export interface LocationEntry {
  readonly cart: number;
  readonly location: CartLocation;
}

export interface CartridgeLocations {
  readonly entries: readonly LocationEntry[];
}

function placeOf(word: string): ChangerPlace | null {
  if (/^drive$/i.test(word)) return 'drive';
  if (/^slot$/i.test(word)) return 'slot';
  if (/^load[-_]?(port|bay)$/i.test(word)) return 'loadport';
  return null;
}

function canonical(e: LocationEntry): string {
  const l = e.location;
  return l.kind === 'changer' ? `${e.cart}: ${l.changer} ${l.place} ${l.index}` : `${e.cart}: ${l.text}`;
}

export function empty(): CartridgeLocations {
  return { entries: [] };
}

/** Classifies a location value the way cart_ctl does. */
export function readLocation(value: string): CartLocation {
  const words = value.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');
  const place = words.length === 3 ? placeOf(words[1]!) : null;
  if (place && /^\d+$/.test(words[2]!)) {
    return { kind: 'changer', changer: words[0]!, place, index: Number(words[2]) };
  }
  return { kind: 'external', text: value };
}

export function parse(text: string, file: string): CartridgeLocations {
  const entries = parseKeyedLines<LocationEntry>(text, file, (l, fail) => ({
    cart: colonKey('cart', l.key, fail),
    location: readLocation(l.value),
  }));
  return withSource({ entries }, text);
}

export function format(model: CartridgeLocations): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<CartridgeLocations> = { parse, format, empty };

export function get(model: CartridgeLocations, cart: number): CartLocation | undefined {
  return model.entries.find((e) => e.cart === cart)?.location;
}

export function set(model: CartridgeLocations, cart: number, location: CartLocation): CartridgeLocations {
  return { entries: placeEntry(model.entries, `${cart}:`, { cart, location }, 'numeric', canonical) };
}

/** Location unknown: the line goes. */
export function remove(model: CartridgeLocations, cart: number): CartridgeLocations {
  if (!model.entries.some((e) => e.cart === cart)) return model;
  return { entries: placeEntry(model.entries, `${cart}:`, null, 'none', canonical) };
}
