/**
 * One idea: `run job=NAME [level=L] [yes]` — ask the director to start a job now by
 * dropping a run request into its spool (spool/requests.ts); the director takes it
 * at its next tick. Without `yes` it shows what would run and asks when a terminal
 * can answer; otherwise it refuses (exit status 1) and submits nothing.
 */
import { AfError } from '../../../errors.js';
import type { Level } from '../../conf/model.js';
import { submitRequest } from '../../spool/requests.js';
import { isoWithOffset } from '../../history/job-record.js';
import { stringArg, type CommandSpec } from './spec.js';

const LEVELS: Record<string, Level> = { full: 'Full', incremental: 'Incremental', differential: 'Differential' };

export const runJob: CommandSpec = {
  name: 'run',
  keywords: ['run'],
  acl: 'run',
  usage: 'run job=NAME [level=Full|Incremental|Differential] [yes]',
  summary: 'start a job now (through the director at its next tick)',
  values: ['job', 'level'],
  flags: ['yes'],
  required: ['job'],
  async run(ctx, args) {
    const name = stringArg(args, 'job')!;
    const job = ctx.config.jobs.get(name);
    if (!ctx.access.allowsJob(name)) throw ctx.access.denied(`job=${name} is not allowed`);
    if (!job) throw new AfError('NOT_FOUND', `job=${name}: no such Job in ${ctx.config.file}`);
    if (!ctx.access.allowsClient(job.client)) throw ctx.access.denied(`job=${name} belongs to a client this console may not use`);
    const levelText = stringArg(args, 'level');
    let level: Level | undefined;
    if (levelText !== undefined) {
      level = LEVELS[levelText.toLowerCase()];
      if (!level) throw new AfError('USAGE', `level=${levelText}: expected Full, Incremental or Differential`);
    }
    const what = {
      job: name,
      client: job.client,
      level: level ?? job.level,
      levelGiven: level !== undefined,
      tapeServer: job.tapeServer ?? null,
      enabled: job.enabled,
    };
    const summary = `Run job "${name}" on client "${job.client}" at level ${what.level}${level ? '' : ' (the job\'s default; the director may upgrade it to Full)'}`;
    let confirmed = args.flags.has('yes');
    if (!confirmed && ctx.world.confirm) confirmed = await ctx.world.confirm(`${summary}. OK to run (yes/no)? `);
    if (!confirmed) {
      return {
        body: { submitted: false, request: null, ...what, reason: 'not confirmed: add "yes" to run it' },
        text: `${summary}\nNot submitted: add "yes" to run it without being asked.\n`,
        status: 1,
      };
    }
    const id = await submitRequest(ctx.varDirectory, {
      kind: 'run',
      job: name,
      ...(level ? { level } : {}),
      console: ctx.access.name,
      submitted: isoWithOffset(ctx.world.now(), ctx.timeZone),
    });
    return {
      body: { submitted: true, request: id, ...what, reason: null },
      text: `${summary}\nSubmitted as request ${id}; the director starts it at its next tick.\n`,
    };
  },
};
