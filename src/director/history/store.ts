/**
 * One idea: the job history on disk — one record file per job in `<vardir>/jobs/<id>`
 * plus its log in `<vardir>/jobs/<id>.log` — with ids handed out by a counter file
 * that only one process at a time may advance.
 *
 * Layout of `<vardir>/jobs/`:
 *   last-id        the highest id handed out so far (one number and a newline)
 *   .lock          flock()ed while the counter moves or a record is changed
 *   <id>           the record (see job-record.ts), always replaced atomically
 *   <id>.log       the job's log, appended line by line
 * When `last-id` is missing, the counter restarts after the highest record present,
 * so a lost counter never hands out an id twice. A record that cannot be parsed is
 * reported (list) or refused (get, update) with its file and line, and never rewritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from '../../state/file-lock.js';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo, stateSyntax } from '../../state/state-errors.js';
import { AfError, isAfError } from '../../errors.js';
import { formatJobRecord, parseJobRecord, type JobRecord } from './job-record.js';

export interface ListFilter {
  readonly client?: string;
  readonly job?: string;
  /** Only the N highest ids (after the other filters). */
  readonly last?: number;
}

export interface ListResult {
  /** Ascending by id. */
  readonly records: JobRecord[];
  /** One STATE_SYNTAX (or STATE_IO) error per record file that could not be read. */
  readonly problems: AfError[];
}

export type NewJobRecord = Omit<JobRecord, 'id'>;

const RECORD_NAME = /^[1-9]\d*$/;

/** The last line of a log that reached its size limit. */
export const LOG_FULL = '*** log size limit reached; further lines dropped ***';

export class JobHistory {
  readonly dir: string;

  constructor(varDirectory: string) {
    this.dir = path.join(varDirectory, 'jobs');
  }

  recordPath(id: number): string {
    return path.join(this.dir, String(id));
  }

  logPath(id: number): string {
    return `${this.recordPath(id)}.log`;
  }

  private get counterPath(): string {
    return path.join(this.dir, 'last-id');
  }

  private get lockPath(): string {
    return path.join(this.dir, '.lock');
  }

