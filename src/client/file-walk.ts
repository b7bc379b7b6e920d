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

/** Opens a regular file for saving (not following a symlink swapped in since the walk). */
export function openForSaving(path: Buffer): Promise<fs.promises.FileHandle> {
  return fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
}

/**
 * A regular file's bytes in pieces, read as the packer asks for them; closes the
 * file at the end. With `keepAtime` the access time the file had before is put
 * back afterwards (afclient does this unless -K), when we are allowed to.
 */
export async function* fileContents(fh: fs.promises.FileHandle, chunk = 65536, keepAtime = false): AsyncGenerator<Buffer> {
  let before: fs.Stats | null = null;
  if (keepAtime) {
    try {
      before = await fh.stat();
    } catch {
      before = null;
    }
  }
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(chunk);
      const { bytesRead } = await fh.read(buf, 0, chunk, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    if (before) {
      try {
        // Only when reading moved it (most mounts use relatime or noatime): utimes
        // also touches the change time, which is best left alone.
        const after = await fh.stat();
        if (after.atimeMs !== before.atimeMs && after.mtimeMs === before.mtimeMs) await fh.utimes(before.atime, before.mtime);
      } catch {
        /* not ours to change: the access time stays as reading left it */
      }
    }
    await fh.close();
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
