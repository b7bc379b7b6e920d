/**
 * One idea: where the director's "now" comes from. The daemon and the scheduler read
 * time only through a Clock, so tests (and an administrator trying a schedule out)
 * can run the director on a compressed clock.
 *
 * Test hook: AF_DIRECTOR_CLOCK=<start ISO>,<speed> makes the clock start at that
 * instant when the process starts and run `speed` times as fast as the real one
 * (`2026-03-01T22:00:00Z,600`: ten simulated minutes per real second). Sleeping on
 * such a clock sleeps the real time divided by the speed. `afdirector --now ISO`
 * fixes the instant of a single `--once` tick.
 */
import { AfError } from '../../errors.js';

export interface Clock {
  now(): Date;
  /** Waits this many milliseconds of clock time; resolves early when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: realSleep,
};

/** A clock that starts at `start` and runs `speed` times as fast as the real one. */
export function scaledClock(start: Date, speed: number, realNow: () => number = Date.now): Clock {
  const realStart = realNow();
  return {
    now: () => new Date(start.getTime() + (realNow() - realStart) * speed),
    sleep: (ms, signal) => realSleep(ms / speed, signal),
  };
}

/** A clock that stands still at one instant (for a single tick). */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()), sleep: realSleep };
}

/** Parses an ISO 8601 instant given on the command line or in the environment. */
export function parseInstant(text: string, what: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(d.getTime())) {
    throw new AfError('USAGE', `${what}: "${text}" is not an ISO 8601 date and time such as 2026-03-01T23:05:00+01:00`);
  }
  return d;
}

/** The clock AF_DIRECTOR_CLOCK asks for, or undefined when it is not set. */
export function clockFromEnv(value: string | undefined): Clock | undefined {
  if (value === undefined || value === '') return undefined;
  const [iso, speedText, ...rest] = value.split(',');
  const speed = Number(speedText ?? '1');
  if (rest.length > 0 || !Number.isFinite(speed) || speed <= 0) {
    throw new AfError('USAGE', `AF_DIRECTOR_CLOCK: expected "<start ISO>,<speed>", not "${value}"`);
  }
  return scaledClock(parseInstant(iso ?? '', 'AF_DIRECTOR_CLOCK'), speed);
}
