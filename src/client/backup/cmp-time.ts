/**
 * The comparison time of a backup run (spec §6.4 step 6): entries modified at or
 * after it are saved.
 *
 *   full backup                 0 (everything)
 *   incremental                 mtime of `oldmark` (start of the last backup)
 *   incremental with -Q q > 0   the latest level_timestamps entry whose level is
 *                               >= q, else the oldmark time
 *   entry new in save_entries   0 for that entry only (see entryCmpTime)
 */
import { FULL_LEVEL, type LevelTimestamps } from '../files/level-timestamps.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Epoch seconds of a ctime() text in the local time zone, or undefined. */
export function parseCtime(text: string): number | undefined {
  const m = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4,})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const d = new Date(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return Math.floor(d.getTime() / 1000);
}

export interface CmpTimeInput {
  readonly mode: 'full' | 'incremental';
  /** The backup level: FULL_LEVEL for a full backup, 0 for a plain incremental, q for -Q q. */
  readonly level: number;
  /** mtime of oldmark in epoch seconds (incremental only). */
  readonly oldmarkMtime: number | undefined;
  readonly levelTimestamps: LevelTimestamps;
}

export function computeCmpTime(input: CmpTimeInput): number {
  if (input.mode === 'full' || input.level >= FULL_LEVEL) return 0;
  let cmp = input.oldmarkMtime ?? 0;
  if (input.level > 0) {
    let latest = 0;
    for (const e of input.levelTimestamps.entries) {
      if (e.level < input.level) continue;
      const t = parseCtime(e.time);
      if (t !== undefined && t > latest) latest = t;
    }
    if (latest > 0) cmp = latest;
  }
  return cmp;
}

/** The comparison time for one DirsToBackup entry: 0 when an incremental meets it for the first time. */
export function entryCmpTime(runCmp: number, mode: 'full' | 'incremental', entry: string, saved: readonly string[] | undefined): number {
  if (mode !== 'incremental' || saved === undefined) return runCmp;
  return saved.includes(entry) ? runCmp : 0;
}
