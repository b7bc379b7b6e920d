/**
 * Which cartridge to write on next (spec §5.6): pure policy over a snapshot of the
 * media state, so it can be tested with plain values.
 *
 * A cartridge is free for a fresh start at file 1 when it belongs to the active set
 * and is neither read-only, nor precious (some client still needs it), nor already
 * written in this session. Candidates are tried in cyclic order after the current
 * cartridge. With Full Append Mode, when nothing is free, the non-full, writable
 * cartridge written most recently is continued after its last file.
 */

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
