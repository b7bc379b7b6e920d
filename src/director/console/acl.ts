/**
 * One idea: what a console may see and do, from its Console resource's ACLs.
 *
 * Each ACL is a list of names, `*all*`, and `!name` entries. A name is allowed when
 * no `!` entry names it and either `*all*` or the name itself is listed; an empty
 * list allows nothing. Client, job and schedule names compare exactly; command
 * keywords (`status`, `list`, `run`, ...) ignore case. `help` and `quit` are always
 * allowed. Without `-n` afconsole uses the unrestricted console `*default*`.
 *
 * A job record or Job resource is visible only when both its job and its client are
 * allowed; the scheduler view also needs the job's schedule to be allowed.
 */
import { AfError } from '../../errors.js';
import type { ConsoleResource, DirectorConfig, JobResource } from '../conf/model.js';

export const DEFAULT_CONSOLE = '*default*';
const ALWAYS = new Set(['help', 'quit', 'exit']);

export function aclAllows(acl: readonly string[], name: string, ignoreCase = false): boolean {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const n = norm(name);
  let allowed = false;
  for (const raw of acl) {
    const e = raw.trim();
    if (e.startsWith('!')) {
      if (norm(e.slice(1).trim()) === n) return false;
    } else if (e.toLowerCase() === '*all*' || norm(e) === n) {
      allowed = true;
    }
  }
  return allowed;
}

export class ConsoleAccess {
  constructor(
    readonly name: string,
    /** undefined: the unrestricted default console. */
    readonly resource: ConsoleResource | undefined,
  ) {}

  get unrestricted(): boolean {
    return this.resource === undefined;
  }

  allowsClient(client: string): boolean {
    return !this.resource || aclAllows(this.resource.clientAcl, client);
  }

  allowsJob(job: string): boolean {
    return !this.resource || aclAllows(this.resource.jobAcl, job);
  }

  allowsSchedule(schedule: string): boolean {
    return !this.resource || aclAllows(this.resource.scheduleAcl, schedule);
  }

  allowsCommand(keyword: string): boolean {
    return ALWAYS.has(keyword) || !this.resource || aclAllows(this.resource.commandAcl, keyword, true);
  }

  /** Whether a job (record or resource) of this job name and client may be shown. */
  sees(job: { job?: string; name?: string; client: string }): boolean {
    const jobName = job.job ?? job.name ?? '';
    return this.allowsJob(jobName) && this.allowsClient(job.client);
  }

  seesJobResource(job: JobResource): boolean {
    return this.allowsJob(job.name) && this.allowsClient(job.client);
  }

  /** True when every client is allowed (director-wide messages and volumes of all clients). */
  get allClients(): boolean {
    return !this.resource || (this.resource.clientAcl.some((e) => e.trim().toLowerCase() === '*all*') && !this.resource.clientAcl.some((e) => e.trim().startsWith('!')));
  }

  denied(what: string): AfError {
    return new AfError('CONSOLE_DENIED', `${what} (console "${this.name}")`);
  }
}

/** The console named with -n, or the unrestricted default console. */
export function selectConsole(config: DirectorConfig, name: string | undefined): ConsoleAccess {
  if (name === undefined || name === DEFAULT_CONSOLE) return new ConsoleAccess(DEFAULT_CONSOLE, undefined);
  const r = config.consoles.get(name);
  if (!r) {
    const known = [...config.consoles.keys()];
    throw new AfError('USAGE', `-n: no Console "${name}" in ${config.file}${known.length ? ` (known: ${known.join(', ')})` : ' (it defines no Console)'}`);
  }
  return new ConsoleAccess(name, r);
}
