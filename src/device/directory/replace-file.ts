/**
 * Small plain-text state files, replaced atomically: the new text goes to a temporary
 * file beside the old one and is renamed over it, so a reader (or a crash) sees the
 * old text or the new, never a mixture. Locks live on separate .lck files, so the
 * rename never changes the inode anybody has locked.
 */
import fs from 'node:fs';

/** Replaces a small text file atomically: write a temporary file beside it, then rename. */
export function replaceFile(path: string, text: string, durable = false): void {
  const tmp = `${path}.tmp${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

/** fsyncs a directory, so that renames and new files in it survive a crash. */
export function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on directories; the data itself was synced */
  } finally {
    if (fd !== -1) fs.closeSync(fd);
  }
}
