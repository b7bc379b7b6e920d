/**
 * One idea: `wait [jobid=N] [timeout=SECONDS]` — look at the history until the job
 * (or, without jobid, every running job the console can see) has ended. Exit status
 * 0 when all ended ok, 42 (JOB_FAILED) when one ended in error or was canceled, 43
 * (TIMED_OUT) when the time ran out first; the document lists the jobs either way.
 */
import { ERRORS } from '../../../errors.js';
import { JobHistory } from '../../history/store.js';
import type { JobRecord } from '../../history/job-record.js';
import type { ConsoleContext } from '../context.js';
import { JOB_HEADERS, jobJson, jobRow, table } from '../render.js';
import { visibleRecord } from './list-jobs.js';
import { intArg, type CommandSpec } from './spec.js';

async function current(ctx: ConsoleContext, ids: readonly number[]): Promise<JobRecord[]> {
  const out: JobRecord[] = [];
  for (const id of ids) out.push(await visibleRecord(ctx, id));
  return out;
}

export const waitJobs: CommandSpec = {
  name: 'wait',
  keywords: ['wait'],
  acl: 'wait',
  usage: 'wait [jobid=N] [timeout=SECONDS]',
  summary: 'wait until a job (or every running job) has ended',
  values: ['jobid', 'timeout'],
  flags: [],
  async run(ctx, args) {
    const jobid = intArg(args, 'jobid', 1, Number.MAX_SAFE_INTEGER);
    const timeoutSec = intArg(args, 'timeout', 0, 100 * 86400) ?? ctx.waitTimeoutSec;
    const started = Date.now();
    let ids: number[];
    if (jobid !== undefined) ids = [(await visibleRecord(ctx, jobid)).id];
    else {
      const { records } = await new JobHistory(ctx.varDirectory).list();
      ids = records.filter((r) => r.status === 'running' && ctx.access.sees(r)).map((r) => r.id);
    }
    let recs = await current(ctx, ids);
    let timedOut = false;
    while (recs.some((r) => r.status === 'running')) {
      if (timeoutSec !== undefined && Date.now() - started >= timeoutSec * 1000) {
        timedOut = true;
        break;
      }
      await ctx.world.sleep(ctx.world.pollMs ?? 1000);
      recs = await current(ctx, ids);
    }
    const failed = recs.filter((r) => r.status === 'error' || r.status === 'canceled');
    const status = timedOut ? ERRORS.TIMED_OUT.exit : failed.length > 0 ? ERRORS.JOB_FAILED.exit : 0;
    const body = { jobs: recs.map(jobJson), timedOut, failed: failed.map((r) => r.id) };
    let text = recs.length === 0 ? 'No running jobs to wait for.\n' : table(JOB_HEADERS, recs.map(jobRow));
    if (timedOut) text += `Timed out after ${timeoutSec} s; still running: ${recs.filter((r) => r.status === 'running').map((r) => r.id).join(', ')}\n`;
    else if (failed.length > 0) text += `Not ended well: job(s) ${failed.map((r) => `${r.id} (${r.status})`).join(', ')}\n`;
    return { body, text, status };
  },
};
