/**
 * One idea: the runs the schedules will start in a window — for each Job with a
 * Schedule, every `Run =` line evaluated with evaluate.ts in the director's zone —
 * with the level and cartridge set each run would use, filtered by the console's
 * ACLs. Pure: the caller passes the window.
 *
 * Level and cartridge set follow the daemon's rule (daemon/run-level.ts): the Run
 * line's level, else the Job's; the Run line's CartridgeSet, else the Job's set for
 * that level, else its Cartridge Set, else none. When two Run lines of one schedule
 * fire at the same instant, the job runs once, at the higher level (Full beats
 * Incremental), as the daemon folds them. Disabled jobs, schedules and clients have
 * no runs. Not foreseen here: level upgrades decided when the run starts (no earlier
 * Full, a changed file selection, Max Full Interval), and the daemon's folding of
 * runs that fall between two of its ticks into one (Tick Interval, Catch Up).
 */
import type { DirectorConfig, JobResource, Level, RunSpec } from '../conf/model.js';
import { nextRuns } from '../schedule/evaluate.js';
import { candidate, cartridgeSetFor as setFor, strongest, type RunCandidate } from '../daemon/run-level.js';
import type { ConsoleAccess } from './acl.js';

export interface UpcomingRun {
  readonly at: Date;
  readonly job: string;
  readonly client: string;
  readonly schedule: string;
  readonly level: Level;
  readonly cartridgeSet: number | null;
  readonly priority: number;
  /** The Run line's text. */
  readonly run: string;
}

export interface UpcomingQuery {
  readonly from: Date;
  readonly until: Date;
  readonly timeZone: string;
  /** Only this job. */
  readonly job?: string;
}

export function cartridgeSetFor(job: JobResource, level: Level, spec: RunSpec): number | null {
  return setFor(job, level, spec.overrides.cartridgeSet) ?? null;
}

export function upcomingRuns(config: DirectorConfig, access: ConsoleAccess, q: UpcomingQuery): UpcomingRun[] {
  const out: UpcomingRun[] = [];
  for (const job of config.jobs.values()) {
    if (q.job !== undefined && job.name !== q.job) continue;
    if (!job.enabled || job.schedule === undefined) continue;
    if (!access.seesJobResource(job) || !access.allowsSchedule(job.schedule)) continue;
    const client = config.clients.get(job.client);
    const schedule = config.schedules.get(job.schedule);
    if (!schedule || !schedule.enabled || (client && !client.enabled)) continue;
    const at = new Map<number, (RunCandidate & { spec: RunSpec })[]>();
    for (const r of schedule.runs) {
      for (const t of nextRuns(r.spec, { from: q.from, until: q.until, timeZone: q.timeZone })) {
        const list = at.get(t.getTime()) ?? [];
        list.push({ ...candidate(job, r.spec, t), spec: r.spec });
        at.set(t.getTime(), list);
      }
    }
    for (const together of at.values()) {
      const best = strongest(together)!;
      out.push({
        at: best.at,
        job: job.name,
        client: job.client,
        schedule: schedule.name,
        level: best.level,
        cartridgeSet: cartridgeSetFor(job, best.level, best.spec),
        priority: job.priority,
        run: best.spec.source,
      });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.priority - b.priority || (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
}
