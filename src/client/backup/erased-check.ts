/**
 * Step 4 of a backup and all of update_indexes (spec §6.4, §6.5): cartridges the
 * client's needed_tapes lists for a server but the server no longer keeps as
 * precious were erased (or reused) there. They are taken out of needed_tapes and
 * the index lines on them are removed from every index, from the current one
 * downwards until one is missing.
 */
import * as neededTapes from '../files/needed-tapes.js';
import * as serverIds from '../files/server-ids.js';
import { formatRanges, isEmpty, type RangeList } from '../../state/range-list.js';
import type { PolledServer } from './server-poll.js';
import { erasedTapes, removeErasedTapes } from './var-updates.js';
import { removeErasedFromIndex, type ErasedOnServer } from './erased-tapes.js';
import { indexPaths, readIndex, writeWholeIndex } from './index-store.js';
import type { ClientVarDir } from './var-dir.js';

export interface ErasedReport {
  readonly erased: readonly ErasedOnServer[];
  /** Index lines removed, per index number. */
  readonly removedLines: ReadonlyMap<number, number>;
}

export interface ErasedCheckInput {
  readonly vars: ClientVarDir;
  readonly polled: readonly PolledServer[];
  readonly indexFilePart: string;
  readonly lastNum: number | undefined;
  readonly indexCommands: { process: string; unprocess: string } | undefined;
  readonly unprocessDefault: string | undefined;
  readonly note: (text: string) => void;
}

/** Removes erased cartridges from needed_tapes and the indexes; returns what was done. */
export async function removeErasedCartridges(input: ErasedCheckInput): Promise<ErasedReport> {
  let needed = input.vars.read(input.vars.neededTapes, neededTapes.codec);
  const erased: ErasedOnServer[] = [];
  const seen = new Map<string, RangeList>();
  for (const p of input.polled) {
    const id = p.state.serverId;
    if (!id || p.state.preciousTapes === undefined) continue;
    const gone = erasedTapes(needed, id, p.state.preciousTapes);
    if (isEmpty(gone) || seen.has(id)) continue;
    seen.set(id, gone);
    erased.push({ serverId: id, tapes: gone });
    input.note(`Info: The following tapes have been erased on the server with ID ${id}: ${formatRanges(gone)}. The indexes will be updated.`);
    needed = removeErasedTapes(needed, id, gone);
  }
  const removedLines = new Map<number, number>();
  if (erased.length === 0) return { erased, removedLines };
  await input.vars.write(input.vars.neededTapes, neededTapes.codec, needed);
  const ids = input.vars.read(input.vars.serverIds, serverIds.codec);
  for (let n = input.lastNum ?? 0; n > 0; n--) {
    const existing = await readIndex(input.indexFilePart, n, input.unprocessDefault);
    if (!existing) break;
    const r = removeErasedFromIndex(existing.data, ids, erased);
    if (r.removed > 0) {
      await writeWholeIndex(indexPaths(input.indexFilePart, n), input.indexCommands, r.data);
      removedLines.set(n, r.removed);
    }
  }
  return { erased, removedLines };
}
