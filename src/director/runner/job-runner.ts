/**
 * One idea: run one job for real, as processes, and keep its history record and log.
 *
 * A run, in order (each step's output goes to the job log, `<time> [step] line`):
 *   1. the record is created with status running;
 *   2. the `before` commands, in configuration order: on the director through
 *      /bin/sh -c, on the client through remote start (`afclient -X`), or through
 *      /bin/sh on the director when the Client says Local Backup = yes. A failing one
 *      with Fail Job On Error fails the job (the backup is not started);
 *   3. the backup: `<Full|Incremental Backup Command> [-S <set>] [<Backup Options>]
 *      --json`, through remote start, or run directly (split into words, no shell)
 *      when Local Backup = yes. Exit status 0 is success; the JSON summary line gives
 *      files, bytes, cartridges and tape files;
 *   4. the `after` commands whose Runs On Success / On Failure fit the outcome (a
 *      failure here is logged and does not change the status);
 *   5. the record gets its end, status (ok, error, canceled) and figures.
 * A cancel (console, Max Run Time, shutdown) kills the process group of the step
 * that is running and skips the remaining steps except the `after` commands meant
 * for failures; the status is canceled.
 * Job log lines carry a message type for the Messages resource's Job Log selection:
 * program output and director notes are `info`, a program's stderr and failed
 * `after` commands `warning`, the failure that fails the job `error`, the end line
 * `terminate` (ok), `error` or `warning` (canceled).
 * In commands, %c is replaced by the client, %n the job name, %l the level, %i the
 * job id, %s the cartridge set (empty when none) and %% by %.
 */
import type { DirectorConfig, MessageType } from '../conf/model.js';
import { isoWithOffset, type JobStatus } from '../history/job-record.js';
import type { JobHistory } from '../history/store.js';
import type { Clock } from '../daemon/clock.js';
import { remoteStartArgv } from './afclient-command.js';
import { findSummary, type BackupSummary } from './backup-summary.js';
import { runChild, splitWords, type ChildRun } from './child.js';
import type { JobOutcome, JobRunner, RunningJob, StartPlan } from './runner-api.js';

export interface ProcessRunnerOptions {
  readonly config: DirectorConfig;
  readonly history: JobHistory;
  readonly clock: Clock;
  /** The words that start afclient (afclient-command.ts afclientBase). */
  readonly afclient: readonly string[];
}

export function expandCommand(template: string, plan: StartPlan, id: number): string {
  const v: Record<string, string> = {
    c: plan.client.name, n: plan.job.name, l: plan.level, i: String(id), s: plan.cartridgeSet === undefined ? '' : String(plan.cartridgeSet),
  };
  return template.replace(/%(.)/g, (m, k: string) => (k === '%' ? '%' : v[k] ?? m));
}

/** The backup command as the client's afserver (or the local system) will see it. */
export function backupCommand(plan: StartPlan): string {
  const base = plan.level === 'Full' ? plan.client.fullBackupCommand : plan.client.incrementalBackupCommand;
  const parts = [base];
  if (plan.cartridgeSet !== undefined) parts.push('-S', String(plan.cartridgeSet));
  if (plan.job.backupOptions !== undefined) parts.push(plan.job.backupOptions);
  parts.push('--json');
  return parts.join(' ');
}

export class ProcessJobRunner implements JobRunner {
  constructor(private readonly o: ProcessRunnerOptions) {}

