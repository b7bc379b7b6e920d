/**
 * How a successful backup changes the client var files (spec §6.3, §6.4 step 7),
 * as pure functions over the typed models of src/client/files:
 *
 *  - start_positions: lines of backups that fell out of the kept range
 *    (num <= current - (NumIndexesToStore + 1)) are dropped, the run's line
 *    `<num>.<part>/<numparts>: <host> <port> <cart> <file>` appended;
 *  - needed_tapes: same pruning; the item `<level>><cartridges>[@<server id>]` is
 *    appended to the line of the current number (created if missing); with -H
 *    (incremental only) items of lower levels are dropped, and when the timestamp
 *    is kept, an item of the same level directly before it too;
 *  - the cartridges the server must keep (sent as `PreciousTapes:`): the union of
 *    every item of that server (and of items without a server id);
 *  - cartridges erased on the server are removed from every item of that server.
 */
import * as neededTapes from '../files/needed-tapes.js';
import * as startPositions from '../files/start-positions.js';
import { isEmpty, subtract, union, type RangeList } from '../../state/range-list.js';

/** Backups numbered at or below this are out of the kept range. */
export function pruneLimit(num: number, numIndexesToStore: number): number {
  return num - (numIndexesToStore + 1);
}

export function updateStartPositions(
  model: startPositions.StartPositions,
  num: number,
  numIndexesToStore: number,
  entry: startPositions.StartPosition,
): startPositions.StartPositions {
  const limit = pruneLimit(num, numIndexesToStore);
  const kept = model.entries.filter((e) => e.num > limit);
  const base = kept.length === model.entries.length ? model : { entries: kept };
  return startPositions.append(base, entry);
}

export interface NeededUpdate {
  readonly num: number;
  readonly numIndexesToStore: number;
  readonly level: number;
  readonly tapes: RangeList;
  readonly serverId: string | undefined;
  /** -H: drop items of lower levels from this backup's line. */
  readonly removeLowerLevels: boolean;
  /** -H while the timestamp is kept: also drop a directly preceding item of the same level. */
  readonly removePreviousEqualLevel: boolean;
}

export function updateNeededTapes(model: neededTapes.NeededTapes, u: NeededUpdate): neededTapes.NeededTapes {
  const limit = pruneLimit(u.num, u.numIndexesToStore);
  let m: neededTapes.NeededTapes = model;
  for (const e of model.entries) if (e.num <= limit && e.num !== u.num) m = neededTapes.remove(m, e.num);
  const item: neededTapes.NeededItem = { level: u.level, tapes: u.tapes, ...(u.serverId ? { serverId: u.serverId } : {}) };
  let items = [...(neededTapes.get(m, u.num) ?? []), item];
  if (u.removeLowerLevels) items = items.filter((i) => i.level >= u.level);
  if (u.removePreviousEqualLevel && items.length >= 2 && items[items.length - 2]!.level === items[items.length - 1]!.level) {
    items.splice(items.length - 2, 1);
  }
  return neededTapes.set(m, u.num, items);
}

/** Every cartridge the backups in the file need on this server. */
export function crucialTapes(model: neededTapes.NeededTapes, serverId: string | undefined): RangeList {
  let all: RangeList = [];
  for (const e of model.entries) {
    for (const i of e.items) {
      if (i.serverId === undefined || serverId === undefined || i.serverId === serverId) all = union(all, i.tapes);
    }
  }
  return all;
}

/** The file without the cartridges `erased` of server `serverId`; items and lines left empty go. */
export function removeErasedTapes(model: neededTapes.NeededTapes, serverId: string, erased: RangeList): neededTapes.NeededTapes {
  if (isEmpty(erased)) return model;
  let m = model;
  for (const e of model.entries) {
    let changed = false;
    const items: neededTapes.NeededItem[] = [];
    for (const i of e.items) {
      if (i.serverId !== undefined && i.serverId !== serverId) {
        items.push(i);
        continue;
      }
      const left = subtract(i.tapes, erased);
      if (left.length !== i.tapes.length || left.some((r, k) => r[0] !== i.tapes[k]![0] || r[1] !== i.tapes[k]![1])) changed = true;
      if (!isEmpty(left)) items.push({ ...i, tapes: left });
    }
    if (changed) m = neededTapes.set(m, e.num, items);
  }
  return m;
}

/** The cartridges this client's needed_tapes name for the server but the server no longer keeps. */
export function erasedTapes(model: neededTapes.NeededTapes, serverId: string, serverPrecious: RangeList): RangeList {
  return subtract(crucialTapes(model, serverId), serverPrecious);
}
