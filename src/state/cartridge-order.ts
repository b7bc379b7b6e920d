/**
 * `cartridge_order`: where a backup stream continues after a cartridge filled up.
 *
 *   <cart> -> <next cart> <next file>
 *
 * The key has no colon. A key/value file in numeric order; readers follow it from
 * cartridge to cartridge. An entry whose successor no longer holds that stream is
 * invalidated by setting the successor to 0, in two ways afbackup has:
 *   - when a new continuation is recorded, older entries pointing to the same
 *     cartridge at the same or a later file become `-> 0 0`;
 *   - ReuseTapes overwrites the successor's digits in place with `0` and blanks,
 *     keeping the file number (`2 -> 13 6` becomes `2 -> 0  6`); the `-> 0 0`
 *     form is available too.
 */
import { decimal, formatEntries, lineOf, parseKeyedLines, placeEntry, withSource } from './line-model.js';
import { contains, toRanges, type RangeList } from './range-list.js';
import type { StateCodec } from './state-file.js';

export interface CartSuccessor {
  readonly cart: number;
  /** 0 = no valid successor. */
  readonly next: number;
  /** null when the entry holds only the cartridge (then readers start at file 1). */
  readonly file: number | null;
}

export interface CartridgeOrder {
  readonly entries: readonly CartSuccessor[];
}

const VALUE = /^->( +)(\d+)(?:( +)(\d+))?( *)$/;

function canonical(e: CartSuccessor): string {
  return e.file === null ? `${e.cart} -> ${e.next}` : `${e.cart} -> ${e.next} ${e.file}`;
}

export function empty(): CartridgeOrder {
  return { entries: [] };
}

export function parse(text: string, file: string): CartridgeOrder {
  const entries = parseKeyedLines<CartSuccessor>(text, file, (l, fail) => {
    const cart = decimal('cart', l.key, fail);
    if (l.value.includes('\t')) fail('a TAB inside the value (afbackup separates fields by spaces)');
    const m = VALUE.exec(l.value);
    if (!m) {
      if (!l.value.startsWith('->')) fail('value does not start with "->"');
      if (/^->\s*$/.test(l.value)) fail('missing field <next cart>');
      fail('value is not "-> <next cart> <next file>"');
    }
    return {
      cart,
      next: decimal('next cart', m![2]!, fail),
      file: m![4] === undefined ? null : decimal('next file', m![4], fail),
    };
  });
  return withSource({ entries }, text);
}

export function format(model: CartridgeOrder): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<CartridgeOrder> = { parse, format, empty };

export function get(model: CartridgeOrder, cart: number): CartSuccessor | undefined {
  return model.entries.find((e) => e.cart === cart);
}

/**
 * Where reading continues after `cart`, as afserver reads it: the recorded
 * cartridge and file (file 1 when absent or not positive), or undefined when there
 * is no entry.
 */
export function continuation(model: CartridgeOrder, cart: number): { cart: number; file: number } | undefined {
  const e = get(model, cart);
  if (!e) return undefined;
  return { cart: e.next, file: e.file !== null && e.file > 0 ? e.file : 1 };
}

/**
 * Records that the stream on `cart` continues on `next` at `file`. Entries of
 * other cartridges that pointed to `next` at `file` or later are set to `-> 0 0`.
 */
export function setSuccessor(model: CartridgeOrder, cart: number, next: number, file: number): CartridgeOrder {
  let entries = [...model.entries];
  for (const e of model.entries) {
    if (e.next === next && (e.file ?? 1) >= file) {
      const stale: CartSuccessor = { cart: e.cart, next: 0, file: e.file === null ? null : 0 };
      entries = placeEntry(entries, String(e.cart), stale, 'numeric', canonical);
    }
  }
  return { entries: placeEntry(entries, String(cart), { cart, next, file }, 'numeric', canonical) };
}

/**
 * ReuseTapes: every entry whose successor is one of `tapes` gets successor 0.
 * By default this is afserver's in-place form (the old digits become `0` and
 * blanks, the file number stays: `2 -> 0  6`); `form: 'zero'` writes `-> 0 0`
 * (or `-> 0` for an entry without file) instead. Readers treat both alike.
 */
export function invalidateSuccessors(
  model: CartridgeOrder,
  tapes: RangeList | Iterable<number>,
  opts: { form?: 'in-place' | 'zero' } = {},
): CartridgeOrder {
  const list = toRanges(tapes);
  let entries = [...model.entries];
  let changed = false;
  for (const e of model.entries) {
    if (e.next === 0 || !contains(list, e.next)) continue;
    if (opts.form === 'zero') {
      const zero: CartSuccessor = { cart: e.cart, next: 0, file: e.file === null ? null : 0 };
      entries = placeEntry(entries, String(e.cart), zero, 'numeric', canonical);
      changed = true;
      continue;
    }
    const text = lineOf(e, canonical);
    const at = text.indexOf('->');
    const m = /^->( +)(\d+)/.exec(text.slice(at));
    const digitsAt = at + 2 + m![1]!.length;
    const width = m![2]!.length;
    const blanked = text.slice(0, digitsAt) + '0' + ' '.repeat(width - 1) + text.slice(digitsAt + width);
    const replacement = withSource({ cart: e.cart, next: 0, file: e.file }, blanked);
    entries = placeEntry(entries, String(e.cart), replacement, 'numeric', canonical);
    changed = true;
  }
  return changed ? { entries } : model;
}
