/**
 * The selection walk of full_backup / incr_backup (spec §6.4 step 6): which names
 * are handed to afclient, in depth-first post-order (a directory after its
 * contents), like `find -depth`.
 *
 * Each root is a DirsToBackup entry (a path or a glob pattern, relative to the
 * current directory, i.e. RootDirectory) with its own comparison time. An entry is
 * selected when its mtime (or, with UseCTime, its ctime) is at or after that time;
 * directories are tested the same way but are always descended. Skipping:
 *   DirsToSkip   a directory matching one of these patterns is pruned;
 *   FilesToSkip  a non-directory matching one is left out;
 *   a pattern without `/` is matched against the last name component, one with `/`
 *   against the whole path. ExcludeListFile names a file that, found in a
 *   directory, lists (one per line) patterns of entries of that directory to leave
 *   out, directories included. FilesystemTypes: `t`/`+t` save only entries on these
 *   types, `-t` do not save entries on it but descend, `/t` do not descend into it.
 *   A `.//.` (one file system) root is not descended below mount points.
 * onVisit, when given, hears of every name the walk reaches, skipped or not.
 * Names are Buffers throughout; nothing is decoded.
 */
import fs from 'node:fs';
import { expandPattern, matchGlob } from './glob.js';
import type { FsTypeOf } from './filesystems.js';
import type { FilesystemTypeRule } from '../../config/client-config.js';

export interface SelectionRoot {
  /** The entry as configured (cleaned), a path or a pattern. */
  readonly pattern: Buffer;
  readonly oneFilesystem: boolean;
  /** Epoch seconds: entries older than this are not selected (0 = everything). */
  readonly cmpTime: number;
}

export interface SelectionOptions {
  readonly filesToSkip: readonly Buffer[];
  readonly dirsToSkip: readonly Buffer[];
  readonly excludeListFile?: Buffer | undefined;
  readonly filesystemTypes: readonly FilesystemTypeRule[];
  readonly useCTime: boolean;
  /** Needed only when filesystemTypes is not empty. */
  readonly fsTypeOf?: FsTypeOf | undefined;
  /** Told every name that exists, selected or not (for deletion tracking); `isRoot` for an entry's own match. */
  readonly onVisit?: ((name: Buffer, isRoot: boolean) => void) | undefined;
}

export type SelectionItem =
  | { readonly kind: 'entry'; readonly name: Buffer; readonly isFile: boolean; readonly size: number }
  | { readonly kind: 'warning'; readonly name: Buffer; readonly message: string }
  | { readonly kind: 'noMatch'; readonly pattern: Buffer };

const SLASH = 0x2f;

function basename(name: Buffer): Buffer {
  const i = name.lastIndexOf(SLASH);
  return i < 0 ? name : name.subarray(i + 1);
}

function join(dir: Buffer, child: Buffer): Buffer {
  return dir[dir.length - 1] === SLASH ? Buffer.concat([dir, child]) : Buffer.concat([dir, Buffer.of(SLASH), child]);
}

/** A skip pattern applies to the base name unless it holds a slash. */
export function skipMatches(patterns: readonly Buffer[], name: Buffer): boolean {
  for (const p of patterns) {
    if (p.includes(SLASH) ? matchGlob(p, name) : matchGlob(p, basename(name))) return true;
  }
  return false;
}

/** Patterns from an exclude-list file: one per line, blank lines and `#` lines ignored. */
export function parseExcludeList(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= data.length; i++) {
    if (i === data.length || data[i] === 0x0a) {
      let line = data.subarray(start, i);
      if (line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      if (line.length > 0 && line[0] !== 0x23) out.push(line);
      start = i + 1;
    }
  }
  return out;
}

/** Whether an lstat result is new enough for the comparison time. */
export function isNewEnough(st: fs.Stats, cmpTime: number, useCTime: boolean): boolean {
  if (cmpTime <= 0) return true;
  if (Math.floor(st.mtimeMs / 1000) >= cmpTime) return true;
  return useCTime && Math.floor(st.ctimeMs / 1000) >= cmpTime;
}

type FsVerdict = { save: boolean; descend: boolean };

function fsVerdict(opts: SelectionOptions, dev: number): FsVerdict {
  if (opts.filesystemTypes.length === 0 || !opts.fsTypeOf) return { save: true, descend: true };
  const type = opts.fsTypeOf(dev);
  if (type === undefined) return { save: true, descend: true };
  const rules = opts.filesystemTypes;
  if (rules.some((r) => r.mode === 'prune' && r.type === type)) return { save: false, descend: false };
  if (rules.some((r) => r.mode === 'skip' && r.type === type)) return { save: false, descend: true };
  const only = rules.filter((r) => r.mode === 'only');
  if (only.length > 0 && !only.some((r) => r.type === type)) return { save: false, descend: true };
  return { save: true, descend: true };
}

/** Walks every root in order and yields what is selected, post-order. */
export function* selectEntries(roots: readonly SelectionRoot[], opts: SelectionOptions): Generator<SelectionItem> {
  for (const root of roots) {
    const matches = expandPattern(root.pattern);
    if (matches.length === 0) {
      yield { kind: 'noMatch', pattern: root.pattern };
      continue;
    }
    for (const m of matches) {
      let rootDev: number | undefined;
      if (root.oneFilesystem) {
        try {
          rootDev = fs.lstatSync(m).dev;
        } catch {
          rootDev = undefined;
        }
      }
      yield* visit(m, true, root, rootDev, opts, []);
    }
  }
}

function* visit(
  name: Buffer,
  isRoot: boolean,
  root: SelectionRoot,
  rootDev: number | undefined,
  opts: SelectionOptions,
  excluded: readonly Buffer[],
): Generator<SelectionItem> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(name);
  } catch (e) {
    yield { kind: 'warning', name, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'vanished before it could be saved' : (e as Error).message };
    return;
  }
  opts.onVisit?.(name, isRoot);
  const verdict = fsVerdict(opts, st.dev);
  if (st.isDirectory()) {
    if (!isRoot && (skipMatches(opts.dirsToSkip, name) || skipMatches(excluded, name))) return;
    if (!verdict.descend) return;
    const crosses = rootDev !== undefined && st.dev !== rootDev;
    if (!crosses) {
      let children: Buffer[] = [];
      try {
        children = fs.readdirSync(name, { encoding: 'buffer' });
      } catch (e) {
        yield { kind: 'warning', name, message: `cannot read the directory: ${(e as Error).message}` };
      }
      let childExcluded: Buffer[] = [];
      if (opts.excludeListFile && children.some((c) => c.equals(opts.excludeListFile!))) {
        try {
          childExcluded = parseExcludeList(fs.readFileSync(join(name, opts.excludeListFile)));
        } catch (e) {
          yield { kind: 'warning', name: join(name, opts.excludeListFile), message: `cannot read the exclude list: ${(e as Error).message}` };
        }
      }
      for (const c of children) yield* visit(join(name, c), false, root, rootDev, opts, childExcluded);
    }
    if (verdict.save && isNewEnough(st, root.cmpTime, opts.useCTime)) yield { kind: 'entry', name, isFile: false, size: 0 };
    return;
  }
  if (!isRoot && (skipMatches(opts.filesToSkip, name) || skipMatches(excluded, name))) return;
  if (!verdict.save) return;
  if (isNewEnough(st, root.cmpTime, opts.useCTime)) yield { kind: 'entry', name, isFile: st.isFile(), size: st.isFile() ? st.size : 0 };
}
