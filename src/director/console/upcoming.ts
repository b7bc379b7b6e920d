/**
 * One idea: the runs the schedules will start in a window — for each Job with a
 * Schedule, every `Run =` line evaluated with evaluate.ts in the director's zone —
 * with the level and cartridge set each run would use, filtered by the console's
 * ACLs. Pure: the caller passes the window.
 *
 * Level: the Run line's level, else the Job's Level. Cartridge set: the Run line's
 * CartridgeSet, else the Job's set for that level, else its Cartridge Set, else none
 * (the server's default). When two Run lines of one schedule fire at the same
 * instant, the job runs once, with the first such line. Disabled jobs, schedules and
 * clients have no runs. Level upgrades decided at run time (no earlier Full, Max
 * Full Interval) are not foreseen here: the level shown is the scheduled one.
 */
import type { DirectorConfig, JobResource, Level, RunSpec } from '../conf/model.js';
import { nextRuns } from '../schedule/evaluate.js';
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
  if (spec.overrides.cartridgeSet !== undefined) return spec.overrides.cartridgeSet;
  const perLevel = level === 'Full' ? job.fullCartridgeSet : level === 'Incremental' ? job.incrementalCartridgeSet : job.differentialCartridgeSet;
  return perLevel ?? job.cartridgeSet ?? null;
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
    const taken = new Set<number>();
    for (const r of schedule.runs) {
      const level = r.spec.overrides.level ?? job.level;
      for (const at of nextRuns(r.spec, { from: q.from, until: q.until, timeZone: q.timeZone })) {
        if (taken.has(at.getTime())) continue;
        taken.add(at.getTime());
        out.push({
          at,
          job: job.name,
          client: job.client,
          schedule: schedule.name,
          level,
          cartridgeSet: cartridgeSetFor(job, level, r.spec),
          priority: job.priority,
          run: r.spec.source,
        });
      }
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.priority - b.priority || (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
}
