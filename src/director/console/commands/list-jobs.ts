/**
 * One idea: `list jobs` and `list joblog` — the job history as the console may see
 * it. `last` keeps the newest record of each job, `limit=N` the N newest records.
 */
import { AfError } from '../../../errors.js';
import { JobHistory } from '../../history/store.js';
import type { JobRecord } from '../../history/job-record.js';
import type { ConsoleContext } from '../context.js';
import { JOB_HEADERS, jobJson, jobRow, table } from '../render.js';
import { intArg, stringArg, type CommandSpec } from './spec.js';

export const listJobs: CommandSpec = {
  name: 'list jobs',
  keywords: ['list', 'jobs'],
  acl: 'list',
  usage: 'list jobs [client=NAME] [job=NAME] [status=STATUS] [last] [limit=N]',
  summary: 'the job history (last: the newest run of each job)',
  values: ['client', 'job', 'status', 'limit'],
  flags: ['last'],
  async run(ctx, args) {
    const client = stringArg(args, 'client');
    const job = stringArg(args, 'job');
    const status = stringArg(args, 'status');
    const limit = intArg(args, 'limit', 1, 1_000_000);
    if (client !== undefined && !ctx.access.allowsClient(client)) throw ctx.access.denied(`client=${client} is not allowed`);
    if (job !== undefined && !ctx.access.allowsJob(job)) throw ctx.access.denied(`job=${job} is not allowed`);
    if (status !== undefined && !['running', 'ok', 'error', 'canceled'].includes(status)) {
      throw new AfError('USAGE', `status=${status}: expected running, ok, error or canceled`);
    }
    const { records, problems } = await new JobHistory(ctx.varDirectory).list({
      ...(client !== undefined ? { client } : {}),
      ...(job !== undefined ? { job } : {}),
    });
    let shown = records.filter((r) => ctx.access.sees(r) && (status === undefined || r.status === status));
    if (args.flags.has('last')) {
      const newest = new Map<string, JobRecord>();
      for (const r of shown) newest.set(r.job, r);
      shown = [...newest.values()].sort((a, b) => a.id - b.id);
    }
    if (limit !== undefined) shown = shown.slice(Math.max(0, shown.length - limit));
    // A damaged record of a job the console may not see is not mentioned by name.
    const visibleProblems = ctx.access.unrestricted ? problems.map((p) => p.message) : problems.length > 0 ? [`${problems.length} record(s) could not be read`] : [];
    const body = { jobs: shown.map(jobJson), problems: visibleProblems };
    let text = shown.length === 0 ? 'No jobs.\n' : table(JOB_HEADERS, shown.map(jobRow));
    for (const p of visibleProblems) text += `warning: ${p}\n`;
    return { body, text };
  },
};

/** A job record the console may see, else NOT_FOUND or CONSOLE_DENIED naming the id. */
export async function visibleRecord(ctx: ConsoleContext, id: number): Promise<JobRecord> {
  const r = await new JobHistory(ctx.varDirectory).get(id);
  if (!r) throw new AfError('NOT_FOUND', `jobid=${id}: no such job in the history`);
  if (!ctx.access.sees(r)) throw ctx.access.denied(`jobid=${id} is not visible`);
  return r;
}

export const listJoblog: CommandSpec = {
  name: 'list joblog',
  keywords: ['list', 'joblog'],
  acl: 'list',
  usage: 'list joblog jobid=N',
  summary: "one job's record and its log",
  values: ['jobid'],
  flags: [],
  required: ['jobid'],
  async run(ctx, args) {
    const id = intArg(args, 'jobid', 1, Number.MAX_SAFE_INTEGER)!;
    const r = await visibleRecord(ctx, id);
    const log = await new JobHistory(ctx.varDirectory).readLog(id);
    const body = { job: jobJson(r), log };
    let text = table(JOB_HEADERS, [jobRow(r)]);
    if (r.error) text += `error: ${r.error}\n`;
    text += log.length === 0 ? '(no log)\n' : log.map((l) => `${l}\n`).join('');
    return { body, text };
  },
};
