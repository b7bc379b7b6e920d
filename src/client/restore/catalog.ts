/**
 * The catalog of what is restorable: the parsed index files turned into backup
 * runs and records, each record knowing its server, port, cartridge and tape
 * file (a line without `<server>%<port>!` gets the default server), its owner and
 * mtime when the index has them, and the run's start time from its `##` header.
 *
 * A run starts at a section line `<server>%<port>!<cart>.<file>:` or at a header
 * that no section announced; entries before either form run 0 of older indexes.
 * Deletion lines (`#- <name>`, see ../backup/deletions.ts) become the run's
 * deletions, ordered with the records by `seq`.
 * Pure: index files in, records out; selection and duplicate reduction are here
 * too (select, latestOnly).
 */
import type { BackupKind, IndexFile } from '../files/index-file.js';
import { deletedName } from '../backup/deletions.js';
import { contains, type RangeList } from '../../state/range-list.js';
import { headerTime, type TimeLimit } from './time-spec.js';
import { anyMatches, type PathPattern } from './pattern.js';

export interface Server {
  readonly host: string;
  readonly port: number | string;
}

export interface TapePosition extends Server {
  readonly cart: number;
  readonly file: number;
}

export interface CatalogRecord extends TapePosition {
  readonly name: Buffer;
  readonly uid?: number;
  readonly mtime?: number;
  /** Start of the run (epoch seconds), from its header. */
  readonly backupTime?: number;
  /** The header's ctime text. */
  readonly backupText?: string;
  readonly indexNum: number;
  /** Run number within its index file (0-based). */
  readonly run: number;
  /** 1-based line in the index file. */
  readonly line: number;
  /** Order across the whole catalog (index number, then line). */
  readonly seq: number;
}

/** A name an incremental run found deleted. */
export interface DeletionRecord {
  readonly name: Buffer;
  readonly indexNum: number;
  readonly run: number;
  readonly backupTime?: number;
  readonly seq: number;
}

export interface BackupRun {
  readonly indexNum: number;
  readonly run: number;
  readonly kind: BackupKind | undefined;
  readonly backupTime?: number;
  readonly backupText?: string;
  /** Where the run's stream starts: the section line, else its first entry. */
  readonly start: TapePosition | undefined;
  readonly records: readonly CatalogRecord[];
  readonly deletions: readonly DeletionRecord[];
}

/** The runs of one index file. `defaultServer` stands in for entries without a server. */
export function runsOf(index: IndexFile, indexNum: number, defaultServer: Server, seqBase = 0): BackupRun[] {
  interface Building {
    kind: BackupKind | undefined;
    backupTime?: number;
    backupText?: string;
    start: TapePosition | undefined;
    records: CatalogRecord[];
    deletions: DeletionRecord[];
    sawHeader: boolean;
  }
  const runs: Building[] = [];
  let cur: Building | undefined;
  const fresh = (): Building => {
    const b: Building = { kind: undefined, start: undefined, records: [], deletions: [], sawHeader: false };
    runs.push(b);
    return b;
  };
  const pos = (p: { server?: string; port?: number | string; cart: number; file: number }): TapePosition => ({
    host: p.server ?? defaultServer.host,
    port: p.server !== undefined ? (p.port ?? defaultServer.port) : defaultServer.port,
    cart: p.cart,
    file: p.file,
  });
  index.lines.forEach((l, i) => {
    if (l.kind === 'section') {
      cur = fresh();
      cur.start = pos(l);
    } else if (l.kind === 'header') {
      if (!cur || cur.sawHeader || cur.records.length > 0) cur = fresh();
      cur.sawHeader = true;
      cur.kind = l.backup;
      cur.backupText = l.time;
      const t = headerTime(l.time);
      if (t !== undefined) cur.backupTime = t;
    } else if (l.kind === 'comment') {
      const gone = deletedName(l.text);
      if (gone && cur) {
        cur.deletions.push({
          name: gone,
          indexNum,
          run: runs.length - 1,
          ...(cur.backupTime !== undefined ? { backupTime: cur.backupTime } : {}),
          seq: seqBase + i,
        });
      }
    } else if (l.kind === 'entry') {
      if (!cur) cur = fresh();
      const p = pos(l);
      if (!cur.start) cur.start = p;
      cur.records.push({
        ...p,
        name: l.name,
        ...(l.uid !== undefined ? { uid: l.uid } : {}),
        ...(l.mtime !== undefined ? { mtime: l.mtime } : {}),
        ...(cur.backupTime !== undefined ? { backupTime: cur.backupTime } : {}),
        ...(cur.backupText !== undefined ? { backupText: cur.backupText } : {}),
        indexNum,
        run: runs.length - 1,
        line: i + 1,
        seq: seqBase + i,
      });
    }
  });
  return runs.map((b, run) => ({
    indexNum,
    run,
    kind: b.kind,
    ...(b.backupTime !== undefined ? { backupTime: b.backupTime } : {}),
    ...(b.backupText !== undefined ? { backupText: b.backupText } : {}),
    start: b.start,
    records: b.records.map((r) => ({ ...r, run })),
    deletions: b.deletions.map((x) => ({ ...x, run })),
  }));
}

/** Runs of several index files, oldest index first. */
export function catalogOf(indexes: readonly { num: number; index: IndexFile }[], defaultServer: Server): BackupRun[] {
  const out: BackupRun[] = [];
  for (const { num, index } of [...indexes].sort((a, b) => a.num - b.num)) {
    out.push(...runsOf(index, num, defaultServer, num * 100_000_000));
  }
  return out;
}

export interface Criteria {
  /** Empty with `all`: every record. */
  readonly patterns: readonly PathPattern[];
  readonly all: boolean;
  readonly ignoreCase: boolean;
  readonly after?: TimeLimit;
  readonly before?: TimeLimit;
  /** -T: only these cartridges. */
  readonly tapes?: RangeList;
}

/** True when the record passes the time limits (a record without mtime is judged by its backup time). */
export function inTime(r: CatalogRecord, after: TimeLimit | undefined, before: TimeLimit | undefined): boolean {
  const fileTime = r.mtime ?? r.backupTime;
  if (after?.file !== undefined && (fileTime === undefined || fileTime < after.file)) return false;
  if (before?.file !== undefined && (fileTime === undefined || fileTime >= before.file)) return false;
  if (after?.backup !== undefined && (r.backupTime === undefined || r.backupTime < after.backup)) return false;
  if (before?.backup !== undefined && (r.backupTime === undefined || r.backupTime >= before.backup)) return false;
  return true;
}

/** The records the criteria select, in catalog order. */
export function select(runs: readonly BackupRun[], c: Criteria): CatalogRecord[] {
  const out: CatalogRecord[] = [];
  for (const run of runs) {
    for (const r of run.records) {
      if (!c.all && !anyMatches(c.patterns, r.name, c.ignoreCase)) continue;
      if (!inTime(r, c.after, c.before)) continue;
      if (c.tapes && !contains(c.tapes, r.cart)) continue;
      out.push(r);
    }
  }
  return out;
}

/** One record per name: the latest (last in catalog order) wins; the winners keep catalog order. */
export function latestOnly(records: readonly CatalogRecord[]): CatalogRecord[] {
  const last = new Map<string, CatalogRecord>();
  for (const r of records) last.set(r.name.toString('latin1'), r);
  return records.filter((r) => last.get(r.name.toString('latin1')) === r);
}

/** Same server, port, cartridge and tape file. */
export function samePosition(a: TapePosition, b: TapePosition): boolean {
  return a.host === b.host && String(a.port) === String(b.port) && a.cart === b.cart && a.file === b.file;
}
