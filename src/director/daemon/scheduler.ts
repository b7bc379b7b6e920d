/**
 * One idea: the scheduler — what one tick does, and what happens when a job ends.
 *
 * A tick, at the clock's "now":
 *   1. takes the console's requests from the spool: `cancel` stops a running job
 *      (its process group is killed, its record says canceled); `run` queues a run;
 *   2. for every enabled job with a schedule, folds the schedule's runs since the
 *      last considered instant into at most one run and queues it. Runs since this
 *      process's own previous tick are on time, however late that tick comes; at a
 *      process's first tick (a daemon's start, every --once) runs older than the
 *      grace (Tick Interval + 1 min) were missed while no director ran, and the
 *      catch-up policy decides (due-runs.ts);
 *   3. for every due-based job (Due After) that is neither running nor queued: when
 *      its last successful run is older than Due After (or there is none), its last
 *      start is older than Not More Often Than, and the client answers, queues a run;
 *   4. starts queued runs whose time has come, lowest Priority first (then the
 *      earliest due), as long as Director Maximum Concurrent Jobs and the job's tape
 *      server's Maximum Concurrent Jobs allow; a run that cannot start stays queued
 *      (in the state file) for the next tick. A run not started within the job's
 *      Max Start Delay is dropped with a canceled record. The level is chosen at
 *      the start (runner/level-choice.ts).
 * A job that is running or queued is never queued a second time (unless Allow
 * Duplicate Jobs): the second run gets a canceled record that says why.
 *
 * When a job ends with an error and Reschedule On Error is set, it is queued again
 * at end + Reschedule Interval, up to Reschedule Times times. A successful Full
 * stores the job's file-selection hash. The state file is rewritten after each tick
 * and each job end.
 */
import type { ClientResource, DirectorConfig, JobResource, Level } from '../conf/model.js';
import type { JobHistory } from '../history/store.js';
import { isoWithOffset, type JobRecord } from '../history/job-record.js';
import type { TakeResult } from '../spool/requests.js';
import { chooseLevel } from '../runner/level-choice.js';
import { selectionHash } from '../runner/selection-hash.js';
import type { JobOutcome, JobRunner, RunningJob } from '../runner/runner-api.js';
import type { Clock } from './clock.js';
import type { EventJob, EventType } from './events.js';
import { scheduledRun } from './due-runs.js';
import { cartridgeSetFor } from './run-level.js';
import { emptyState, type QueuedRun, type SchedulerState } from './schedule-state.js';

export const DEFAULT_TICK_SEC = 60;

export interface SchedulerOptions {
  readonly config: DirectorConfig;
  readonly clock: Clock;
  readonly runner: JobRunner;
  readonly history: Pick<JobHistory, 'list' | 'create' | 'update'>;
  /** Does the client answer (afclient -w)? */
  probeClient(client: ClientResource): Promise<boolean>;
  takeRequests(): Promise<TakeResult>;
  loadState(): Promise<SchedulerState>;
  saveState(s: SchedulerState): Promise<void>;
  /** One line for the director's own log. */
  log(line: string): void;
  /**
   * An event for the message file (daemon/events.ts); it logs the line too. Unset
   * (tests): events go to `log` only.
   */
  event?(type: EventType, text: string, job?: EventJob): void;
  /** Called after a job's outcome is recorded (notifications, retention). */
  onFinished?(run: RunningJob, outcome: JobOutcome): Promise<void>;
}

export interface TickReport {
  readonly now: Date;
  readonly queued: { job: string; level: Level; source: string; scheduled: Date }[];
  readonly started: { id: number; job: string; level: Level; attempt: number }[];
  /** Runs given a canceled record without starting (duplicate, Max Start Delay). */
  readonly refused: { job: string; why: string }[];
  readonly canceled: number[];
  readonly problems: string[];
}

const RANK_ORDER = (a: QueuedRun, b: QueuedRun, jobs: DirectorConfig['jobs']): number =>
  (jobs.get(a.job)?.priority ?? 1000) - (jobs.get(b.job)?.priority ?? 1000)
  || a.scheduled.getTime() - b.scheduled.getTime()
  || (a.job < b.job ? -1 : a.job > b.job ? 1 : 0);

