/**
 * Walking the names given to `afclient -c`: each becomes one packer entry
 * (lstat, so a symlink is saved as a link), directories with -R contribute their
 * contents first, in readdir order, and themselves afterwards. A file with more
 * than one link is stored once; its later names become HARDLINK entries that
 * point at the first stored name. Paths are Buffers from start to end, so any
 * byte sequence that is a valid file name is saved exactly.
 */
import fs from 'node:fs';
import type { Entry, RegularFile } from '../archive/records.js';

export interface WalkOptions {
  recursive: boolean;
  /** The unprocess field for regular files (empty: stored plainly). */
  unprocess: Buffer;
}

export type WalkItem =
  | { kind: 'entry'; entry: Entry; path: Buffer }
  | { kind: 'error'; path: Buffer; message: string };

const SLASH = 0x2f;

/** The name without trailing slashes (but `/` stays `/`). */
export function trimSlashes(name: Buffer): Buffer {
  let end = name.length;
  while (end > 1 && name[end - 1] === SLASH) end--;
  return name.subarray(0, end);
}

export function joinName(dir: Buffer, child: Buffer): Buffer {
  return dir.length > 0 && dir[dir.length - 1] === SLASH ? Buffer.concat([dir, child]) : Buffer.concat([dir, Buffer.of(SLASH), child]);
}

export class FileWalker {
  private readonly firstNames = new Map<string, Buffer>();

  constructor(private readonly opts: WalkOptions) {}

  *walk(names: Iterable<Buffer>): Generator<WalkItem> {
    for (const n of names) yield* this.visit(trimSlashes(n));
  }

  private *visit(name: Buffer): Generator<WalkItem> {
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(name, { bigint: true });
    } catch (e) {
      yield { kind: 'error', path: name, message: (e as Error).message };
      return;
    }
    if (st.isDirectory() && this.opts.recursive) {
      let children: Buffer[];
      try {
        children = directoryOrder(name);
      } catch (e) {
        yield { kind: 'error', path: name, message: (e as Error).message };
        children = [];
      }
      for (const c of children) yield* this.visit(joinName(name, c));
    }
    let entry: Entry | null;
    try {
      entry = this.entryOf(name, st);
    } catch (e) {
      yield { kind: 'error', path: name, message: (e as Error).message };
      return;
    }
    if (entry) yield { kind: 'entry', entry, path: name };
    else yield { kind: 'error', path: name, message: 'file type cannot be saved' };
  }

  private entryOf(name: Buffer, st: fs.BigIntStats): Entry | null {
    const head = {
      name,
      mode: Number(st.mode),
      mtime: Number(st.mtimeMs / 1000n),
      uid: Number(st.uid),
      gid: Number(st.gid),
    };
    if (!st.isDirectory() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.firstNames.get(key);
      if (first) return { kind: 'hardlink', ...head, target: first };
      this.firstNames.set(key, name);
    }
    if (st.isFile()) {
      const file: RegularFile = {
        kind: 'file',
        ...head,
        crc: false,
        unprocess: this.opts.unprocess,
        size: this.opts.unprocess.length > 0 ? 0 : Number(st.size),
      };
      return file;
    }
    if (st.isDirectory()) return { kind: 'directory', ...head };
    if (st.isSymbolicLink()) return { kind: 'symlink', ...head, target: fs.readlinkSync(name, { encoding: 'buffer' }) };
    if (st.isFIFO()) return { kind: 'fifo', ...head };
    if (st.isSocket()) return { kind: 'socket', ...head };
    if (st.isBlockDevice()) return { kind: 'blockdevice', ...head, rdev: Number(st.rdev) };
    if (st.isCharacterDevice()) return { kind: 'chardevice', ...head, rdev: Number(st.rdev) };
    return null;
  }
}

/** Opens a regular file for saving (not following a symlink swapped in since the walk); returns the descriptor. */
export function openForSaving(path: Buffer): number {
  return fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
}

/** Files up to this size are read with synchronous calls: a thread-pool round trip costs more than the read. */
export const SYNC_READ_LIMIT = 1 << 20;
/** The piece size of reads from larger files. */
const LARGE_READ = 1 << 20;

function readAsync(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, null, (e, n) => (e ? reject(e) : resolve(n))));
}

/**
 * A regular file's bytes in pieces, read as the packer asks for them; closes the
 * descriptor at the end. With `keepAtime` the access time the file had before is
 * put back afterwards (afclient does this unless -K), when we are allowed to.
 * `sizeHint` (the size the walk saw) picks the reads: synchronous ones on this
 * thread for small files, the thread pool for large ones, so that reading a large
 * file overlaps with sending.
 */
export async function* fileContents(fd: number, chunk = 65536, keepAtime = false, sizeHint = Infinity): AsyncGenerator<Buffer> {
  const sync = sizeHint <= SYNC_READ_LIMIT;
  let before: fs.Stats | null = null;
  if (keepAtime) {
    try {
      before = fs.fstatSync(fd);
    } catch {
      before = null;
    }
  }
  // Large files: the next piece is read (on the pool) while this one is sent.
  let ahead: Promise<Buffer> | null = null;
  const readAhead = (): Promise<Buffer> => {
    const buf = Buffer.allocUnsafe(LARGE_READ);
    const p = readAsync(fd, buf).then((n) => buf.subarray(0, n));
    p.catch(() => undefined);
    return p;
  };
  try {
    if (sync) {
      for (;;) {
        const buf = Buffer.allocUnsafe(chunk);
        const bytesRead = fs.readSync(fd, buf, 0, chunk, null);
        if (bytesRead === 0) return;
        yield buf.subarray(0, bytesRead);
      }
    }
    ahead = readAhead();
    for (;;) {
      const got = await ahead;
      ahead = null;
      if (got.length === 0) return;
      ahead = readAhead();
      yield got;
    }
  } finally {
    // A read still under way must end before the descriptor is closed (its number could be reused).
    if (ahead) await ahead.catch(() => undefined);
    if (before) {
      try {
        // Only when reading moved it (most mounts use relatime or noatime): utimes
        // also touches the change time, which is best left alone.
        const after = fs.fstatSync(fd);
        if (after.atimeMs !== before.atimeMs && after.mtimeMs === before.mtimeMs) fs.futimesSync(fd, before.atime, before.mtime);
      } catch {
        /* not ours to change: the access time stays as reading left it */
      }
    }
    fs.closeSync(fd);
  }
}

/**
 * A directory's names in the order the file system hands them out (readdir order),
 * as afbackup packed them. fs.readdirSync sorts (libuv's scandir does), so the
 * directory is read entry by entry instead.
 */
export function directoryOrder(dir: Buffer): Buffer[] {
  const d = fs.opendirSync(dir as unknown as string, { encoding: 'buffer' as BufferEncoding });
  const names: Buffer[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name as unknown as Buffer);
  } finally {
    d.closeSync();
  }
  return names;
}
