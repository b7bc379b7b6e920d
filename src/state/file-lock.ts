/**
 * Kernel flock() locks on a separate lock file (`<file>.lck`), held for the duration
 * of one callback.
 *
 * The lock lives on its own file so that replacing a state file by rename never
 * changes the inode that is locked, and in the kernel so that a killed process
 * never leaves a stale lock. Waiting polls with the non-blocking flag (20 ms growing
 * to 200 ms) and never blocks the event loop; after the timeout (10 s by default)
 * it fails with CANNOT_LOCK. Two handles of one process exclude each other too,
 * because flock() belongs to the open file description.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AfError } from '../errors.js';
import { errnoName, native, tryFlock } from '../native.js';
import { stateIo } from './state-errors.js';

export type LockKind = 'sh' | 'ex';

export interface LockOptions {
  /** Give up after this long (default 10 000 ms); 0 tries exactly once. */
  timeoutMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const FIRST_DELAY_MS = 20;
const MAX_DELAY_MS = 200;


/** The lock file that guards `file`. */
export function lockPathFor(file: string): string {
  return `${file}.lck`;
}


async function openLockFile(lockPath: string, kind: LockKind): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A reader without write permission may still share-lock an existing lock file.
    if (kind === 'sh' && (code === 'EACCES' || code === 'EROFS' || code === 'EPERM')) {
      try {
        return await fs.promises.open(lockPath, fs.constants.O_RDONLY);
      } catch {
        /* report the first error */
      }
    }
    throw stateIo('open the lock file', lockPath, err);
  }
}

/**
 * Takes a `kind` lock on `lockPath` (created 0600 if missing), runs `fn`, and
 * releases the lock when `fn` settles.
 */
export async function withLock<R>(
  lockPath: string,
  kind: LockKind,
  fn: () => R | Promise<R>,
  opts: LockOptions = {},
): Promise<R> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const addon = native();
  const handle = await openLockFile(lockPath, kind);
  try {
    const started = performance.now();
    let delay = FIRST_DELAY_MS;
    for (;;) {
      const r = tryFlock(handle.fd, kind);
      if (r === 'locked') break;
      if (r !== 'busy') throw new AfError('CANNOT_LOCK', `"${lockPath}": ${r.syscall} failed with ${errnoName(r.errno)}`);
      const waited = performance.now() - started;
      if (waited >= timeoutMs) {
        const what = kind === 'ex' ? 'an exclusive' : 'a shared';
        throw new AfError('CANNOT_LOCK', `"${lockPath}": ${what} lock was not granted within ${timeoutMs} ms`);
      }
      const jitter = Math.random() * delay * 0.25;
      await sleep(Math.min(delay + jitter, Math.max(1, timeoutMs - waited)));
      delay = Math.min(MAX_DELAY_MS, Math.round(delay * 1.5));
    }
    try {
      return await fn();
    } finally {
      addon.unlock(handle.fd);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}