export class Scheduler {
  state: SchedulerState = emptyState();
  readonly running = new Map<number, RunningJob>();
  private readonly settling = new Set<Promise<void>>();
  /** Jobs this process has considered at an earlier tick (it was up since then). */
  private readonly consideredHere = new Set<string>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly o: SchedulerOptions) {}

  get tickIntervalSec(): number {
    return this.o.config.director.tickIntervalSec ?? DEFAULT_TICK_SEC;
  }

  /** Loads the state and closes records left `running` by a director that stopped. */
  async open(): Promise<void> {
    this.state = await this.o.loadState();
    const { records } = await this.o.history.list();
    const now = this.o.clock.now();
    for (const r of records) {
      if (r.status !== 'running') continue;
      await this.o.history.update(r.id, { status: 'error', end: this.iso(now), error: 'the director stopped while the job ran' });
      this.note('error', `job ${r.id} (${r.job}) was left running by a director that stopped; recorded as error`, { jobid: r.id, job: r.job, client: r.client });
    }
  }

  /** An event: to the message file when the director has one, else to the log. */
  private note(type: EventType, text: string, job?: EventJob): void {
    if (this.o.event) this.o.event(type, text, job);
    else this.o.log(text);
  }

  private iso(d: Date): string {
    return isoWithOffset(d, this.o.config.director.timeZone);
  }

  private isRunning(job: string): RunningJob | undefined {
    for (const r of this.running.values()) if (r.plan.job.name === job) return r;
    return undefined;
  }

  private isQueued(job: string): boolean {
    return this.state.queue.some((q) => q.job === job);
  }

  /** Queues a run unless it would duplicate one running or queued; returns the refusal reason. */
  private async enqueue(q: QueuedRun, report: TickReport): Promise<void> {
    const job = this.o.config.jobs.get(q.job)!;
    if (!job.allowDuplicateJobs) {
      const running = this.isRunning(q.job);
      const why = running ? `job "${q.job}" is still running (id ${running.id})` : this.isQueued(q.job) ? `job "${q.job}" is already waiting to start` : undefined;
      if (why) {
        await this.refuse(job, q, `not started: ${why} (Allow Duplicate Jobs = no)`, report);
        return;
      }
    }
    this.state.queue.push(q);
    report.queued.push({ job: q.job, level: q.level, source: q.source, scheduled: q.scheduled });
  }

  private async refuse(job: JobResource, q: QueuedRun, why: string, report: TickReport): Promise<void> {
    const now = this.o.clock.now();
    const rec = await this.o.history.create({
      job: job.name, client: job.client, level: q.level, status: 'canceled', scheduled: this.iso(q.scheduled),
      end: this.iso(now), files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: q.attempt, error: why,
    });
    report.refused.push({ job: job.name, why });
    this.note('warning', `job ${rec.id} (${job.name}): ${why}`, { jobid: rec.id, job: job.name, client: job.client });
  }

  /**
   * Acts on requests taken from the spool: a cancel stops a job running in this
   * process; a run is queued (the caller's tick starts it). Bad requests and requests
   * that name nothing are problems in the report.
   */
  async applyRequests(taken: TakeResult, now: Date, report: TickReport): Promise<void> {
    const cfg = this.o.config;
    for (const p of taken.problems) report.problems.push(p.message);
    for (const { request: r } of taken.taken) {
      if (r.kind === 'cancel') {
        const run = this.running.get(r.jobid);
        if (run) {
          run.cancel(`canceled by console "${r.console}"`);
          report.canceled.push(r.jobid);
          this.note('warning', `job ${r.jobid} (${run.plan.job.name}) canceled by console "${r.console}"`, { jobid: r.jobid, job: run.plan.job.name, client: run.plan.client.name });
        } else {
          report.problems.push(`cancel jobid=${r.jobid} from console "${r.console}": no such running job`);
        }
        continue;
      }
      const job = cfg.jobs.get(r.job);
      if (!job) {
        report.problems.push(`run job=${r.job} from console "${r.console}": no such job`);
        continue;
      }
      const before = report.queued.length;
      await this.enqueue({ job: job.name, level: r.level ?? job.level, scheduled: now, notBefore: now, attempt: 0, source: 'console' }, report);
      if (report.queued.length > before) {
        this.note('info', `${job.name}: run asked for by console "${r.console}" (level ${r.level ?? job.level}) queued`, { job: job.name, client: job.client });
      }
    }
  }

  async tick(): Promise<TickReport> {
    const now = this.o.clock.now();
    const report: TickReport = { now, queued: [], started: [], refused: [], canceled: [], problems: [] };
    const cfg = this.o.config;
    const graceMs = (this.tickIntervalSec + 60) * 1000;
    const timeZone = cfg.director.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

    // 1. the console's requests
    await this.applyRequests(await this.o.takeRequests(), now, report);

    // 2. schedules
    for (const job of cfg.jobs.values()) {
      if (!job.enabled || job.schedule === undefined) continue;
      if (!cfg.clients.get(job.client)!.enabled) {
        this.state.considered.set(job.name, now);
        continue;
      }
      const schedule = cfg.schedules.get(job.schedule)!;
      // Runs since this process's own previous tick are on time however late the tick
      // is; only what lies before this process's first tick can have been missed.
      const up = this.consideredHere.has(job.name);
      const due = scheduledRun(job, schedule, {
        considered: this.state.considered.get(job.name), now, graceMs: up ? Number.POSITIVE_INFINITY : graceMs, timeZone,
        catchUp: job.catchUp ?? cfg.director.catchUp ?? 'latest',
      });
      this.state.considered.set(job.name, now);
      this.consideredHere.add(job.name);
      if (!due) continue;
      if (due.dropped > 0) this.note('warning', `${job.name}: ${due.dropped} run(s) missed while the director was down were dropped (Catch Up = none)`);
      if (due.folded > 1) this.o.log(`${job.name}: ${due.folded} scheduled runs folded into one`);
      await this.enqueue({
        job: job.name, level: due.level, scheduled: due.scheduled, notBefore: due.scheduled, attempt: 0, source: 'schedule',
        ...(due.cartridgeSet !== undefined ? { cartridgeSet: due.cartridgeSet } : {}),
      }, report);
    }

    // 3. due-based jobs (the history is read only when some job needs it)
    let cached: JobRecord[] | undefined;
    const history = async (): Promise<readonly JobRecord[]> => (cached ??= (await this.o.history.list()).records);
    for (const job of cfg.jobs.values()) {
      if (!job.enabled || job.dueAfterSec === undefined || this.isRunning(job.name) || this.isQueued(job.name)) continue;
      const lastOk = lastEnd(await history(), job.name, () => true);
      if (lastOk && now.getTime() - lastOk.getTime() < job.dueAfterSec * 1000) continue;
      const lastStart = this.state.lastStart.get(job.name);
      if (lastStart && job.notMoreOftenThanSec !== undefined && now.getTime() - lastStart.getTime() < job.notMoreOftenThanSec * 1000) continue;
      const client = cfg.clients.get(job.client)!;
      if (!client.enabled || !(await this.o.probeClient(client))) continue;
      await this.enqueue({ job: job.name, level: job.level, scheduled: now, notBefore: now, attempt: 0, source: 'due' }, report);
    }

    // 4. starts
    await this.startQueued(now, history, report);
    await this.persist();
    return report;
  }

  private async startQueued(now: Date, history: () => Promise<readonly JobRecord[]>, report: TickReport): Promise<void> {
    const cfg = this.o.config;
    const order = [...this.state.queue].sort((a, b) => RANK_ORDER(a, b, cfg.jobs));
    for (const q of order) {
      if (q.notBefore.getTime() > now.getTime()) continue;
      const job = cfg.jobs.get(q.job);
      const drop = (): void => {
        this.state.queue = this.state.queue.filter((x) => x !== q);
      };
      if (!job || !job.enabled || !cfg.clients.get(job.client)!.enabled) {
        drop();
        report.problems.push(`queued run of "${q.job}" dropped: ${!job ? 'the job is no longer configured' : !job.enabled ? 'the job is disabled' : `client "${job.client}" is disabled`}`);
        continue;
      }
      if (job.maxStartDelaySec !== undefined && now.getTime() - q.notBefore.getTime() > job.maxStartDelaySec * 1000) {
        drop();
        await this.refuse(job, q, `not started within Max Start Delay (${job.maxStartDelaySec} s after ${this.iso(q.notBefore)})`, report);
        continue;
      }
      if (!job.allowDuplicateJobs && this.isRunning(job.name)) continue;
      if (this.running.size >= cfg.director.maxConcurrentJobs) break;
      if (job.tapeServer !== undefined) {
        const limit = cfg.tapeServers.get(job.tapeServer)!.maxConcurrentJobs;
        const busy = [...this.running.values()].filter((r) => r.plan.job.tapeServer === job.tapeServer).length;
        if (busy >= limit) continue;
      }
      const client = cfg.clients.get(job.client)!;
      const hash = selectionHash(job);
      const lastFull = lastEnd(await history(), job.name, (r) => r.level === 'Full');
      const choice = chooseLevel({
        requested: q.level, selectionNow: hash, now,
        ...(lastFull ? { lastGoodFull: lastFull } : {}),
        ...(this.state.fullSelection.has(job.name) ? { selectionAtLastFull: this.state.fullSelection.get(job.name)! } : {}),
        ...(job.maxFullIntervalSec !== undefined ? { maxFullIntervalSec: job.maxFullIntervalSec } : {}),
      });
      const cartridgeSet = q.cartridgeSet ?? cartridgeSetFor(job, choice.level);
      drop();
      let run: RunningJob;
      try {
        run = await this.o.runner.start({
          job, client, level: choice.level, requested: q.level, scheduled: q.scheduled, start: now, attempt: q.attempt,
          source: q.source, selectionHash: hash,
          ...(choice.reason !== undefined ? { upgradeReason: choice.reason } : {}),
          ...(cartridgeSet !== undefined ? { cartridgeSet } : {}),
        });
      } catch (err) {
        report.problems.push(`${job.name}: cannot start: ${(err as Error).message}`);
        continue;
      }
      this.state.lastStart.set(job.name, now);
      this.running.set(run.id, run);
      report.started.push({ id: run.id, job: job.name, level: choice.level, attempt: q.attempt });
      this.note('info', `job ${run.id} (${job.name}) started on client ${client.name}, level ${choice.level}${choice.reason ? ` (upgraded: ${choice.reason})` : ''}` +
        `${q.attempt > 0 ? `, reschedule ${q.attempt} of ${job.rescheduleTimes}` : ''}, ${q.source === 'console' ? 'asked for by a console' : `${q.source} run due ${this.iso(q.scheduled)}`}`,
        { jobid: run.id, job: job.name, client: client.name });
      const settled = run.done.then((outcome) => this.finished(run, q, outcome)).catch((err: unknown) => {
        this.o.log(`job ${run.id}: ${(err as Error).message}`);
      }).finally(() => {
        this.settling.delete(settled);
      });
      this.settling.add(settled);
    }
  }

  private async finished(run: RunningJob, q: QueuedRun, outcome: JobOutcome): Promise<void> {
    this.running.delete(run.id);
    const job = run.plan.job;
    const ref = { jobid: run.id, job: job.name, client: run.plan.client.name };
    this.note(outcome.status === 'ok' ? 'terminate' : outcome.status === 'error' ? 'error' : 'warning',
      `job ${run.id} (${job.name}) ended: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}` +
      `${outcome.files !== undefined ? `, ${outcome.files} files, ${outcome.bytes ?? 0} bytes` : ''}`, ref);
    if (outcome.status === 'ok' && run.plan.level === 'Full') this.state.fullSelection.set(job.name, run.plan.selectionHash);
    if (outcome.status === 'error' && job.rescheduleOnError && q.attempt >= job.rescheduleTimes && job.rescheduleTimes > 0) {
      this.note('error', `job ${run.id} (${job.name}) failed after ${q.attempt} reschedule(s); not rescheduled again (Reschedule Times = ${job.rescheduleTimes})`, ref);
    }
    if (outcome.status === 'error' && job.rescheduleOnError && q.attempt < job.rescheduleTimes) {
      const at = new Date(outcome.end.getTime() + job.rescheduleIntervalSec * 1000);
      this.state.queue.push({
        job: job.name, level: q.level, scheduled: at, notBefore: at, attempt: q.attempt + 1, source: 'retry',
        ...(q.cartridgeSet !== undefined ? { cartridgeSet: q.cartridgeSet } : {}),
      });
      this.note('info', `job ${run.id} (${job.name}) rescheduled for ${this.iso(at)} (attempt ${q.attempt + 1} of ${job.rescheduleTimes}, Reschedule Interval ${job.rescheduleIntervalSec} s)`, ref);
    }
    await this.persist();
    if (this.o.onFinished) await this.o.onFinished(run, outcome);
  }

  private persist(): Promise<void> {
    this.saving = this.saving.then(() => this.o.saveState(this.state));
    return this.saving;
  }

  /** Resolves when every job started so far has ended and its end has been handled. */
  async settle(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    await this.saving;
  }

  /**
   * Waits up to `graceMs` (clock time) for running jobs — less when `hurry` fires (a
   * second signal) — then cancels the rest and waits for them.
   */
  async shutdown(graceMs: number, hurry?: AbortSignal): Promise<void> {
    if (this.running.size > 0) {
      this.o.log(`stopping: waiting up to ${Math.round(graceMs / 1000)} s for ${this.running.size} running job(s)`);
      const timer = new AbortController();
      const onHurry = (): void => timer.abort();
      hurry?.addEventListener('abort', onHurry, { once: true });
      if (hurry?.aborted) timer.abort();
      await Promise.race([this.settle(), this.o.clock.sleep(graceMs, timer.signal)]);
      hurry?.removeEventListener('abort', onHurry);
      timer.abort();
      for (const r of this.running.values()) r.cancel('the director is stopping (Shutdown Grace Period passed)');
    }
    await this.settle();
    await this.persist();
  }
}

/** End (or start) of the job's newest successful record matching `pick`. */
export function lastEnd(records: readonly JobRecord[], job: string, pick: (r: JobRecord) => boolean): Date | undefined {
  let best: Date | undefined;
  for (const r of records) {
    if (r.job !== job || r.status !== 'ok' || !pick(r)) continue;
    const t = r.end ?? r.start;
    if (t === undefined) continue;
    const d = new Date(t);
    if (!best || d.getTime() > best.getTime()) best = d;
  }
  return best;
}

export { cartridgeSetFor } from './run-level.js';