  async start(plan: StartPlan): Promise<RunningJob> {
    const tz = this.o.config.director.timeZone;
    const iso = (d: Date): string => isoWithOffset(d, tz);
    const h = this.o.history;
    const rec = await h.create({
      job: plan.job.name, client: plan.client.name, level: plan.level, status: 'running', scheduled: iso(plan.scheduled),
      start: iso(plan.start), files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: plan.attempt,
    });
    const id = rec.id;
    const maxBytes = this.o.config.director.maxJobLogSize;
    let logChain: Promise<void> = Promise.resolve();
    const msgName = plan.job.messages ?? this.o.config.director.messages;
    const jobLog = (msgName !== undefined ? this.o.config.messages.get(msgName)?.jobLog : undefined) ?? { include: ['all'], exclude: [] };
    const log = (step: string, line: string, type: MessageType = 'info'): void => {
      if (!(jobLog.include.includes('all') || jobLog.include.includes(type)) || jobLog.exclude.includes(type)) return;
      const text = `${iso(this.o.clock.now())} [${step}] ${line}`;
      logChain = logChain.then(() => h.appendLog(id, text, { maxBytes })).catch(() => undefined);
    };
    let current: ChildRun | undefined;
    let canceled: string | undefined;

    const run = async (step: string, argv: string[], useShell: boolean): Promise<number | string> => {
      if (canceled !== undefined) return 'canceled';
      const words = useShell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
      current = runChild(words, (line, s) => (s === 'err' ? log(step, `stderr: ${line}`, 'warning') : log(step, line)));
      const r = await current.done;
      current = undefined;
      if (r.spawnError) return `cannot start "${words[0]}": ${r.spawnError}`;
      if (canceled !== undefined) return 'canceled';
      return r.code ?? `ended by signal ${r.signal}`;
    };

    const lines: string[] = [];
    const onClientArgv = (command: string): { argv: string[]; shell: boolean } =>
      plan.client.localBackup ? { argv: [command], shell: true } : { argv: remoteStartArgv(this.o.afclient, plan.client, command), shell: false };

    const done = (async (): Promise<JobOutcome> => {
      log('director', `job ${plan.job.name}, client ${plan.client.name}, level ${plan.level}` +
        (plan.upgradeReason ? ` (asked for ${plan.requested}; upgraded to Full: ${plan.upgradeReason})` : '') +
        (plan.cartridgeSet !== undefined ? `, cartridge set ${plan.cartridgeSet}` : '') +
        (plan.attempt > 0 ? `, reschedule ${plan.attempt}` : '') + `, started by ${plan.source}`);
      let error: string | undefined;
      let summary: BackupSummary | null = null;
      const maxRun = plan.job.maxRunTimeSec;
      const timerStop = new AbortController();
      if (maxRun !== undefined) {
        void this.o.clock.sleep(maxRun * 1000, timerStop.signal).then(() => {
          if (!timerStop.signal.aborted) cancel(`Max Run Time (${maxRun} s) exceeded`);
        });
      }

      for (const c of plan.job.commands.filter((x) => x.when === 'before')) {
        const cmd = expandCommand(c.command, plan, id);
        const step = c.onClient ? 'client-before' : 'before';
        log(step, `running: ${cmd}`);
        const { argv, shell } = c.onClient ? onClientArgv(cmd) : { argv: [cmd], shell: true };
        const r = await run(step, argv, shell);
        if (r === 0) continue;
        if (r === 'canceled') break;
        const why = `${step} command "${cmd}" failed: ${typeof r === 'number' ? `exit status ${r}` : r}`;
        log(step, why, c.failJobOnError ? 'error' : 'warning');
        if (c.failJobOnError) {
          error = why;
          break;
        }
      }

      if (error === undefined && canceled === undefined) {
        const cmd = backupCommand(plan);
        log('backup', `running: ${cmd}${plan.client.localBackup ? ' (locally)' : ` (remote start on ${plan.client.address}:${plan.client.port})`}`);
        let argv: string[];
        try {
          argv = plan.client.localBackup ? splitWords(cmd) : remoteStartArgv(this.o.afclient, plan.client, cmd);
        } catch (err) {
          argv = [];
          error = `cannot start the backup: ${(err as Error).message}`;
        }
        current = argv.length === 0 ? undefined : runChild(argv, (line, s) => {
          if (s === 'out') lines.push(line);
          if (s === 'err') log('backup', `stderr: ${line}`, 'warning');
          else log('backup', line);
        });
        const r = current ? await current.done : { code: null, signal: null };
        current = undefined;
        if (canceled === undefined && error === undefined) {
          if (r.spawnError) error = `cannot start the backup: ${r.spawnError}`;
          else if (r.code !== 0) error = `the backup program ended with ${r.code === null ? `signal ${r.signal}` : `exit status ${r.code}`}`;
          summary = findSummary(lines);
          if (error === undefined && summary?.status !== undefined && summary.status !== 0) error = `the backup program reports status ${summary.status}`;
          if (error === undefined && !summary) log('backup', 'warning: no --json summary line; files, bytes and tapes stay unknown', 'warning');
        }
      }
      timerStop.abort();

      const status: JobStatus = canceled !== undefined ? 'canceled' : error !== undefined ? 'error' : 'ok';
      const reason = canceled ?? error;
      canceled = undefined; // the after commands for failures still run after a cancel
      for (const c of plan.job.commands.filter((x) => x.when === 'after')) {
        if (status === 'ok' ? !c.onSuccess : !c.onFailure) continue;
        const cmd = expandCommand(c.command, plan, id);
        const step = c.onClient ? 'client-after' : 'after';
        log(step, `running: ${cmd}`);
        const { argv, shell } = c.onClient ? onClientArgv(cmd) : { argv: [cmd], shell: true };
        const r = await run(step, argv, shell);
        if (r !== 0) log(step, `warning: "${cmd}" failed: ${typeof r === 'number' ? `exit status ${r}` : r}`, 'warning');
      }
      const end = this.o.clock.now();
      log('director', `end: ${status}${reason ? ` (${reason})` : ''}${summary ? `, ${summary.files} files, ${summary.bytes} bytes` : ''}`,
        status === 'ok' ? 'terminate' : status === 'error' ? 'error' : 'warning');
      await logChain;
      await h.update(id, {
        status, end: iso(end),
        ...(summary ? { files: summary.files, bytes: summary.bytes, cartridges: summary.cartridges, tapeFiles: summary.tapeFiles } : {}),
        ...(reason !== undefined ? { error: reason } : {}),
      });
      return {
        status, end, ...(reason !== undefined ? { error: reason } : {}),
        ...(summary ? { files: summary.files, bytes: summary.bytes, cartridges: summary.cartridges } : {}),
      };
    })();

    const cancel = (why: string): void => {
      if (canceled !== undefined) return;
      canceled = why;
      log('director', `canceling: ${why}`);
      current?.kill();
    };
    return { id, plan, done, cancel };
  }
}
