/**
 * The single loader of the afnative addon (native/). Loaded lazily so that programs
 * that never touch a device or a lock start without it. The addon decides nothing:
 * every call returns a value or {errno, syscall}; this module turns the latter into
 * an ErrnoResult that callers map to AfError codes at the device edge.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import { AfError } from './errors.js';

export interface ErrnoResult {
  errno: number;
  syscall: string;
}

export interface NativeAddon {
  flock(fd: number, kind: 'sh' | 'ex', nonblocking: boolean): 0 | ErrnoResult;
  unlock(fd: number): 0 | ErrnoResult;
  /** Points fds 1 and 2 at /dev/null (they may be the client's socket). */
  nullStdio(): 0 | ErrnoResult;
  [name: string]: unknown;
}

let cached: NativeAddon | undefined;

/** Directory of the repository (works from src/ under tsx and from dist/ after the build). */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..');
}

export function native(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = process.env.AF_NATIVE_ADDON ?? path.join(packageRoot(), 'native', 'build', 'Release', 'afnative.node');
  try {
    cached = require(file) as NativeAddon;
  } catch (e) {
    throw new AfError('NATIVE_MISSING', `cannot load "${file}" (run "npm run build:addon"): ${(e as Error).message}`);
  }
  return cached;
}

export function isErrno(r: unknown): r is ErrnoResult {
  return typeof r === 'object' && r !== null && typeof (r as ErrnoResult).errno === 'number';
}

const WOULD_BLOCK = new Set([os.constants.errno.EWOULDBLOCK, os.constants.errno.EAGAIN, os.constants.errno.EINTR]);

/**
 * flock() without waiting: 'locked' when taken, 'busy' when another open file
 * description holds a conflicting lock (or a signal interrupted the call), else
 * the {errno, syscall} of the real failure. Every lock of the system goes through here.
 */
export function tryFlock(fd: number, kind: 'sh' | 'ex'): 'locked' | 'busy' | ErrnoResult {
  const r = native().flock(fd, kind, true);
  if (r === 0) return 'locked';
  if (isErrno(r) && WOULD_BLOCK.has(r.errno)) return 'busy';
  return isErrno(r) ? r : { errno: 0, syscall: `flock returned ${String(r)}` };
}

/** A readable name for an errno value (EAGAIN, ENOENT, ...). */
export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(os.constants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}
