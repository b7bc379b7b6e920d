/**
 * One idea: `cancel jobid=N` — ask the director to cancel a running job by dropping
 * a cancel request into its spool. Only a job the console may see and that is still
 * running can be canceled.
 */
import { AfError } from '../../../errors.js';
import { isoWithOffset } from '../../history/job-record.js';
import { submitRequest } from '../../spool/requests.js';
import { jobJson } from '../render.js';
import { visibleRecord } from './list-jobs.js';
import { intArg, type CommandSpec } from './spec.js';

export const cancelJob: CommandSpec = {
  name: 'cancel',
  keywords: ['cancel'],
  acl: 'cancel',
  usage: 'cancel jobid=N',
  summary: 'ask the director to cancel a running job',
  values: ['jobid'],
  flags: ['yes'],
  required: ['jobid'],
  async run(ctx, args) {
    const id = intArg(args, 'jobid', 1, Number.MAX_SAFE_INTEGER)!;
    const r = await visibleRecord(ctx, id);
    if (r.status !== 'running') throw new AfError('NOT_FOUND', `jobid=${id}: job "${r.job}" is not running (its status is ${r.status})`);
    const req = await submitRequest(ctx.varDirectory, {
      kind: 'cancel',
      jobid: id,
      console: ctx.access.name,
      submitted: isoWithOffset(ctx.world.now(), ctx.timeZone),
    });
    return {
      body: { jobid: id, request: req, job: jobJson(r) },
      text: `Cancel of job ${id} ("${r.job}") submitted as request ${req}; the director acts on it at its next tick.\n`,
    };
  },
};
