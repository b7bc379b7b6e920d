/**
 * One state file on disk bound to its codec: read under a shared lock, and
 * update = exclusive lock, reload, mutate, atomic write (with a directory fsync).
 *
 * The file's text is read as Latin-1 (byte for byte). A missing file reads as the
 * codec's empty value. If the file does not parse, update() throws STATE_SYNTAX
 * before calling `mutate`, so nothing is written. When the new text equals the
 * old (or a missing file was left unchanged), nothing is written either.
 */
import fs from 'node:fs';
import { writeAtomic } from './atomic-write.js';
import { lockPathFor, withLock } from './file-lock.js';
import { isMissing, stateIo } from './state-errors.js';

export interface StateCodec<T> {
  parse(text: string, file: string): T;
  format(value: T): string;
  empty(): T;
}

export interface StateFileOptions {
  /** Mode of the file when it is created (default 0644, like afbackup's rewritten key/value files). */
  mode?: number;
  /** Lock wait limit in milliseconds (default 10 s). */
  lockTimeoutMs?: number;
}

/** Reads a whole file as Latin-1, or null when it does not exist. */
export async function readLatin1(file: string): Promise<string | null> {
  try {
    return await fs.promises.readFile(file, 'latin1');
  } catch (err) {
    if (isMissing(err)) return null;
    throw stateIo('read', file, err);
  }
}

export class StateFile<T> {
  readonly lockPath: string;
  private readonly mode: number;
  private readonly lockTimeoutMs: number | undefined;

  constructor(
    readonly path: string,
    readonly codec: StateCodec<T>,
    opts: StateFileOptions = {},
  ) {
    this.lockPath = lockPathFor(path);
    this.mode = opts.mode ?? 0o644;
    this.lockTimeoutMs = opts.lockTimeoutMs;
  }

  private lockOpts() {
    return this.lockTimeoutMs === undefined ? {} : { timeoutMs: this.lockTimeoutMs };
  }

  /** The current content (the codec's empty value when the file is missing). */
  read(): Promise<T> {
    return withLock(this.lockPath, 'sh', async () => {
      const text = await readLatin1(this.path);
      return text === null ? this.codec.empty() : this.codec.parse(text, this.path);
    }, this.lockOpts());
  }

  /**
   * Changes the file under the exclusive lock. `mutate` receives the current value
   * and returns the new one (returning nothing keeps the value). Returns the value
   * now on disk.
   */
  update(mutate: (value: T) => T | void | Promise<T | void>): Promise<T> {
    return withLock(this.lockPath, 'ex', async () => {
      const before = await readLatin1(this.path);
      const current = before === null ? this.codec.empty() : this.codec.parse(before, this.path);
      const result = await mutate(current);
      const next = result === undefined ? current : result;
      const text = this.codec.format(next);
      const changed = before === null ? next !== current : text !== before;
      if (changed) await writeAtomic(this.path, text, { mode: this.mode });
      return next;
    }, this.lockOpts());
  }
}
