/**
 * Test plumbing for the director daemon: a configuration from text over a temporary
 * var directory, a clock the test moves by hand, and a fake job runner whose runs end
 * when (and how) the test says — so the scheduler's tick logic runs without processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfText } from '../../src/director/conf/parser.js';
import { validateConfig } from '../../src/director/conf/validate.js';
import type { DirectorConfig } from '../../src/director/conf/model.js';
import { JobHistory } from '../../src/director/history/store.js';
import type { JobOutcome, JobRunner, OutcomeStatus, RunningJob, StartPlan } from '../../src/director/runner/runner-api.js';
import { isoWithOffset } from '../../src/director/history/job-record.js';
import type { Clock } from '../../src/director/daemon/clock.js';
import { Scheduler } from '../../src/director/daemon/scheduler.js';
import { loadState, saveState } from '../../src/director/daemon/schedule-state.js';
import { takeRequests } from '../../src/director/spool/requests.js';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempVar(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'afdir-'));
  made.push(d);
  return d;
}

export function config(body: string, varDir = tempVar(), director = ''): DirectorConfig {
  const text = `Director { Name = d; Var Directory = "${varDir}"; ${/time zone/i.test(director) ? '' : 'Time Zone = UTC;'} ${/tick interval/i.test(director) ? '' : 'Tick Interval = 60;'} ${/concurrent/i.test(director) ? '' : 'Maximum Concurrent Jobs = 5;'} ${director} }\n${body}\n`;
  return validateConfig(parseConfText(text, 'test.conf'), 'test.conf');
}

export class ManualClock implements Clock {
  /** 'instant': every sleep ends at once; 'until-abort': a sleep ends only when its signal fires. */
  sleepMode: 'instant' | 'until-abort' = 'instant';
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t.getTime());
  }
  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    if (this.sleepMode === 'instant' || signal?.aborted) return Promise.resolve();
    return new Promise((r) => signal?.addEventListener('abort', () => r(), { once: true }));
  }
  set(iso: string): void {
    this.t = new Date(iso);
  }
  advance(sec: number): void {
    this.t = new Date(this.t.getTime() + sec * 1000);
  }
}

export interface FakeRun {
  readonly id: number;
  readonly plan: StartPlan;
  finish(status: OutcomeStatus, error?: string): void;
  canceled?: string;
}

/** Runs end only when the test calls finish(); `auto` ends them at once with the status it returns. */
export class FakeRunner implements JobRunner {
  readonly runs: FakeRun[] = [];
  constructor(private readonly history: JobHistory, private readonly clock: ManualClock, public auto?: (plan: StartPlan) => OutcomeStatus) {}

  async start(plan: StartPlan): Promise<RunningJob> {
    const rec = await this.history.create({
      job: plan.job.name, client: plan.client.name, level: plan.level, status: 'running', start: isoWithOffset(plan.start, 'UTC'),
      scheduled: isoWithOffset(plan.scheduled, 'UTC'), files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: plan.attempt,
    });
    let resolve!: (o: JobOutcome) => void;
    const done = new Promise<JobOutcome>((r) => (resolve = r));
    const history = this.history;
    const clock = this.clock;
    const run: FakeRun = {
      id: rec.id, plan,
      finish(status, error) {
        const end = clock.now();
        void history.update(rec.id, { status, end: isoWithOffset(end, 'UTC'), ...(error ? { error } : {}) }).then(() =>
          resolve({ status, end, ...(error ? { error } : {}) }));
      },
    };
    this.runs.push(run);
    if (this.auto) run.finish(this.auto(plan), this.auto(plan) === 'error' ? 'fake failure' : undefined);
    return { id: rec.id, plan, done, cancel: (why) => { run.canceled = why; run.finish('canceled', why); } };
  }
}

export interface Rig {
  cfg: DirectorConfig;
  clock: ManualClock;
  history: JobHistory;
  runner: FakeRunner;
  scheduler: Scheduler;
  probes: string[];
  answers: Set<string>;
  logs: string[];
}

export async function rig(cfg: DirectorConfig, start: string, auto?: (plan: StartPlan) => OutcomeStatus): Promise<Rig> {
  const clock = new ManualClock(new Date(start));
  const varDir = cfg.director.varDirectory;
  const history = new JobHistory(varDir);
  const runner = new FakeRunner(history, clock, auto);
  const probes: string[] = [];
  const answers = new Set<string>();
  const logs: string[] = [];
  const scheduler = new Scheduler({
    config: cfg, clock, runner, history,
    probeClient: async (c) => {
      probes.push(c.name);
      return answers.has(c.name);
    },
    takeRequests: () => takeRequests(varDir),
    loadState: () => loadState(varDir),
    saveState: (s) => saveState(varDir, s),
    log: (l) => logs.push(l),
  });
  await scheduler.open();
  return { cfg, clock, history, runner, scheduler, probes, answers, logs };
}

/** Ticks every `stepSec` from the clock's time until `untilIso` (inclusive), settling ended jobs after each tick. */
export async function tickThrough(r: Rig, untilIso: string, stepSec = 60): Promise<void> {
  const until = Date.parse(untilIso);
  while (r.clock.t.getTime() <= until) {
    await r.scheduler.tick();
    // runs that end by themselves are settled; runs the test ends by hand are left running
    if (r.runner.auto) await r.scheduler.settle();
    else await new Promise((res) => setTimeout(res, 5));
    r.clock.advance(stepSec);
  }
}

export const started = (r: Rig): string[] => r.runner.runs.map((x) => `${x.plan.job.name} ${x.plan.level} ${x.plan.start.toISOString()}`);

/** Ends the named run and waits until the scheduler has handled its end. */
export async function endRun(r: Rig, job: string, status: OutcomeStatus = 'ok'): Promise<void> {
  const run = r.runner.runs.find((x) => x.plan.job.name === job && r.scheduler.running.has(x.id))!;
  run.finish(status);
  while (r.scheduler.running.has(run.id)) await new Promise((res) => setTimeout(res, 5));
}
