/**
 * Reading the catalog a restore works on: which index files (the current backup
 * number from `num`, else the highest index file; -<n>; with time limits the
 * older ones within the scan limits), read and unprocessed, turned into runs.
 */
import { AfError } from '../../errors.js';
import { catalogOf, type BackupRun } from './catalog.js';
import { chooseIndexes, listIndexFiles, readCurrentNumber, readIndexFile, type IndexFileRef } from './index-files.js';
import type { RestoreSetup } from './setup.js';

export interface CatalogRequest {
  readonly back: number;
  readonly timeLimited: boolean;
  readonly maxCount?: number;
  readonly maxDays?: number;
  readonly now: number;
}

export interface LoadedCatalog {
  readonly runs: BackupRun[];
  readonly current: number;
  readonly files: IndexFileRef[];
}

export async function loadCatalog(setup: RestoreSetup, req: CatalogRequest): Promise<LoadedCatalog> {
  const available = listIndexFiles(setup.indexFilePart);
  const current = readCurrentNumber(setup.varDirectory) ?? available[available.length - 1]?.num;
  if (current === undefined) {
    throw new AfError('STATE_IO', `There is no index file "${setup.indexFilePart}<n>[.z]" and no backup number in "${setup.varDirectory}/num"`);
  }
  const files = chooseIndexes(available, {
    current,
    back: req.back,
    timeLimited: req.timeLimited,
    ...(req.maxCount !== undefined ? { maxCount: req.maxCount } : {}),
    ...(req.maxDays !== undefined ? { maxDays: req.maxDays } : {}),
    now: req.now,
  });
  const indexes = [];
  for (const f of files) indexes.push({ num: f.num, index: await readIndexFile(f, setup.config.indexUnprocessCmd) });
  return { runs: catalogOf(indexes, setup.defaultServer), current, files };
}
