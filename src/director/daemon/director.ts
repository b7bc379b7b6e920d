/**
 * One idea: the composition of a running director — the scheduler wired to the real
 * job runner, the history, the spool, the scheduler state, the client probe, the
 * notifications and retention — and the two ways to drive it:
 *
 *   runForeground: holds `<vardir>/director.lock` for its whole life (a second
 *     director on the same var directory is refused), ticks every Tick Interval of
 *     clock time, and on SIGTERM/SIGINT stops queuing, waits up to the Shutdown
 *     Grace Period for running jobs (a second signal ends the wait at once), cancels
 *     what is still running (records say canceled), saves the state and returns.
 *   runOnce: takes the same lock (if a daemon holds it the tick is skipped), does one
 *     tick, waits for the jobs that tick started to end (a reschedule after an error
 *     is queued in the state for a later tick), and returns. While it waits it looks
 *     at the spool every second for `cancel` requests and acts on them (run requests
 *     wait for the next tick). A job therefore never outlives the process that started
 *     it; a record left `running` by a director that was killed is closed as error by
 *     the next one.
 * The director status file is written at start and after every tick. Events (jobs
 * started, ended, rescheduled, canceled; problems; retention changes) go to the log
 * and to `<vardir>/messages` for `afconsole messages` (events.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError, isAfError } from '../../errors.js';
import { withLock } from '../../state/file-lock.js';
import { VERSION } from '../../version.js';
import type { ClientResource, DirectorConfig } from '../conf/model.js';
import { isoWithOffset } from '../history/job-record.js';
import { JobHistory } from '../history/store.js';
import { writeDirectorStatus, type DirectorStatus } from '../spool/director-status.js';
import { takeRequests } from '../spool/requests.js';
import { eventSink, type EventSink } from './events.js';
import { probeArgv } from '../runner/afclient-command.js';
import { runChild } from '../runner/child.js';
import { ProcessJobRunner } from '../runner/job-runner.js';
import { sendMails } from '../runner/mail.js';
import { applyRetention } from '../runner/retention-apply.js';
import type { JobOutcome, JobRunner, RunningJob } from '../runner/runner-api.js';
import { postWebhook } from '../runner/webhook.js';
import type { Clock } from './clock.js';
import { loadState, saveState } from './schedule-state.js';
import { Scheduler, type TickReport } from './scheduler.js';

export const DEFAULT_GRACE_SEC = 300;
const PROBE_TIMEOUT_MS = 30_000;

export interface DirectorOptions {
  readonly config: DirectorConfig;
  readonly clock: Clock;
  /** The words that start afclient. */
  readonly afclient: readonly string[];
  /** A line for the director's log (stderr). */
  readonly log: (line: string) => void;
  /** Replaces the process runner (tests). */
  readonly runner?: JobRunner;
}

export function lockPath(varDirectory: string): string {
  return path.join(varDirectory, 'director.lock');
}

/** Does the client's afbackup service answer `afclient -w`? */
export function probeClient(afclient: readonly string[], client: ClientResource): Promise<boolean> {
  const run = runChild(probeArgv(afclient, client), () => undefined);
  const t = setTimeout(() => run.kill(), PROBE_TIMEOUT_MS);
  return run.done.then((r) => {
    clearTimeout(t);
    return r.code === 0;
  });
}

/** The director's events: log lines that also go to `<vardir>/messages`. */
export function directorEvents(o: DirectorOptions): EventSink {
  return eventSink({ varDirectory: o.config.director.varDirectory, timeZone: o.config.director.timeZone, now: () => o.clock.now(), log: o.log });
}

export function buildScheduler(o: DirectorOptions, events: EventSink = directorEvents(o)): Scheduler {
  const cfg = o.config;
  const varDir = cfg.director.varDirectory;
  const history = new JobHistory(varDir);
  const runner = o.runner ?? new ProcessJobRunner({ config: cfg, history, clock: o.clock, afclient: o.afclient });
  const onFinished = async (run: RunningJob, outcome: JobOutcome): Promise<void> => {
    const rec = await history.get(run.id);
    const job = run.plan.job;
    const ref = { jobid: run.id, job: job.name, client: job.client };
    const msgName = job.messages ?? cfg.director.messages;
    const messages = msgName !== undefined ? cfg.messages.get(msgName) : undefined;
    if (messages) {
      const log = await history.readLog(run.id).catch(() => []);
      const body = [
        `Job:      ${job.name} (id ${run.id})`, `Client:   ${job.client}`, `Level:    ${run.plan.level}`, `Status:   ${outcome.status}`,
        ...(rec?.start ? [`Start:    ${rec.start}`] : []), ...(rec?.end ? [`End:      ${rec.end}`] : []),
        `Files:    ${outcome.files ?? 0}`, `Bytes:    ${outcome.bytes ?? 0}`,
        ...(outcome.error ? [`Error:    ${outcome.error}`] : []), '', 'Log:', ...log,
      ].join('\n');
      for (const p of await sendMails(messages, { id: run.id, job: job.name, client: job.client, level: run.plan.level, status: outcome.status, body })) events('warning', p, ref);
    }
    if (cfg.director.webhookUrl !== undefined) {
      const p = await postWebhook(cfg.director.webhookUrl, {
        schema: 'afdirector.job-end/1', director: cfg.director.name, id: run.id, job: job.name, client: job.client,
        level: run.plan.level, status: outcome.status, ...(rec?.start ? { start: rec.start } : {}), ...(rec?.end ? { end: rec.end } : {}),
        files: outcome.files ?? 0, bytes: outcome.bytes ?? 0, cartridges: outcome.cartridges ?? [], ...(outcome.error ? { error: outcome.error } : {}),
      });
      if (p) events('warning', p, ref);
    }
    if ([...cfg.jobs.values()].some((j) => j.retentionSec !== undefined) || cfg.director.lastFullReadOnly) {
      try {
        const { records } = await history.list();
        for (const note of await applyRetention(cfg, records, o.clock.now(), o.afclient)) events(/ failed /.test(note) ? 'warning' : 'audit', note);
      } catch (err) {
        events('error', `retention: ${(err as Error).message}`);
      }
    }
  };
  return new Scheduler({
    config: cfg, clock: o.clock, runner, history,
    probeClient: (c) => probeClient(o.afclient, c),
    takeRequests: () => takeRequests(varDir),
    loadState: () => loadState(varDir),
    saveState: (s) => saveState(varDir, s),
    log: o.log,
    event: events,
    onFinished,
  });
}

