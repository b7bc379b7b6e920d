/**
 * One idea: `status scheduler [days=N] [job=NAME]` — the upcoming scheduled runs
 * (default the next 7 days, at most 366) with time, level and cartridge set, in the
 * director's time zone.
 */
import { AfError } from '../../../errors.js';
import { isoWithOffset } from '../../history/job-record.js';
import { table } from '../render.js';
import { upcomingRuns } from '../upcoming.js';
import { intArg, stringArg, type CommandSpec } from './spec.js';

const DAY_MS = 86_400_000;

export const statusScheduler: CommandSpec = {
  name: 'status scheduler',
  keywords: ['status', 'scheduler'],
  acl: 'status',
  usage: 'status scheduler [days=N] [job=NAME]',
  summary: 'the runs the schedules start in the next N days (default 7)',
  values: ['days', 'job'],
  flags: [],
  async run(ctx, args) {
    const days = intArg(args, 'days', 1, 366) ?? 7;
    const job = stringArg(args, 'job');
    if (job !== undefined) {
      const j = ctx.config.jobs.get(job);
      if (!j || !ctx.access.seesJobResource(j)) {
        if (j) throw ctx.access.denied(`job "${job}" is not visible`);
        throw new AfError('NOT_FOUND', `job=${job}: no such Job in ${ctx.config.file}`);
      }
    }
    const from = ctx.world.now();
    const until = new Date(from.getTime() + days * DAY_MS);
    const runs = upcomingRuns(ctx.config, ctx.access, { from, until, timeZone: ctx.timeZone, ...(job !== undefined ? { job } : {}) });
    const tz = ctx.timeZone;
    const body = {
      timeZone: tz,
      from: isoWithOffset(from, tz),
      until: isoWithOffset(until, tz),
      days,
      runs: runs.map((r) => ({
        time: isoWithOffset(r.at, tz),
        job: r.job,
        client: r.client,
        level: r.level,
        cartridgeSet: r.cartridgeSet,
        schedule: r.schedule,
        priority: r.priority,
        run: r.run,
      })),
    };
    let text = `Scheduled runs from ${body.from} to ${body.until} (${tz}):\n`;
    text += runs.length === 0
      ? 'none\n'
      : table(
          ['Time', 'Level', 'Job', 'Client', 'Set', 'Schedule'],
          body.runs.map((r) => [r.time, r.level, r.job, r.client, r.cartridgeSet === null ? '-' : String(r.cartridgeSet), r.schedule]),
        );
    return { body, text };
  },
};
