/**
 * One idea: the level a job actually runs at. An Incremental (or Differential) is
 * upgraded to a Full when
 *   - the history holds no earlier successful Full of the job,
 *   - the job's file selection changed since its last successful Full (compared by
 *     hash; when no hash was kept for that Full, the selection counts as unchanged),
 *   - or the last successful Full is older than Max Full Interval.
 * Pure: the caller passes what the history and the scheduler state say.
 */
import type { Level } from '../conf/model.js';

export interface LevelFacts {
  readonly requested: Level;
  /** End (or start) of the job's last successful Full, if any. */
  readonly lastGoodFull?: Date;
  /** Hash of the file selection stored at that Full. */
  readonly selectionAtLastFull?: string;
  readonly selectionNow: string;
  readonly maxFullIntervalSec?: number;
  readonly now: Date;
}

export interface LevelChoice {
  readonly level: Level;
  /** Why an upgrade happened (for the job log). */
  readonly reason?: string;
}

export function chooseLevel(f: LevelFacts): LevelChoice {
  if (f.requested === 'Full') return { level: 'Full' };
  if (f.lastGoodFull === undefined) return { level: 'Full', reason: 'no earlier successful Full in the history' };
  if (f.selectionAtLastFull !== undefined && f.selectionAtLastFull !== f.selectionNow) {
    return { level: 'Full', reason: 'the file selection changed since the last Full' };
  }
  if (f.maxFullIntervalSec !== undefined && f.now.getTime() - f.lastGoodFull.getTime() > f.maxFullIntervalSec * 1000) {
    return { level: 'Full', reason: `the last Full is older than Max Full Interval (${f.maxFullIntervalSec} s)` };
  }
  return { level: f.requested };
}
