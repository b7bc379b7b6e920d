/**
 * afbackup's device lock file (Lock-file, `Lck.afbu_server.<locspec>`): whoever holds
 * an exclusive kernel lock on it owns the tape drive.
 *
 * Taking it: open or create the file (0644), lock it without waiting, then write
 * `"<pid> <r|w>\n"` followed by one NUL byte, as afbackup does. The letter only
 * tells others what the holder intends. Giving it up: unlink the file, then close.
 *
 * Because the holder unlinks the file, a second process may have opened the old
 * inode just before; when it then gets the lock, the path already names another
 * file (or none). So after locking we compare the inode of our descriptor with the
 * inode the path names now, and start over when they differ.
 *
 * The kernel drops the lock when the holder dies; the stale file that remains is
 * simply locked and rewritten by the next process.
 */
import fs from 'node:fs';
import { AfError } from '../errors.js';
import { errnoName, native, tryFlock } from '../native.js';
import { isMissing, stateIo } from './state-errors.js';

export type DeviceIntent = 'r' | 'w';

export interface DeviceLockHolder {
  /** PID written by the holder, null when the file holds none (yet). */
  readonly pid: number | null;
  readonly intent: DeviceIntent | null;
}

export interface DeviceLockHandle {
  readonly path: string;
  readonly intent: DeviceIntent;
  /** Rewrites the intent letter (afbackup upgrades `r` to `w` in place). */
  setIntent(intent: DeviceIntent): Promise<void>;
  /** Unlinks the lock file, then closes it (which drops the lock). Idempotent. */
  release(): Promise<void>;
}

export type DeviceLockResult = { held: DeviceLockHandle } | { busy: DeviceLockHolder };

const MAX_ATTEMPTS = 100;

/** The exact bytes afbackup writes into its lock file. */
export function lockContent(pid: number, intent: DeviceIntent): Buffer {
  return Buffer.from(`${pid} ${intent}\n\0`, 'latin1');
}

/** Reads `<pid> <r|w>` from lock-file bytes (up to the first NUL); nulls where absent. */
export function parseHolder(content: Buffer): DeviceLockHolder {
  const nul = content.indexOf(0);
  const text = content.subarray(0, nul < 0 ? content.length : nul).toString('latin1');
  const m = /^[ \t]*(\d+)(?:[ \t]+([rw]))?/.exec(text);
  if (!m) return { pid: null, intent: null };
  const pid = Number(m[1]);
  return { pid: Number.isSafeInteger(pid) ? pid : null, intent: (m[2] as DeviceIntent | undefined) ?? null };
}

/** Who holds (or last held) the lock, for diagnostics; null when there is no lock file. */
export async function readHolder(path: string): Promise<DeviceLockHolder | null> {
  try {
    return parseHolder(await fs.promises.readFile(path));
  } catch (err) {
    if (isMissing(err)) return null;
    throw stateIo('read the lock file', path, err);
  }
}

async function writeContent(handle: fs.promises.FileHandle, path: string, pid: number, intent: DeviceIntent) {
  try {
    await handle.truncate(0);
    await handle.write(lockContent(pid, intent).toString('latin1'), 0, 'latin1');
    await handle.datasync();
  } catch (err) {
    throw stateIo('write the lock file', path, err);
  }
}

/** Removes a non-regular entry (symlink, directory...) at the lock path, as afbackup does. */
async function clearOddEntry(path: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(path);
  } catch (err) {
    if (isMissing(err)) return;
    throw stateIo('inspect the lock file', path, err);
  }
  if (st.isFile()) return;
  try {
    await (st.isDirectory() ? fs.promises.rmdir(path) : fs.promises.unlink(path));
  } catch (err) {
    throw new AfError('CANNOT_LOCK', `"${path}" exists but is not a regular file and cannot be removed`, { cause: err });
  }
}

/**
 * Tries once (without waiting for the holder) to take the device lock with the
 * given intent; retries internally only when the file was replaced under us.
 */
export async function tryAcquire(
  path: string,
  intent: DeviceIntent,
  opts: {
    pid?: number;
    /** Test hook: runs after the file is opened and before it is locked (where the race lives). */
    onOpened?: (attempt: number) => void | Promise<void>;
  } = {},
): Promise<DeviceLockResult> {
  const pid = opts.pid ?? process.pid;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    await clearOddEntry(path);
    let handle: fs.promises.FileHandle;
    try {
      const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
      handle = await fs.promises.open(path, flags, 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOENT') continue; // replaced between lstat and open
      throw stateIo('open the lock file', path, err);
    }
    let keep = false;
    try {
      await opts.onOpened?.(attempt);
      const r = tryFlock(handle.fd, 'ex');
      if (r === 'busy') {
        const bytes = new Uint8Array(64);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
        return { busy: parseHolder(Buffer.from(bytes.buffer, 0, bytesRead)) };
      }
      if (r !== 'locked') throw new AfError('CANNOT_LOCK', `"${path}": ${r.syscall} failed with ${errnoName(r.errno)}`);
      const mine = await handle.stat();
      let current: fs.Stats | null = null;
      try {
        current = await fs.promises.stat(path);
      } catch (err) {
        if (!isMissing(err)) throw stateIo('inspect the lock file', path, err);
      }
      if (!current || current.ino !== mine.ino || current.dev !== mine.dev) continue;
      await writeContent(handle, path, pid, intent);
      keep = true;
      return { held: makeHandle(path, handle, pid, intent) };
    } finally {
      if (!keep) await handle.close().catch(() => undefined);
    }
  }
  throw new AfError('CANNOT_LOCK', `"${path}": the lock file kept being replaced while locking it`);
}

function makeHandle(path: string, handle: fs.promises.FileHandle, pid: number, first: DeviceIntent): DeviceLockHandle {
  let intent = first;
  let released = false;
  return {
    path,
    get intent() {
      return intent;
    },
    async setIntent(next: DeviceIntent) {
      if (released) throw new AfError('INTERNAL', `device lock "${path}" was already released`);
      await writeContent(handle, path, pid, next);
      intent = next;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        // Unlink only the file we hold: someone may have removed it and another process made a new one.
        const mine = await handle.stat();
        const current = await fs.promises.stat(path).catch(() => null);
        if (current && current.ino === mine.ino && current.dev === mine.dev) {
          await fs.promises.unlink(path).catch((err: unknown) => {
            if (!isMissing(err)) throw stateIo('remove the lock file', path, err);
          });
        }
      } finally {
        await handle.close().catch(() => undefined);
      }
    },
  };
}
