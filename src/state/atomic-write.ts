/**
 * Replaces a file so that it is always either the old or the new version, even
 * across a crash or power cut: write-file-atomic writes and fsyncs a temporary
 * `<name>.<digits>` beside it and renames it over the target; then we fsync the
 * directory, which the library does not do, so the rename itself is durable.
 *
 * A killed writer leaves its temporary file behind; sweepTempFiles() removes such
 * leftovers at server start.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AfError } from '../errors.js';
import { isMissing, stateIo } from './state-errors.js';

export interface AtomicWriteOptions {
  /** Mode of a file that does not exist yet; an existing file keeps its mode (and owner). */
  mode?: number;
}

/** Strings are file bytes in Latin-1 (one char per byte); refuses chars above U+00FF instead of mangling them. */
export function latin1Bytes(data: Buffer | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  for (let i = 0; i < data.length; i++) {
    if (data.charCodeAt(i) > 0xff) {
      throw new AfError('INTERNAL', `text for a state file holds the character U+${data.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}, which is not one byte`);
    }
  }
  return Buffer.from(data, 'latin1');
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeAtomic(file: string, data: Buffer | string, opts: AtomicWriteOptions = {}): Promise<void> {
  const bytes = latin1Bytes(data);
  let target = file;
  let exists = true;
  try {
    target = await fs.promises.realpath(file);
  } catch (err) {
    if (!isMissing(err)) throw stateIo('resolve', file, err);
    exists = false;
  }
  try {
    await writeFileAtomic(target, bytes, { fsync: true, ...(exists || opts.mode === undefined ? {} : { mode: opts.mode }) });
    await fsyncDirectory(path.dirname(target));
  } catch (err) {
    throw stateIo('write', file, err);
  }
}

/** write-file-atomic names its temporary files `<target>.<uint32 in decimal>`. */
const TEMP_NAME = /^(.+)\.(\d{1,10})$/;

export interface SweepOptions {
  /** Only remove temporaries of these file names; by default those whose target exists in `dir`. */
  baseNames?: readonly string[];
  /** Minimum age (mtime) of a leftover, default one minute, so a running writer is never disturbed. */
  olderThanMs?: number;
  /** Clock for tests. */
  now?: number;
}

/** Removes leftover temporary files of interrupted atomic writes; returns the paths removed. */
export async function sweepTempFiles(dir: string, opts: SweepOptions = {}): Promise<string[]> {
  const olderThan = opts.olderThanMs ?? 60_000;
  const now = opts.now ?? Date.now();
  const wanted = opts.baseNames ? new Set(opts.baseNames) : null;
  let names: Buffer[];
  try {
    names = await fs.promises.readdir(Buffer.from(dir, 'latin1'), { encoding: 'buffer' });
  } catch (err) {
    if (isMissing(err)) return [];
    throw stateIo('list', dir, err);
  }
  const present = new Set(names.map((n) => n.toString('latin1')));
  const removed: string[] = [];
  for (const raw of names) {
    const name = raw.toString('latin1');
    const m = TEMP_NAME.exec(name);
    if (!m || Number(m[2]) > 0xffffffff) continue;
    const base = m[1]!;
    if (wanted ? !wanted.has(base) : !present.has(base)) continue;
    const full = Buffer.from(path.join(dir, name), 'latin1');
    try {
      const st = await fs.promises.lstat(full);
      if (!st.isFile() || now - st.mtimeMs < olderThan) continue;
      await fs.promises.unlink(full);
      removed.push(path.join(dir, name));
    } catch (err) {
      if (!isMissing(err)) throw stateIo('remove the temporary file', path.join(dir, name), err);
    }
  }
  return removed;
}
