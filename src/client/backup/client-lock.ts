/**
 * The client lock of full_backup, incr_backup and update_indexes (spec §6.4 step 1):
 * only one of them may work on a client var directory at a time.
 *
 * The lock is a kernel flock() on the LockFile itself, taken without waiting (a
 * second run is refused at once with CANNOT_LOCK, exit status 81), so a killed run
 * never leaves a stale lock behind. While held, the file holds `<pid>\n` (the
 * original writes the same, followed by a NUL byte, which we add too) so that an
 * administrator, or the refusal message, can name the holder. The file is emptied
 * when the lock is released.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError, isAfError } from '../../errors.js';
import { withLock } from '../../state/file-lock.js';

/** The pid written in a lock file, or undefined. */
export function lockHolder(lockFile: string): number | undefined {
  try {
    const m = /^\s*(\d+)/.exec(fs.readFileSync(lockFile, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fn` while holding the client lock; refuses at once when another process holds it. */
export async function withClientLock<R>(lockFile: string, fn: () => Promise<R>): Promise<R> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  try {
    return await withLock(
      lockFile,
      'ex',
      async () => {
        fs.writeFileSync(lockFile, `${process.pid}\n\0`);
        try {
          return await fn();
        } finally {
          try {
            fs.truncateSync(lockFile, 0);
          } catch {
            /* the lock file went away: nothing to empty */
          }
        }
      },
      { timeoutMs: 0 },
    );
  } catch (e) {
    if (isAfError(e, 'CANNOT_LOCK') && /not granted/.test(e.message)) {
      const pid = lockHolder(lockFile);
      throw new AfError(
        'CANNOT_LOCK',
        `another backup program holds the client lock "${lockFile}"${pid !== undefined ? ` (process ${pid})` : ''}; not started`,
      );
    }
    throw e;
  }
}
