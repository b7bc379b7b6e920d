/**
 * After a whole restore with --exact: taking away, below the restore root, the
 * names the index records as deleted (see deletions.ts), so that the restored
 * tree is the state as of the chosen backup.
 *
 * Safety as in a restore: a name with a `..` component is refused, and nothing
 * is removed through a symlink (every parent below the root must be a real
 * directory). A directory is removed only when empty (its remaining contents were
 * saved later and stay). A file, fifo or device is removed only when its mtime is
 * that of its last saved version, i.e. when it is what the restore put there: a
 * file made anew after the backup (restoring over a live tree, or with -m) stays,
 * with a warning. Symbolic links, whose times are not restored, are removed as
 * they are. The times of each parent directory are put back
 * afterwards: removing a name changes them, and the restore had set them to the
 * saved values. Names are Buffers; a leading `/` is dropped as afclient -r does.
 */
import fs from 'node:fs';
import { escapeName } from '../escape.js';
import { climbsOut } from './restore-run.js';
import type { DeletedName } from './deletions.js';

export interface RemoveReport {
  /** A name removed (for -v). */
  removed(name: Buffer): void;
  /** A name that could not be removed, and why. */
  problem(name: Buffer, why: string): void;
  /** A name left alone on purpose (not the restored version), and why. */
  kept(name: Buffer, why: string): void;
}

export interface RemoveResult {
  removed: number;
  problems: number;
}

const SLASH = 0x2f;

function relative(name: Buffer): Buffer {
  let i = 0;
  while (i < name.length && name[i] === SLASH) i++;
  return name.subarray(i);
}

export function removeDeleted(root: string, names: readonly DeletedName[], report: RemoveReport): RemoveResult {
  const top = Buffer.from(root);
  const at = (rel: Buffer): Buffer => Buffer.concat([top, Buffer.of(SLASH), rel]);
  const realDir = new Map<string, boolean>();
  const parentTimes = new Map<string, { path: Buffer; atime: Date; mtime: Date }>();
  const result: RemoveResult = { removed: 0, problems: 0 };
  const fail = (name: Buffer, why: string): void => {
    result.problems++;
    report.problem(name, why);
  };
  const parentsAreDirs = (rel: Buffer): boolean => {
    for (let i = rel.indexOf(SLASH); i > 0; i = rel.indexOf(SLASH, i + 1)) {
      const k = rel.subarray(0, i).toString('latin1');
      let ok = realDir.get(k);
      if (ok === undefined) {
        try {
          ok = fs.lstatSync(at(rel.subarray(0, i))).isDirectory();
        } catch {
          ok = false;
        }
        realDir.set(k, ok);
      }
      if (!ok) return false;
    }
    return true;
  };
  // Children sort after their parents, so reverse byte order removes them first.
  const sorted = names.map((n) => ({ ...n, rel: relative(n.name) })).sort((a, b) => Buffer.compare(b.rel, a.rel));
  for (const { name, rel, savedMtime } of sorted) {
    if (rel.length === 0 || climbsOut(rel)) {
      fail(name, 'not removed: the name could leave the restore root');
      continue;
    }
    if (!parentsAreDirs(rel)) continue; // not restored (or a symlink stands in the way): nothing of ours to remove
    const p = at(rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue; // not restored
    }
    if (!st.isDirectory() && !st.isSymbolicLink() && (savedMtime === undefined || Math.floor(st.mtimeMs / 1000) !== savedMtime)) {
      report.kept(name, savedMtime === undefined ? 'kept: the index gives no mtime to tell the restored version' : 'kept: it is not the version the backup saved (made after it?)');
      continue;
    }
    const cut = rel.lastIndexOf(SLASH);
    const parent = cut > 0 ? at(rel.subarray(0, cut)) : top;
    const pk = parent.toString('latin1');
    if (!parentTimes.has(pk)) {
      const ps = fs.lstatSync(parent);
      parentTimes.set(pk, { path: parent, atime: ps.atime, mtime: ps.mtime });
    }
    try {
      if (st.isDirectory()) fs.rmdirSync(p);
      else fs.unlinkSync(p);
      result.removed++;
      realDir.delete(rel.toString('latin1'));
      report.removed(name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      fail(name, code === 'ENOTEMPTY' || code === 'EEXIST' ? 'not removed: the directory holds names saved later' : `not removed: ${(e as Error).message}`);
    }
  }
  for (const { path, atime, mtime } of parentTimes.values()) {
    try {
      fs.utimesSync(path, atime, mtime);
    } catch {
      /* removed itself meanwhile */
    }
  }
  return result;
}

/** A name as shown in messages. */
export const shown = (name: Buffer): string => escapeName(name).toString('latin1');