function logReport(events: EventSink, r: TickReport): void {
  for (const p of r.problems) events('error', p);
}

const CANCEL_POLL_MS = 1000;

/**
 * Waits for the scheduler's jobs to end; meanwhile takes `cancel` requests from the
 * spool every second (real time) and acts on them.
 */
async function settleTakingCancels(s: Scheduler, o: DirectorOptions, events: EventSink): Promise<void> {
  const varDir = o.config.director.varDirectory;
  let ended = false;
  const settled = s.settle().finally(() => {
    ended = true;
  });
  while (!ended) {
    await Promise.race([settled, new Promise((r) => setTimeout(r, CANCEL_POLL_MS))]);
    if (ended) break;
    const report: TickReport = { now: o.clock.now(), queued: [], started: [], refused: [], canceled: [], problems: [] };
    try {
      await s.applyRequests(await takeRequests(varDir, { kinds: ['cancel'] }), report.now, report);
    } catch (err) {
      report.problems.push(`requests: ${(err as Error).message}`);
    }
    logReport(events, report);
  }
  await settled;
}

async function underLock<R>(varDir: string, fn: () => Promise<R>): Promise<R | 'busy'> {
  await fs.promises.mkdir(varDir, { recursive: true, mode: 0o750 }).catch(() => undefined);
  let entered = false;
  try {
    return await withLock(lockPath(varDir), 'ex', () => {
      entered = true;
      return fn();
    }, { timeoutMs: 0 });
  } catch (err) {
    if (!entered && isAfError(err, 'CANNOT_LOCK')) return 'busy';
    throw err;
  }
}

function status(o: DirectorOptions, mode: DirectorStatus['mode'], started: Date, lastTick?: Date): DirectorStatus {
  const tz = o.config.director.timeZone;
  return {
    pid: process.pid, mode, started: isoWithOffset(started, tz), version: VERSION,
    ...(lastTick ? { lastTick: isoWithOffset(lastTick, tz) } : {}),
  };
}

/** One tick and the end of the jobs it started. Returns the report, or null when a daemon holds the lock. */
export async function runOnce(o: DirectorOptions): Promise<TickReport | null> {
  const varDir = o.config.director.varDirectory;
  const r = await underLock(varDir, async () => {
    const started = o.clock.now();
    await writeDirectorStatus(varDir, status(o, 'once', started));
    const events = directorEvents(o);
    const s = buildScheduler(o, events);
    await s.open();
    const report = await s.tick();
    logReport(events, report);
    await writeDirectorStatus(varDir, status(o, 'once', started, report.now));
    await settleTakingCancels(s, o, events);
    await events.flush();
    return report;
  });
  return r === 'busy' ? null : r;
}

/** The daemon loop until `stop` fires; `hurry` (a second signal) cuts the grace period short. */
export async function runForeground(o: DirectorOptions, stop: AbortSignal, hurry?: AbortSignal): Promise<void> {
  const varDir = o.config.director.varDirectory;
  const r = await underLock(varDir, async () => {
    const started = o.clock.now();
    await writeDirectorStatus(varDir, status(o, 'foreground', started));
    const events = directorEvents(o);
    const s = buildScheduler(o, events);
    events('info', `director "${o.config.director.name}" started (version ${VERSION}, pid ${process.pid}, tick every ${s.tickIntervalSec} s)`);
    await s.open();
    while (!stop.aborted) {
      try {
        const report = await s.tick();
        logReport(events, report);
        await writeDirectorStatus(varDir, status(o, 'foreground', started, report.now));
      } catch (err) {
        events('error', `tick failed: ${(err as Error).message}`);
      }
      await o.clock.sleep(s.tickIntervalSec * 1000, stop);
    }
    const grace = (o.config.director.shutdownGraceSec ?? DEFAULT_GRACE_SEC) * 1000;
    await s.shutdown(grace, hurry);
    events('info', `director "${o.config.director.name}" stopped`);
    await events.flush();
  });
  if (r === 'busy') throw new AfError('CANNOT_LOCK', `another director holds "${lockPath(varDir)}"`);
}
