/**
 * Restore groups: the selected records split by where they are on tape (server,
 * port, cartridge, tape file), one afclient run each. Groups come in the order
 * their first record has in the catalog, which is the order the backups were
 * written (the full backup before its incrementals), so a later version of a
 * file is restored after, and over, an earlier one. Pure.
 */
import { samePosition, type CatalogRecord, type TapePosition } from './catalog.js';

export interface RestoreGroup extends TapePosition {
  readonly records: readonly CatalogRecord[];
}

export function groupByTapeFile(records: readonly CatalogRecord[]): RestoreGroup[] {
  const groups: { pos: TapePosition; first: number; records: CatalogRecord[] }[] = [];
  for (const r of records) {
    let g = groups.find((x) => samePosition(x.pos, r));
    if (!g) {
      g = { pos: { host: r.host, port: r.port, cart: r.cart, file: r.file }, first: r.seq, records: [] };
      groups.push(g);
    }
    g.records.push(r);
    g.first = Math.min(g.first, r.seq);
  }
  return groups.sort((a, b) => a.first - b.first).map((g) => ({ ...g.pos, records: g.records }));
}
