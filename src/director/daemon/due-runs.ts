/**
 * One idea: which scheduled run of one job a tick starts, given the last instant the
 * scheduler already considered and the catch-up policy for runs missed while the
 * director was down. Pure; the schedules are evaluated by schedule/evaluate.ts (which
 * carries the daylight-saving policy).
 *
 * A run in (considered, now] is "on time" when it lies within the grace before now;
 * older ones were missed, i.e. fell into a time no director was running. The
 * scheduler passes the Tick Interval plus one minute at a process's first tick, and
 * an infinite grace once the same process has ticked before.
 *   - Catch Up = none:   missed runs are dropped.
 *   - Catch Up = latest: missed runs are folded into one run (below).
 * All the runs a tick keeps for one job are folded into one: it is due at the latest
 * of their instants and runs at the highest of their levels (Full > Differential >
 * Incremental), with the cartridge set of the run that gave that level (run-level.ts,
 * the rule `status scheduler` uses too). A job never gets two runs from one tick.
 */
import type { CatchUp, JobResource, Level, ScheduleResource } from '../conf/model.js';
import { nextRuns } from '../schedule/evaluate.js';
import { candidate, strongest, type RunCandidate } from './run-level.js';

export interface DueRun {
  readonly job: string;
  readonly level: Level;
  readonly cartridgeSet?: number;
  /** The instant the run was due. */
  readonly scheduled: Date;
  /** How many schedule instants were folded into this run (missed ones included). */
  readonly folded: number;
  /** Instants dropped because they were missed and Catch Up is none. */
  readonly dropped: number;
}

export function scheduledRun(
  job: JobResource,
  schedule: ScheduleResource,
  window: { considered?: Date | undefined; now: Date; graceMs: number; timeZone: string; catchUp: CatchUp },
): DueRun | null {
  const { now, graceMs, timeZone } = window;
  const from = window.considered ?? new Date(now.getTime() - graceMs);
  if (from.getTime() >= now.getTime() || !schedule.enabled) return null;
  const all: RunCandidate[] = [];
  for (const run of schedule.runs) {
    for (const at of nextRuns(run.spec, { from, until: now, timeZone, limit: 5000 })) all.push(candidate(job, run.spec, at));
  }
  const edge = now.getTime() - graceMs;
  const kept = window.catchUp === 'latest' ? all : all.filter((r) => r.at.getTime() > edge);
  if (kept.length === 0) return null;
  let latest = kept[0]!.at;
  for (const r of kept) if (r.at.getTime() > latest.getTime()) latest = r.at;
  const best = strongest(kept)!;
  return {
    job: job.name,
    level: best.level,
    ...(best.cartridgeSet !== undefined ? { cartridgeSet: best.cartridgeSet } : {}),
    scheduled: latest,
    folded: kept.length,
    dropped: all.length - kept.length,
  };
}
