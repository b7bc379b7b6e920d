/**
 * One idea: the level and cartridge set one scheduled instant gives a job — the rule
 * the daemon (due-runs.ts, scheduler.ts) and the console's `status scheduler`
 * (console/upcoming.ts) share, so that what the console foretells is what the
 * director starts.
 *
 *   - Level: the Run line's level, else the Job's Level. When several Run lines (or
 *     several instants folded into one tick) fall together, the highest level wins:
 *     Full > Differential > Incremental; between equal levels the later instant.
 *   - Cartridge set: the Run line's CartridgeSet, else the Job's set for that level
 *     (Full/Incremental/Differential Cartridge Set), else its Cartridge Set, else none
 *     (the tape server's default).
 * Decided only when the run starts, and so not foreseen by the console: the upgrade
 * of an Incremental to a Full (runner/level-choice.ts).
 */
import type { JobResource, Level, RunSpec } from '../conf/model.js';

export const LEVEL_RANK: Readonly<Record<Level, number>> = { Incremental: 0, Differential: 1, Full: 2 };

/** One candidate run: its instant, level and the Run line's cartridge set, if it names one. */
export interface RunCandidate {
  readonly at: Date;
  readonly level: Level;
  readonly cartridgeSet?: number;
}

/** What one Run line gives a job at one instant. */
export function candidate(job: JobResource, spec: RunSpec, at: Date): RunCandidate {
  const o = spec.overrides;
  return { at, level: o.level ?? job.level, ...(o.cartridgeSet !== undefined ? { cartridgeSet: o.cartridgeSet } : {}) };
}

/** The candidate that wins when these runs fall together (highest level, then the latest). */
export function strongest<T extends RunCandidate>(runs: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const r of runs) {
    if (!best || LEVEL_RANK[r.level] > LEVEL_RANK[best.level]
      || (LEVEL_RANK[r.level] === LEVEL_RANK[best.level] && r.at.getTime() > best.at.getTime())) best = r;
  }
  return best;
}

/** The cartridge set a job uses at a level: the Run line's, else the level's own, else the job's, else none. */
export function cartridgeSetFor(job: JobResource, level: Level, runOverride?: number): number | undefined {
  if (runOverride !== undefined) return runOverride;
  const own = level === 'Full' ? job.fullCartridgeSet : level === 'Incremental' ? job.incrementalCartridgeSet : job.differentialCartridgeSet;
  return own ?? job.cartridgeSet;
}
