/**
 * afrestore --exact: the state as of the chosen backup, deletions included.
 *
 * The index's deletion lines (`#- <name>`, written by incr_backup; see
 * ../backup/deletions.ts) say a name was gone when their run started. A saved
 * version of a name counts only when no deletion of that name follows it in
 * catalog order (`seq`); with a backup-time limit (-B "…%budate"), deletions of
 * runs started at or after it are not yet known. Pure.
 */
import type { BackupRun, CatalogRecord } from './catalog.js';

const key = (name: Buffer): string => name.toString('latin1');

/** For each name, the catalog position of its latest deletion (runs started before `beforeBackup` only, when given). */
export function latestDeletions(runs: readonly BackupRun[], beforeBackup?: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of runs) {
    if (beforeBackup !== undefined && (run.backupTime === undefined || run.backupTime >= beforeBackup)) continue;
    for (const d of run.deletions) out.set(key(d.name), Math.max(d.seq, out.get(key(d.name)) ?? -1));
  }
  return out;
}

/** The records not followed by a deletion of their name. */
export function withoutDeleted(records: readonly CatalogRecord[], deletions: ReadonlyMap<string, number>): CatalogRecord[] {
  if (deletions.size === 0) return [...records];
  return records.filter((r) => (deletions.get(key(r.name)) ?? -1) < r.seq);
}

/** A name to take away after a whole restore, with the mtime of its last saved version (when the index has it). */
export interface DeletedName {
  readonly name: Buffer;
  readonly savedMtime?: number;
}

/** Names whose last event in the runs is a deletion (what a whole restore of the runs must take away again). */
export function deletedAtEnd(runs: readonly BackupRun[]): DeletedName[] {
  const saved = new Map<string, CatalogRecord>();
  for (const run of runs) {
    for (const r of run.records) {
      const prev = saved.get(key(r.name));
      if (!prev || prev.seq < r.seq) saved.set(key(r.name), r);
    }
  }
  const out = new Map<string, DeletedName>();
  for (const run of runs) {
    for (const d of run.deletions) {
      const last = saved.get(key(d.name));
      if ((last?.seq ?? -1) < d.seq) out.set(key(d.name), { name: d.name, ...(last?.mtime !== undefined ? { savedMtime: last.mtime } : {}) });
    }
  }
  return [...out.values()];
}
