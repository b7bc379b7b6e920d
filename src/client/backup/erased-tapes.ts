/**
 * Removing the lines of erased cartridges from an index (spec §6.4 step 4, what
 * update_indexes does). Pure over the decompressed index bytes.
 *
 * An entry (or run section line) whose `<server>%<port>` maps, through
 * server_ids, to a server with erased cartridges and whose cartridge is one of
 * them is dropped. The entry line just before a dropped one goes too when it
 * names a server: that file may have been continued on the erased cartridge.
 * Lines without a server part, headers and comments stay.
 */
import { formatIndex, parseIndex, type IndexLine } from '../files/index-file.js';
import type { ServerIds } from '../files/server-ids.js';
import { contains, isEmpty, type RangeList } from '../../state/range-list.js';
import { DEFAULT_PORT } from '../../config/client-config.js';

export interface ErasedOnServer {
  readonly serverId: string;
  readonly tapes: RangeList;
}

function serverIdOf(ids: ServerIds, host: string, port: number | string | undefined): string | undefined {
  const p = typeof port === 'number' ? port : Number(port);
  const exact = ids.entries.find((e) => e.host === host && e.port === p);
  if (exact) return exact.serverId;
  // server_ids writes -1 for "the default port"; the index names the port used.
  if (p === DEFAULT_PORT) return ids.entries.find((e) => e.host === host && e.port === -1)?.serverId;
  return undefined;
}

export interface FilterResult {
  readonly data: Buffer;
  readonly removed: number;
}

export function removeErasedFromIndex(index: Buffer, ids: ServerIds, erased: readonly ErasedOnServer[]): FilterResult {
  const active = erased.filter((e) => !isEmpty(e.tapes));
  if (active.length === 0) return { data: index, removed: 0 };
  const parsed = parseIndex(index);
  const out: IndexLine[] = [];
  let held: IndexLine | undefined;
  let removed = 0;
  for (const line of parsed.lines) {
    let drop = false;
    let named = false;
    if ((line.kind === 'entry' || line.kind === 'section') && line.server !== undefined) {
      const id = serverIdOf(ids, line.server, line.port);
      if (id !== undefined) {
        named = true;
        drop = active.some((e) => e.serverId === id && contains(e.tapes, line.cart));
      }
    }
    if (drop) {
      if (held) removed++;
      held = undefined;
      removed++;
      continue;
    }
    if (held) out.push(held);
    held = undefined;
    if (named) held = line;
    else out.push(line);
  }
  if (held) out.push(held);
  if (removed === 0) return { data: index, removed: 0 };
  return { data: formatIndex({ lines: out, finalNewline: parsed.finalNewline }), removed };
}
