/**
 * One idea: the contract between the scheduler and whatever runs a job — what the
 * scheduler decides before a start (StartPlan) and what it gets back (a RunningJob
 * that can be canceled and settles with an outcome). The real runner is
 * job-runner.ts; tests give the scheduler a fake one.
 */
import type { ClientResource, JobResource, Level } from '../conf/model.js';
import type { RunSource } from '../daemon/schedule-state.js';

export interface StartPlan {
  readonly job: JobResource;
  readonly client: ClientResource;
  /** The level it runs at (after any upgrade). */
  readonly level: Level;
  /** The level that was asked for. */
  readonly requested: Level;
  readonly upgradeReason?: string;
  readonly cartridgeSet?: number;
  readonly scheduled: Date;
  readonly start: Date;
  /** 0 = first run, n = n-th reschedule. */
  readonly attempt: number;
  readonly source: RunSource;
  readonly selectionHash: string;
}

export type OutcomeStatus = 'ok' | 'error' | 'canceled';

export interface JobOutcome {
  readonly status: OutcomeStatus;
  readonly end: Date;
  readonly error?: string;
  readonly files?: number;
  readonly bytes?: number;
  readonly cartridges?: readonly number[];
}

export interface RunningJob {
  /** The history id of the run. */
  readonly id: number;
  readonly plan: StartPlan;
  readonly done: Promise<JobOutcome>;
  /** Stops the run (its process group); the outcome becomes canceled. */
  cancel(reason: string): void;
}

export interface JobRunner {
  start(plan: StartPlan): Promise<RunningJob>;
}
