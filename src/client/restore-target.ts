/**
 * Safe extraction: where an archive name lands on disk, and creating it there
 * without ever writing outside the destination.
 *
 * A name is split into components; `..` anywhere is refused, `.` and empty
 * components vanish. With -r (relative) leading slashes are stripped and the
 * destination is the working directory: no component on the way may then be a
 * symbolic link. Without -r an absolute name is restored where it says (as
 * afclient does), but never through a symbolic link this extraction created
 * itself (the "symlink first, then a file through it" trick). An existing leaf
 * is replaced only with -u, by unlinking it first; regular files are created
 * with O_EXCL|O_NOFOLLOW, so a link swapped in is never followed. All paths are
 * Buffers; syscalls get paths relative to the working directory, so a name as
 * long as PATH_MAX works even when the working directory's own path is long.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const SLASH = 0x2f;

export interface Placed {
  path: Buffer;
  /** The name as printed by -v (leading slashes stripped with -r). */
  shown: Buffer;
}

export class Refused extends Error {}

export interface RestoreOptions {
  relative: boolean;
  overwrite: boolean;
  /** Restore owners (only root can). */
  owners: boolean;
}

export interface Attributes {
  mode: number;
  mtime: number;
  uid: number;
  gid: number;
}

function splitName(name: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name[i] === SLASH) {
      if (i > start) parts.push(name.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

const isDot = (b: Buffer): boolean => b.length === 1 && b[0] === 0x2e;
const isDotDot = (b: Buffer): boolean => b.length === 2 && b[0] === 0x2e && b[1] === 0x2e;

function joinParts(parts: Buffer[], absolute: boolean): Buffer {
  const out: Buffer[] = [];
  if (absolute) out.push(Buffer.of(SLASH));
  parts.forEach((p, i) => {
    if (i > 0) out.push(Buffer.of(SLASH));
    out.push(p);
  });
  return Buffer.concat(out);
}

export class RestoreTarget {
  /** Symlinks created by this extraction (paths as latin1 keys). */
  private readonly createdLinks = new Set<string>();
  private tmpDir: string | null = null;
  private tmpCount = 0;
  /**
   * Directories above a leaf that were found (or made) safe in this extraction, so
   * that a tree of many small files is not checked again for every entry. Anything
   * this extraction removes empties it (a removed directory may come back as a link).
   */
  private readonly checkedDirs = new Set<string>();

  constructor(private readonly opts: RestoreOptions) {}

  /** Where `name` goes; throws Refused for names that would leave the destination. */
  place(name: Buffer): Placed & { parts: Buffer[]; absolute: boolean } {
    let n = name;
    if (this.opts.relative) {
      let i = 0;
      while (i < n.length && n[i] === SLASH) i++;
      n = n.subarray(i);
    }
    const absolute = n.length > 0 && n[0] === SLASH;
    const raw = splitName(n);
    if (raw.some(isDotDot)) throw new Refused('the name contains a ".." component');
    const parts = raw.filter((p) => !isDot(p));
    if (parts.length === 0) throw new Refused('the name is empty');
    return { path: joinParts(parts, absolute), shown: n, parts, absolute };
  }

  /** Creates the missing directories above the leaf; refuses symlinks on the way. */
  prepareParents(parts: Buffer[], absolute: boolean): void {
    for (let i = 0; i < parts.length - 1; i++) {
      const p = joinParts(parts.slice(0, i + 1), absolute);
      const key = p.toString('latin1');
      if (this.checkedDirs.has(key)) continue;
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st) {
        fs.mkdirSync(p, { mode: 0o755 });
        this.checkedDirs.add(key);
        continue;
      }
      if (st.isSymbolicLink()) {
        if (!absolute || this.createdLinks.has(p.toString('latin1'))) {
          throw new Refused(`the path leads through the symbolic link ${p.toString('latin1')}`);
        }
        if (!fs.statSync(p).isDirectory()) throw new Refused(`${p.toString('latin1')} is not a directory`);
        continue;
      }
      if (!st.isDirectory()) throw new Refused(`${p.toString('latin1')} is not a directory`);
      this.checkedDirs.add(key);
    }
  }

  /**
   * Makes room for the leaf: 'free' when nothing is there, 'dir' when a directory
   * is there and a directory is wanted; otherwise unlinks with -u or refuses.
   */
  clearLeaf(p: Buffer, wantDir: boolean): 'free' | 'dir' {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return 'free';
    if (wantDir && st.isDirectory()) return 'dir';
    if (!this.opts.overwrite) throw new Refused('it exists (use -u to replace it)');
    if (st.isDirectory()) fs.rmdirSync(p);
    else fs.unlinkSync(p);
    this.createdLinks.delete(p.toString('latin1'));
    this.checkedDirs.clear();
    return 'free';
  }

  /** Full preparation of a leaf. */
  prepare(name: Buffer, wantDir = false): Placed & { state: 'free' | 'dir' } {
    const pl = this.place(name);
    this.prepareParents(pl.parts, pl.absolute);
    return { path: pl.path, shown: pl.shown, state: this.clearLeaf(pl.path, wantDir) };
  }

  /** Opens a new regular file for writing (never follows or reuses an existing entry). */
  createFile(p: Buffer): number {
    const c = fs.constants;
    return fs.openSync(p, c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW, 0o600);
  }

  /** Owner, mode and times of a file still open. */
  finishFile(fd: number, a: Attributes): void {
    if (this.opts.owners) fs.fchownSync(fd, a.uid, a.gid);
    fs.fchmodSync(fd, a.mode & 0o7777);
    fs.futimesSync(fd, a.mtime, a.mtime);
  }

  makeDirectory(p: Buffer, state: 'free' | 'dir', a: Attributes): void {
    if (state === 'free') fs.mkdirSync(p, { mode: 0o700 });
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) throw new Refused('it is not a directory');
    if (this.opts.owners) fs.lchownSync(p, a.uid, a.gid);
    fs.chmodSync(p, a.mode & 0o7777);
    fs.utimesSync(p, a.mtime, a.mtime);
  }

  makeSymlink(p: Buffer, target: Buffer, a: Attributes): void {
    fs.symlinkSync(target, p);
    this.createdLinks.add(p.toString('latin1'));
    if (this.opts.owners) fs.lchownSync(p, a.uid, a.gid);
  }

  /** A hard link to `target`, an earlier name of the same archive (mapped the same way). */
  makeHardlink(p: Buffer, target: Buffer): void {
    const t = this.place(target);
    this.prepareParents(t.parts, t.absolute);
    const st = fs.lstatSync(t.path, { throwIfNoEntry: false });
    if (!st) throw new Refused(`its target ${t.path.toString('latin1')} does not exist`);
    if (st.isDirectory()) throw new Refused('its target is a directory');
    if (st.isSymbolicLink() && this.createdLinks.has(t.path.toString('latin1'))) {
      throw new Refused('its target is a symbolic link made by this extraction');
    }
    fs.linkSync(t.path, p);
  }

  /** A FIFO or device node, made by mkfifo(1)/mknod(1) under an ASCII name and renamed into place. */
  makeNode(p: Buffer, kind: 'fifo' | 'blockdevice' | 'chardevice', a: Attributes, rdev = 0): void {
    if (this.tmpDir === null) this.tmpDir = fs.mkdtempSync(path.join(process.cwd(), '.afclient-'));
    const tmp = path.join(this.tmpDir, `n${this.tmpCount++}`);
    const r =
      kind === 'fifo'
        ? spawnSync('mkfifo', [tmp], { stdio: ['ignore', 'ignore', 'pipe'] })
        : spawnSync('mknod', [tmp, kind === 'blockdevice' ? 'b' : 'c', String(devMajor(rdev)), String(devMinor(rdev))], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
    if (r.status !== 0) throw new Error(`${kind === 'fifo' ? 'mkfifo' : 'mknod'} failed: ${(r.stderr?.toString() ?? r.error?.message ?? '').trim()}`);
    if (this.opts.owners) fs.lchownSync(tmp, a.uid, a.gid);
    fs.chmodSync(tmp, a.mode & 0o7777);
    fs.utimesSync(tmp, a.mtime, a.mtime);
    fs.renameSync(tmp, p);
  }

  /** Removes the helper directory of makeNode. */
  cleanup(): void {
    if (this.tmpDir !== null) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpDir = null;
  }
}

export function devMajor(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}

export function devMinor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}
