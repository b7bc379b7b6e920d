/**
 * `bytes_on_tape`: how full each cartridge is.
 *
 *   <cart>: <bytes> <files> <full 0|1> <last write, epoch seconds>
 *
 * A key/value file in numeric order. afbackup rewrites a cartridge's line after
 * every tape file and when the tape fills up; label_tape writes `<label size> 0 0 <now>`.
 */
import { colonKey, decimal, formatEntries, parseKeyedLines, placeEntry, splitFields, withSource } from './line-model.js';
import { contains, toRanges, type RangeList } from './range-list.js';
import type { StateCodec } from './state-file.js';

export interface TapeBytes {
  readonly cart: number;
  readonly bytes: number;
  /** Number of tape files written (the last file number in use). */
  readonly files: number;
  readonly full: boolean;
  /** Time of the last write, Unix epoch seconds. */
  readonly lastWrite: number;
}

export interface BytesOnTape {
  readonly entries: readonly TapeBytes[];
}

const FIELDS = ['bytes', 'files', 'full 0|1', 'epoch'] as const;

function canonical(e: TapeBytes): string {
  return `${e.cart}: ${e.bytes} ${e.files} ${e.full ? 1 : 0} ${e.lastWrite}`;
}

export function empty(): BytesOnTape {
  return { entries: [] };
}

export function parse(text: string, file: string): BytesOnTape {
  const entries = parseKeyedLines<TapeBytes>(text, file, (l, fail) => {
    const cart = colonKey('cart', l.key, fail);
    const [b, f, full, t] = splitFields(l.value, FIELDS, fail);
    if (full !== '0' && full !== '1') fail(`<full 0|1> is "${full}"`);
    return {
      cart,
      bytes: decimal('bytes', b!, fail),
      files: decimal('files', f!, fail),
      full: full === '1',
      lastWrite: decimal('epoch', t!, fail),
    };
  });
  return withSource({ entries }, text);
}

export function format(model: BytesOnTape): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<BytesOnTape> = { parse, format, empty };

export function get(model: BytesOnTape, cart: number): TapeBytes | undefined {
  return model.entries.find((e) => e.cart === cart);
}

/** Writes (inserts or replaces) the line of `entry.cart`. */
export function set(model: BytesOnTape, entry: TapeBytes): BytesOnTape {
  const fresh: TapeBytes = { ...entry };
  return { entries: placeEntry(model.entries, `${entry.cart}:`, fresh, 'numeric', canonical) };
}

/** Adds `bytes` to a cartridge's count, optionally setting its file count; stamps `now`. */
export function addBytes(
  model: BytesOnTape,
  cart: number,
  bytes: number,
  opts: { files?: number; now: number },
): BytesOnTape {
  const old = get(model, cart);
  return set(model, {
    cart,
    bytes: (old?.bytes ?? 0) + bytes,
    files: opts.files ?? old?.files ?? 0,
    full: old?.full ?? false,
    lastWrite: opts.now,
  });
}

/** Marks a cartridge full (end of tape reached); stamps `now`. */
export function markFull(model: BytesOnTape, cart: number, now: number): BytesOnTape {
  const old = get(model, cart);
  return set(model, { cart, bytes: old?.bytes ?? 0, files: old?.files ?? 0, full: true, lastWrite: now });
}

/** ReuseTapes: forgets the lines of these cartridges. */
export function deleteTapes(model: BytesOnTape, tapes: RangeList | Iterable<number>): BytesOnTape {
  const list = toRanges(tapes);
  let entries = [...model.entries];
  for (const e of model.entries) {
    if (contains(list, e.cart)) entries = placeEntry(entries, `${e.cart}:`, null, 'none', canonical);
  }
  return entries.length === model.entries.length ? model : { entries };
}

export { deleteTapes as delete };
