/**
 * afrestore -t: the cartridges a restore of the selected records needs, per
 * server and port, as range lists (`1-3,7`). Pure.
 */
import { formatRanges, fromNumbers } from '../../state/range-list.js';
import type { CatalogRecord, Server } from './catalog.js';

export interface TapesOfServer extends Server {
  readonly cartridges: readonly number[];
}

/** Servers in order of first appearance; cartridges sorted. */
export function neededTapes(records: readonly CatalogRecord[]): TapesOfServer[] {
  const out: { host: string; port: number | string; carts: Set<number> }[] = [];
  for (const r of records) {
    let s = out.find((x) => x.host === r.host && String(x.port) === String(r.port));
    if (!s) {
      s = { host: r.host, port: r.port, carts: new Set() };
      out.push(s);
    }
    s.carts.add(r.cart);
  }
  return out.map((s) => ({ host: s.host, port: s.port, cartridges: [...s.carts].sort((a, b) => a - b) }));
}

/** One line per server: `Server <host>, port <port>: cartridges <ranges>`. */
export function formatNeededTapes(list: readonly TapesOfServer[]): string {
  return list.map((s) => `Server ${s.host}, port ${s.port}: cartridges ${formatRanges(fromNumbers(s.cartridges))}\n`).join('');
}
