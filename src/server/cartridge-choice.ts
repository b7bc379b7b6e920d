/**
 * Which cartridge to write on next (spec §5.6): pure policy over a snapshot of the
 * media state, so it can be tested with plain values.
 *
 * A cartridge is free for a fresh start at file 1 when it belongs to the active set
 * and is neither read-only, nor precious (some client still needs it), nor already
 * written in this session. Candidates are tried in cyclic order after the current
 * cartridge. With Full Append Mode, when nothing is free, the non-full, writable
 * cartridge written most recently is continued after its last file.
 *
 * Also which element of a media changer holds a cartridge, from the changer's
 * inventory and the records (cartridge_locations, cartridge_names): afserver's own
 * loads and cart_ctl use the same rule.
 */
import type { Element } from '../device/tape-drive.js';
import * as locations from '../state/cartridge-locations.js';
import type { CartridgeLocations, ChangerPlace } from '../state/cartridge-locations.js';
import * as names from '../state/cartridge-names.js';
import type { CartridgeNames } from '../state/cartridge-names.js';

export interface TapeRecord {
  /** Bytes on the tape, label included. */
  bytes: number;
  /** Number of data files (label not counted). */
  files: number;
  full: boolean;
  /** Epoch seconds of the last write. */
  lastWrite: number;
}

export interface MediaSnapshot {
  /** Cartridges of the active set, ascending. */
  setCartridges: number[];
  readonly: ReadonlySet<number>;
  precious: ReadonlySet<number>;
  writtenThisSession: ReadonlySet<number>;
  tapes: ReadonlyMap<number, TapeRecord>;
  fullAppendMode: boolean;
}

export interface WriteTarget {
  cartridge: number;
  /** Logical file to start at (1 = erase and label). */
  file: number;
}

/** True when `cart` may be started afresh at file 1. */
export function isFreeForRestart(s: MediaSnapshot, cart: number): boolean {
  return !s.readonly.has(cart) && !s.precious.has(cart) && !s.writtenThisSession.has(cart);
}

/**
 * The next cartridge to continue on after `current` (or the first of the set when
 * current is null). Returns null when nothing may be written.
 */
export function chooseNextCartridge(s: MediaSnapshot, current: number | null): WriteTarget | null {
  const carts = s.setCartridges;
  if (carts.length === 0) return null;
  const start = current === null ? -1 : carts.indexOf(current);
  for (let i = 1; i <= carts.length; i++) {
    const cart = carts[(start + i + carts.length) % carts.length]!;
    if (cart === current) continue;
    if (isFreeForRestart(s, cart)) return { cartridge: cart, file: 1 };
  }
  if (!s.fullAppendMode) return null;
  let best: { cart: number; rec: TapeRecord } | null = null;
  for (const cart of carts) {
    const rec = s.tapes.get(cart);
    if (!rec || rec.full || rec.files === 0 || s.readonly.has(cart) || cart === current) continue;
    if (!best || rec.lastWrite > best.rec.lastWrite) best = { cart, rec };
  }
  return best ? { cartridge: best.cart, file: best.rec.files + 1 } : null;
}

/**
 * Checks the recorded insert position before a write starts. A read-only cartridge,
 * or a restart at file 1 of a precious cartridge or one written in this session,
 * moves on to the next cartridge.
 */
export function resolveInsertPosition(s: MediaSnapshot, pos: WriteTarget): WriteTarget | null {
  const blocked = s.readonly.has(pos.cartridge) || (pos.file === 1 && (s.precious.has(pos.cartridge) || s.writtenThisSession.has(pos.cartridge)));
  const full = s.tapes.get(pos.cartridge)?.full === true && pos.file > 1;
  if (!blocked && !full) return pos;
  return chooseNextCartridge(s, pos.cartridge);
}

// ---------------------------------------------------------------- cartridges in a changer

