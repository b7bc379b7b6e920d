/**
 * Finding and reading the client's index files (spec §6.2): `<IndexFilePart><num>`
 * or, when processed, `<IndexFilePart><num>.z` with the command that undoes the
 * processing in the hidden file `.<name>.z` next to it (e.g. `gunzip`). That
 * command (else IndexUnprocessCmd) is run as an argument vector, without a shell,
 * with the file on stdin; its stdout is the index text. The current backup number
 * is `<VarDirectory>/num`. Which index files a run scans is decided by
 * chooseIndexes (pure): the one of the wanted backup number, or, with time limits,
 * every older one too, within NumIndexesToScan / DaysToScanIndexes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AfError } from '../../errors.js';
import { splitWords } from '../../config/words.js';
import { parseIndex, type IndexFile } from '../files/index-file.js';

export interface IndexFileRef {
  readonly num: number;
  readonly path: string;
  /** True for a `.z` file (to be unprocessed). */
  readonly processed: boolean;
  /** Modification time, ms since 1970. */
  readonly mtimeMs: number;
}

/** Every index file that exists for the prefix, by number (a `.z` file wins over a plain one of the same number). */
export function listIndexFiles(indexFilePart: string): IndexFileRef[] {
  const dir = path.dirname(indexFilePart);
  const base = path.basename(indexFilePart);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AfError('STATE_IO', `Cannot read the index directory "${dir}": ${(e as Error).message}`);
  }
  const found = new Map<number, IndexFileRef>();
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const m = /^(\d+)(\.z)?$/.exec(name.slice(base.length));
    if (!m) continue;
    const num = Number(m[1]);
    const processed = m[2] !== undefined;
    const p = path.join(dir, name);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    const prev = found.get(num);
    if (prev && prev.processed && !processed) continue;
    found.set(num, { num, path: p, processed, mtimeMs: st.mtimeMs });
  }
  return [...found.values()].sort((a, b) => a.num - b.num);
}

/** The current backup number from `<vardir>/num`; undefined when the file is missing. */
export function readCurrentNumber(varDirectory: string): number | undefined {
  const p = path.join(varDirectory, 'num');
  let text: string;
  try {
    text = fs.readFileSync(p, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AfError('STATE_IO', `"${p}": ${(e as Error).message}`);
  }
  const m = /^\s*(\d+)/.exec(text);
  if (!m) throw new AfError('STATE_SYNTAX', `"${p}" line 1: expected the backup number, found "${text.split('\n')[0]}"`);
  return Number(m[1]);
}

export interface ScanLimits {
  /** The current backup number (`num`). */
  readonly current: number;
  /** -<n>: how many full backups to go back. */
  readonly back: number;
  /** True when -A or -B was given: older indexes are scanned too. */
  readonly timeLimited: boolean;
  /** -N / NumIndexesToScan. */
  readonly maxCount?: number;
  /** -O / DaysToScanIndexes (fractions allowed). */
  readonly maxDays?: number;
  /** Now, ms since 1970. */
  readonly now: number;
}

/** The index files to scan, oldest first. Throws STATE_IO when the wanted one does not exist. */
export function chooseIndexes(available: readonly IndexFileRef[], l: ScanLimits): IndexFileRef[] {
  const wanted = l.current - l.back;
  if (!l.timeLimited) {
    const hit = available.find((f) => f.num === wanted);
    if (!hit) throw new AfError('STATE_IO', `There is no index file for backup number ${wanted}${l.back > 0 ? ` (${l.current} - ${l.back})` : ''}`);
    return [hit];
  }
  let chosen = available.filter((f) => f.num <= wanted).sort((a, b) => b.num - a.num);
  if (l.maxDays !== undefined) chosen = chosen.filter((f, i) => i === 0 || l.now - f.mtimeMs <= l.maxDays! * 86_400_000);
  if (l.maxCount !== undefined && l.maxCount > 0) chosen = chosen.slice(0, l.maxCount);
  if (chosen.length === 0) throw new AfError('STATE_IO', `There is no index file for backup number ${wanted} or older`);
  return chosen.reverse();
}

/** The unprocess command for a `.z` index: the first line of `.<name>.z`, else the configured one. */
export function unprocessCommandFor(ref: IndexFileRef, configured: string | undefined): string | undefined {
  const hidden = path.join(path.dirname(ref.path), `.${path.basename(ref.path)}`);
  try {
    const line = fs.readFileSync(hidden, 'latin1').split('\n')[0]!.trim();
    if (line !== '') return line;
  } catch {
    /* no hidden file: use the configuration */
  }
  return configured;
}

/** Runs `command` (argument vector, no shell) with `input` as stdin and returns its stdout. */
export function unprocess(command: string, input: string): Promise<Buffer> {
  const argv = splitWords(command).map((w) => w.text);
  if (argv.length === 0) return Promise.reject(new AfError('SUBPROCESS_FAILED', `the unprocess command for "${input}" is empty`));
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(input, 'r');
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [fd, 'pipe', 'pipe'] });
    fs.closeSync(fd);
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString('latin1')));
    child.on('error', (e) => reject(new AfError('SUBPROCESS_FAILED', `"${command}" for "${input}": ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new AfError('SUBPROCESS_FAILED', `"${command}" < "${input}" ${signal ? `died of ${signal}` : `exited with status ${code}`}${err.trim() ? `: ${err.trim()}` : ''}`));
    });
  });
}

/** Reads and parses one index file, unprocessing a `.z` file. */
export async function readIndexFile(ref: IndexFileRef, configuredUnprocess: string | undefined): Promise<IndexFile> {
  if (!ref.processed) {
    try {
      return parseIndex(fs.readFileSync(ref.path));
    } catch (e) {
      throw new AfError('STATE_IO', `"${ref.path}": ${(e as Error).message}`);
    }
  }
  const cmd = unprocessCommandFor(ref, configuredUnprocess);
  if (cmd === undefined) throw new AfError('CONFIG_SYNTAX', `"${ref.path}" is processed, but no unprocess command is known (IndexUnprocessCmd)`);
  return parseIndex(await unprocess(cmd, ref.path));
}
