/**
 * `precious_tapes`: the cartridges each client still needs for a restore; the
 * server never overwrites them.
 *
 *   <client-id> <ranges>              e.g. `testclient 1-3,5`
 *   "< * protected by admin * >" <ranges>   (cart_ctl -a n:o=no)
 *
 * A key/value file in ASCII order of the keys; client ids holding blanks are quoted.
 */
import { entryLine } from './kfile.js';
import { formatEntries, parseKeyedLines, placeEntry, withSource } from './line-model.js';
import { formatRanges, intersects, isEmpty, readRanges, subtract, toRanges, union, type RangeList } from './range-list.js';
import type { StateCodec } from './state-file.js';

/** The key under which the administrator protects cartridges. */
export const ADMIN_KEY = '< * protected by admin * >';

export interface PreciousEntry {
  readonly client: string;
  readonly tapes: RangeList;
}

export interface PreciousTapes {
  readonly entries: readonly PreciousEntry[];
}

function canonical(e: PreciousEntry): string {
  return entryLine(e.client, formatRanges(e.tapes));
}

export function empty(): PreciousTapes {
  return { entries: [] };
}

export function parse(text: string, file: string): PreciousTapes {
  const entries = parseKeyedLines<PreciousEntry>(text, file, (l, fail) => {
    const r = readRanges(l.value);
    if (!r.ok) fail(`the cartridge list is not a range list (${r.reason})`);
    if (r.ok && isEmpty(r.ranges)) fail('the cartridge list is empty');
    return { client: l.key, tapes: r.ok ? r.ranges : [] };
  });
  return withSource({ entries }, text);
}

export function format(model: PreciousTapes): string {
  return formatEntries(model, canonical);
}

export const codec: StateCodec<PreciousTapes> = { parse, format, empty };

export function get(model: PreciousTapes, client: string): RangeList | undefined {
  return model.entries.find((e) => e.client === client)?.tapes;
}

/** Every protected cartridge, of all clients and the administrator. */
export function allTapes(model: PreciousTapes): RangeList {
  return model.entries.reduce<RangeList>((acc, e) => union(acc, e.tapes), []);
}

/** PreciousTapes message: sets the client's line; an empty list deletes it. */
export function setClient(model: PreciousTapes, client: string, tapes: RangeList | Iterable<number>): PreciousTapes {
  const list = toRanges(tapes);
  if (isEmpty(list)) return deleteClient(model, client);
  return { entries: placeEntry(model.entries, client, { client, tapes: list }, 'ascii', canonical) };
}

/** DeleteClient message. */
export function deleteClient(model: PreciousTapes, client: string): PreciousTapes {
  if (!model.entries.some((e) => e.client === client)) return model;
  return { entries: placeEntry(model.entries, client, null, 'none', canonical) };
}

/** ReuseTapes: removes the cartridges from every line; lines left empty are deleted. */
export function removeTapes(model: PreciousTapes, tapes: RangeList | Iterable<number>): PreciousTapes {
  const list = toRanges(tapes);
  let m = model;
  for (const e of model.entries) {
    if (intersects(e.tapes, list)) m = setClient(m, e.client, subtract(e.tapes, list));
  }
  return m;
}

/** cart_ctl `o=no`: adds cartridges to the administrator's protection. */
export function protect(model: PreciousTapes, tapes: RangeList | Iterable<number>): PreciousTapes {
  return setClient(model, ADMIN_KEY, union(get(model, ADMIN_KEY) ?? [], toRanges(tapes)));
}
