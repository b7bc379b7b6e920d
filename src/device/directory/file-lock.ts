/**
 * A kernel lock (flock) on a separate lock file, held through an open descriptor.
 * The kernel drops it when the descriptor closes or the process dies, so a killed
 * server never leaves a drive or a changer locked. flock belongs to the open file
 * description: two FileLocks on the same path conflict even inside one process,
 * just as a second open() of a tape drive fails with EBUSY.
 */
import fs from 'node:fs';
import { AfError } from '../../errors.js';
import { errnoName, isErrno, native, tryFlock, type ErrnoResult } from '../../native.js';

export class FileLock {
  private constructor(
    readonly path: string,
    private fdValue: number,
  ) {}

  /** The descriptor of the lock file (the file may carry a little state of its own). */
  get fd(): number {
    return this.fdValue;
  }

  /**
   * Takes an exclusive lock without waiting. Returns undefined when someone else holds
   * it. Creates the lock file when needed; a failure to open it is thrown as is.
   */
  static tryExclusive(path: string): FileLock | undefined {
    return FileLock.take(path, 'ex', true);
  }

  /** Waits for an exclusive lock (for short critical sections only: it blocks the thread). */
  static exclusive(path: string): FileLock {
    return FileLock.take(path, 'ex', false)!;
  }

  /** Waits for a shared lock (for short critical sections only). */
  static shared(path: string): FileLock {
    return FileLock.take(path, 'sh', false)!;
  }

  private static take(path: string, kind: 'ex' | 'sh', nonblocking: boolean): FileLock | undefined {
    const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    let r: ReturnType<typeof tryFlock> | 0 | ErrnoResult;
    try {
      r = nonblocking ? tryFlock(fd, kind) : native().flock(fd, kind, false);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    if (r === 'locked' || r === 0) return new FileLock(path, fd);
    fs.closeSync(fd);
    if (r === 'busy') return undefined;
    throw new AfError('DEVICE_IO', `cannot lock "${path}": ${isErrno(r) ? `${r.syscall} failed with ${errnoName(r.errno)}` : 'unknown result'}`);
  }

  get held(): boolean {
    return this.fdValue !== -1;
  }

  /** Releases the lock (closing the descriptor). Safe to call twice. */
  release(): void {
    if (this.fdValue === -1) return;
    const fd = this.fdValue;
    this.fdValue = -1;
    fs.closeSync(fd);
  }
}

/** Runs fn while holding a short exclusive lock on path. */
export function withExclusive<T>(path: string, fn: () => T): T {
  const lock = FileLock.exclusive(path);
  try {
    return fn();
  } finally {
    lock.release();
  }
}

/** Runs fn while holding a short shared lock on path. */
export function withShared<T>(path: string, fn: () => T): T {
  const lock = FileLock.shared(path);
  try {
    return fn();
  } finally {
    lock.release();
  }
}
