/**
 * One idea: the director's events — each one a line in the director's own log
 * (stderr) and a message in `<vardir>/messages` (console/messages-file.ts, the file
 * `afconsole messages` reads), so that what the daemon did can be seen from any
 * console. Events: the director started or stopped, a job started, ended (ok, error,
 * canceled), was rescheduled, refused or canceled by a console, a record left running
 * by a director that stopped, problems with requests or the configuration (a queued
 * run whose job is gone or disabled), notifications that could not be sent, and
 * retention changes.
 *
 * Message types (afconsole(1) MESSAGE FILE): `info` for the ordinary course,
 * `terminate` for a job that ended well, `error` for a failed job or a problem the
 * administrator must fix, `warning` for canceled and refused runs and failed
 * notifications, `audit` for retention changes to cartridges. Appends are chained so
 * that messages keep their order; a message file that cannot be written costs one
 * line in the log, never the director.
 */
import { isoWithOffset } from '../history/job-record.js';
import { appendMessage } from '../console/messages-file.js';

export type EventType = 'info' | 'terminate' | 'error' | 'warning' | 'audit';

/** The job an event belongs to (all three, or none for a director-wide event). */
export interface EventJob {
  readonly jobid?: number;
  readonly job: string;
  readonly client: string;
}

export interface EventSink {
  /** Logs the line and appends it to the message file. */
  (type: EventType, text: string, job?: EventJob): void;
  /** Resolves when every message so far is written. */
  flush(): Promise<void>;
}

export interface EventSinkOptions {
  readonly varDirectory: string;
  readonly timeZone?: string | undefined;
  readonly now: () => Date;
  /** The director's log line (stderr). */
  readonly log: (line: string) => void;
}

export function eventSink(o: EventSinkOptions): EventSink {
  let chain: Promise<void> = Promise.resolve();
  let failed = false;
  const sink = ((type: EventType, text: string, job?: EventJob): void => {
    o.log(text);
    const message = {
      time: isoWithOffset(o.now(), o.timeZone), type, text,
      jobid: job?.jobid ?? null, job: job?.job ?? null, client: job?.client ?? null,
    };
    chain = chain.then(() => appendMessage(o.varDirectory, message)).then(() => {
      failed = false;
    }, (err: unknown) => {
      if (!failed) o.log(`cannot write the message file: ${(err as Error).message}`);
      failed = true; // one line per run of failures, not one per message
    });
  }) as EventSink;
  sink.flush = () => chain;
  return sink;
}
