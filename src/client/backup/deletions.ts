/**
 * Deletion tracking in the client index (our addition to afbackup's format).
 *
 * afbackup's index lists what each run saved, never what vanished, so a restore
 * of "the state after the last incremental" brings deleted files back. Here an
 * incremental run appends, after the entries afclient reported, one line per
 * name that the index still held as saved and that no longer exists:
 *
 *     #- <escaped name>
 *
 * The line starts with `#`, so afbackup 3.5.8's programs read it as a comment
 * (spec §6.2) and stay unaffected; it is not a `## ` header. The name is escaped
 * exactly as in entry lines (bytes from 0x80 up stay raw). A deletion belongs to
 * the run whose header precedes it: the name was gone when that run started.
 *
 * Pure: index lines in, names out; the caller says which names exist.
 */
import { escapeName, unescapeName } from '../escape.js';

export const DELETION_PREFIX = '#- ';

/** The index line recording that `name` was deleted, with its newline. */
export function deletionLine(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(DELETION_PREFIX, 'latin1'), escapeName(name), Buffer.of(0x0a)]);
}

/** The deleted name of a comment line's text (`#` included), or undefined when it is another comment. */
export function deletedName(commentText: string): Buffer | undefined {
  if (!commentText.startsWith(DELETION_PREFIX) || commentText.length === DELETION_PREFIX.length) return undefined;
  return unescapeName(Buffer.from(commentText.slice(DELETION_PREFIX.length), 'latin1'));
}

const key = (name: Buffer): string => name.toString('latin1');

/** True for the start-positions copy each run saves first (`<tmp>/afbsp_…`); it is removed after the backup. */
export function isStartPositionsCopy(name: Buffer | string): boolean {
  return /^\/(?:[^/]+\/)*afbsp_[^/]*$/.test(typeof name === 'string' ? name : key(name));
}

const ENTRY_POSITION = /^(?:[^%\s]+%[^!\s]+!)?\d+\.\d+(?:\|\d+)?(?:~-?\d+)?$/;

/**
 * The names an index (decompressed bytes) holds as saved now, as Latin-1 text
 * (one character per byte): every entry's name, less those whose latest line is a deletion,
 * less the start-positions copies. A lean scan of the entry grammar of spec §6.2
 * (an incremental reads the whole current index, which may list 100,000 names).
 */
export function indexedNames(data: Buffer): Set<string> {
  const live = new Set<string>();
  const text = data.toString('latin1');
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 1;
    if (line.startsWith('#')) {
      const gone = deletedName(line);
      if (gone) live.delete(key(gone));
      continue;
    }
    const sep = line.indexOf(': ');
    if (sep < 0 || !ENTRY_POSITION.test(line.slice(0, sep))) continue;
    const escaped = line.slice(sep + 2);
    // Most names hold no escape: their text is already the key.
    const k = escaped.includes('\\') ? key(unescapeName(Buffer.from(escaped, 'latin1'))) : escaped;
    if (!isStartPositionsCopy(k)) live.add(k);
  }
  return live;
}

/** True when `name` is `prefix` or lies below it. */
export function isBelow(name: Buffer, prefix: Buffer): boolean {
  if (prefix.length === 0) return false;
  if (name.length < prefix.length || name.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return false;
  if (name.length === prefix.length) return true;
  return prefix[prefix.length - 1] === 0x2f || name[prefix.length] === 0x2f;
}

export interface DeletionQuery {
  /** What the index holds as saved (indexedNames: Latin-1 texts). */
  readonly indexed: ReadonlySet<string>;
  /** Every name the selection walk found this run (selected or not). */
  readonly seen: ReadonlySet<string>;
  /** The walked entries (their matches, and literal entries even when nothing matched). */
  readonly roots: readonly Buffer[];
  /** Whether a name exists (lstat, not following a final symlink). */
  readonly exists: (name: Buffer) => boolean;
}

/**
 * The names to record as deleted: indexed, below a walked entry, not seen by the
 * walk, and really gone (a name the walk skipped, e.g. newly excluded or on a
 * pruned file system, still exists and is not a deletion). Sorted bytewise.
 */
export function findDeleted(q: DeletionQuery): Buffer[] {
  const out: Buffer[] = [];
  for (const k of q.indexed) {
    if (q.seen.has(k)) continue;
    const name = Buffer.from(k, 'latin1');
    if (!q.roots.some((r) => isBelow(name, r))) continue;
    if (q.exists(name)) continue;
    out.push(name);
  }
  return out.sort(Buffer.compare);
}