  private async ensureDir(): Promise<void> {
    try {
      await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o750 });
    } catch (err) {
      throw stateIo('create the directory', this.dir, err);
    }
  }

  private locked<R>(fn: () => Promise<R>): Promise<R> {
    return withLock(this.lockPath, 'ex', fn);
  }

  /** Ids of the record files present, ascending. */
  private async ids(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw stateIo('read the directory', this.dir, err);
    }
    return names.filter((n) => RECORD_NAME.test(n)).map(Number).filter(Number.isSafeInteger).sort((a, b) => a - b);
  }

  /** Hands out the next id; unique across processes sharing the directory. */
  async nextId(): Promise<number> {
    await this.ensureDir();
    return this.locked(() => this.advanceCounter());
  }

  /** Moves the counter on by one; the caller holds the lock. */
  private async advanceCounter(): Promise<number> {
    let last: number;
    try {
      const text = await fs.promises.readFile(this.counterPath, 'latin1');
      if (!/^\d+\n?$/.test(text)) throw stateSyntax(this.counterPath, 1, 'expected one whole number', text.split('\n')[0] ?? '');
      last = Number(text.trim());
    } catch (err) {
      if (!isMissing(err)) throw isAfError(err) ? err : stateIo('read', this.counterPath, err);
      const ids = await this.ids();
      last = ids.length > 0 ? ids[ids.length - 1]! : 0;
    }
    const next = last + 1;
    await writeAtomic(this.counterPath, `${next}\n`, { mode: 0o640 });
    return next;
  }

  /** Writes a new record with a fresh id and returns it. */
  async create(rec: NewJobRecord): Promise<JobRecord> {
    await this.ensureDir();
    return this.locked(async () => {
      const id = await this.advanceCounter();
      const full: JobRecord = { ...rec, id };
      const file = this.recordPath(id);
      if (await exists(file)) throw new AfError('STATE_IO', `cannot create "${file}": a record with id ${id} exists already`);
      await writeAtomic(file, Buffer.from(formatJobRecord(full), 'utf8'), { mode: 0o640 });
      return full;
    });
  }

  /** The record, or undefined when there is none; a damaged record throws STATE_SYNTAX. */
  async get(id: number): Promise<JobRecord | undefined> {
    const file = this.recordPath(id);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw stateIo('read', file, err);
    }
    const rec = parseJobRecord(text, file);
    if (rec.id !== id) throw stateSyntax(file, 1, `the record says id ${rec.id} but its file name is ${id}`, `id: ${rec.id}`);
    return rec;
  }

  /**
   * Changes a record under the lock: `change` gets the current record and returns
   * the fields to replace (the id cannot change). A damaged record is left as it is
   * and the STATE_SYNTAX error is thrown.
   */
  async update(id: number, change: Partial<NewJobRecord> | ((cur: JobRecord) => Partial<NewJobRecord>)): Promise<JobRecord> {
    return this.locked(async () => {
      const cur = await this.get(id);
      if (!cur) throw new AfError('STATE_IO', `cannot update "${this.recordPath(id)}": no such job record`);
      const patch = typeof change === 'function' ? change(cur) : change;
      const next: JobRecord = { ...cur, ...patch, id };
      await writeAtomic(this.recordPath(id), Buffer.from(formatJobRecord(next), 'utf8'));
      return next;
    });
  }

  /** Records matching the filter, ascending by id, and the files that could not be read. */
  async list(filter: ListFilter = {}): Promise<ListResult> {
    const records: JobRecord[] = [];
    const problems: AfError[] = [];
    for (const id of await this.ids()) {
      try {
        const r = await this.get(id);
        if (!r) continue;
        if (filter.client !== undefined && r.client !== filter.client) continue;
        if (filter.job !== undefined && r.job !== filter.job) continue;
        records.push(r);
      } catch (err) {
        if (!isAfError(err)) throw err;
        problems.push(err);
      }
    }
    const last = filter.last;
    return { records: last !== undefined ? records.slice(Math.max(0, records.length - last)) : records, problems };
  }

  /**
   * Appends lines (each without its newline; inner line ends become blanks) to the
   * job's log. With `maxBytes` (the Director's Max Job Log Size) the log stops
   * growing at that size: the first line that does not fit is replaced by one
   * notice line, and later lines are dropped.
   */
  async appendLog(id: number, lines: string | readonly string[], opts: { maxBytes?: number } = {}): Promise<void> {
    const list = typeof lines === 'string' ? [lines] : lines;
    if (list.length === 0) return;
    await this.ensureDir();
    const file = this.logPath(id);
    let text = list.map((l) => l.replace(/\r?\n/g, ' ') + '\n').join('');
    if (opts.maxBytes !== undefined) {
      let size = 0;
      try {
        size = (await fs.promises.stat(file)).size;
      } catch (err) {
        if (!isMissing(err)) throw stateIo('examine', file, err);
      }
      if (size >= opts.maxBytes) return;
      if (size + Buffer.byteLength(text) > opts.maxBytes) {
        let kept = '';
        for (const l of text.split(/(?<=\n)/)) {
          if (size + Buffer.byteLength(kept + l) > opts.maxBytes) break;
          kept += l;
        }
        text = `${kept}${LOG_FULL}\n`;
      }
    }
    try {
      await fs.promises.appendFile(file, text, { encoding: 'utf8', mode: 0o640 });
    } catch (err) {
      throw stateIo('append to', file, err);
    }
  }

  /** The job's log lines (empty when there is no log). */
  async readLog(id: number): Promise<string[]> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.logPath(id), 'utf8');
    } catch (err) {
      if (isMissing(err)) return [];
      throw stateIo('read', this.logPath(id), err);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}