/**
 * The records that say which element of a changer holds which cartridge:
 * cartridge_locations and cartridge_names (barcodes). Shared by afserver's own
 * loads and cart_ctl, so both find a cartridge the same way.
 */
export interface ChangerRecords {
  locations: CartridgeLocations;
  names: CartridgeNames;
}

/** The cartridge number a barcode stands for: its first run of digits (AF0003L9 is 3). */
export function cartridgeOfBarcode(barcode: string): number | null {
  const m = /\d+/.exec(barcode);
  const n = m ? Number(m[0]) : 0;
  return n > 0 ? n : null;
}

function kindOfPlace(place: ChangerPlace): Element['kind'] {
  return place === 'loadport' ? 'ioport' : place;
}

/** The cartridge_locations place word of an element kind. */
export function placeOfElement(kind: Element['kind']): ChangerPlace {
  return kind === 'ioport' ? 'loadport' : kind;
}

/** The cartridge recorded at element `e` of `changer` in cartridge_locations, if any. */
function recordedAt(e: Element, rec: ChangerRecords, changer: string): number | null {
  const loc = rec.locations.entries.find(
    (l) => l.location.kind === 'changer' && l.location.changer === changer && kindOfPlace(l.location.place) === e.kind && l.location.index === e.number,
  );
  return loc ? loc.cart : null;
}

/**
 * The cartridge a full element holds, if it can be told. A barcode is the physical
 * truth: the cartridge cartridge_names gives it to, else its number. Without one, the
 * cartridge cartridge_locations records at that element of `changer`, else, for a
 * drive, the slot it came from (slot n holding cartridge n).
 */
export function cartridgeInElement(e: Element, rec: ChangerRecords, changer: string): number | null {
  if (!e.full) return null;
  if (e.barcode !== undefined) {
    const named = rec.names.entries.find((n) => n.barcode === e.barcode);
    if (named) return named.cart;
    const n = cartridgeOfBarcode(e.barcode);
    if (n !== null) return n;
  }
  const recorded = recordedAt(e, rec, changer);
  if (recorded !== null) return recorded;
  if (e.kind === 'drive' && e.barcode === undefined && e.sourceSlot !== undefined) return e.sourceSlot;
  return null;
}

/**
 * The element that holds cartridge `cart`, in this order: its cartridge_locations
 * entry for `changer` (when that element is full and its barcode, if any, does not
 * say it is another cartridge), else the element whose barcode cartridge_names
 * records for it, else an element whose barcode stands for `cart` (cartridgeInElement),
 * else slot `cart` when it is full, has no barcode and no other cartridge is recorded
 * there, else a drive without barcode loaded from slot `cart`. Null: not in the changer.
 */
export function elementOfCartridge(cart: number, inv: readonly Element[], rec: ChangerRecords, changer: string): Element | null {
  const loc = locations.get(rec.locations, cart);
  if (loc?.kind === 'changer' && loc.changer === changer) {
    const e = inv.find((x) => x.kind === kindOfPlace(loc.place) && x.number === loc.index);
    if (e?.full && (e.barcode === undefined || cartridgeInElement(e, rec, changer) === cart)) return e;
  }
  const barcode = names.get(rec.names, cart)?.barcode;
  if (barcode) {
    const e = inv.find((x) => x.full && x.barcode === barcode);
    if (e) return e;
  }
  const byBarcode = inv.find((x) => x.full && x.barcode !== undefined && cartridgeInElement(x, rec, changer) === cart);
  if (byBarcode) return byBarcode;
  const free = (x: Element) => [cart, null].includes(recordedAt(x, rec, changer));
  const slot = inv.find((x) => x.kind === 'slot' && x.number === cart);
  if (slot?.full && slot.barcode === undefined && free(slot)) return slot;
  return inv.find((x) => x.kind === 'drive' && x.full && x.barcode === undefined && x.sourceSlot === cart && free(x)) ?? null;
}
