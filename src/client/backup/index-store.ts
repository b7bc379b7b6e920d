/**
 * The index files on disk (spec §6.2): `<IndexFilePart><num>` plain, or
 * `<IndexFilePart><num>.z` processed by IndexProcessCmd with the hidden file
 * `.<name>.z` beside it holding the command that unprocesses it (`gunzip`).
 *
 * Commands are split into words and run without a shell. A new index is written
 * to `<name>.tmp` (mode 0600) while the backup runs and renamed into place at the
 * end, so the previous index stays intact until then. Reading an index that
 * needs unprocessing uses the hidden file's command, else IndexUnprocessCmd,
 * else `gunzip`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { AfError } from '../../errors.js';
import { splitWords } from '../../config/words.js';

export interface IndexPaths {
  readonly plain: string;
  readonly zipped: string;
  readonly hidden: string;
  readonly temp: string;
}

export function indexPaths(indexFilePart: string, num: number): IndexPaths {
  const plain = `${indexFilePart}${num}`;
  const zipped = `${plain}.z`;
  const hidden = path.join(path.dirname(zipped), `.${path.basename(zipped)}`);
  return { plain, zipped, hidden, temp: `${plain}.tmp` };
}

/** The commands in effect for index files: both set and ProcessLogfiles on, else none. */
export function indexCommands(cfg: {
  processLogfiles: boolean;
  indexProcessCmd: string | undefined;
  indexUnprocessCmd: string | undefined;
}): { process: string; unprocess: string } | undefined {
  const p = cfg.indexProcessCmd?.trim() ?? '';
  const u = cfg.indexUnprocessCmd?.trim() ?? '';
  if (!cfg.processLogfiles || p === '' || u === '') return undefined;
  return { process: p, unprocess: u };
}

function argvOf(command: string): string[] {
  const words = splitWords(command).map((w) => w.text);
  if (words.length === 0) throw new AfError('CONFIG_SYNTAX', `the command "${command}" is empty`);
  return words;
}

function exists(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(child: ChildProcess, what: string): Promise<void> {
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new AfError('SUBPROCESS_FAILED', `${what} ${signal ? `was killed by ${signal}` : `exited with status ${code}`}`);
}

/** Runs `command` with `file` as stdin and returns its stdout. */
async function unprocess(command: string, file: string): Promise<Buffer> {
  const [cmd, ...args] = argvOf(command);
  const input = fs.openSync(file, 'r');
  try {
    const child = spawn(cmd!, args, { stdio: [input, 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const spawned = once(child, 'spawn').then(() => undefined);
    const failed = once(child, 'error').then(([e]) => {
      throw new AfError('SUBPROCESS_FAILED', `cannot run "${command}" to read "${file}": ${(e as Error).message}`);
    });
    await Promise.race([spawned, failed]);
    await waitFor(child, `"${command}" reading "${file}"${err ? ` (${err.trim()})` : ''}`);
    return Buffer.concat(out);
  } finally {
    fs.closeSync(input);
  }
}

export interface ExistingIndex {
  readonly data: Buffer;
  /** The file it was read from. */
  readonly file: string;
}

/** The decompressed content of index `num`, or undefined when there is none. */
export async function readIndex(indexFilePart: string, num: number, unprocessDefault: string | undefined): Promise<ExistingIndex | undefined> {
  const p = indexPaths(indexFilePart, num);
  if (exists(p.plain)) return { data: fs.readFileSync(p.plain), file: p.plain };
  if (!exists(p.zipped)) return undefined;
  let command = unprocessDefault && unprocessDefault !== '' ? unprocessDefault : 'gunzip';
  if (exists(p.hidden)) {
    const first = fs.readFileSync(p.hidden, 'latin1').split('\n')[0]!.trim();
    if (first !== '') command = first;
  }
  return { data: await unprocess(command, p.zipped), file: p.zipped };
}

/** Writes a new index through the process command (or plainly) to the temporary file. */
export class IndexWriter {
  private child: ChildProcess | undefined;
  private stream: fs.WriteStream | undefined;
  private fd: number;
  private lines = 0;
  private closed = false;

  constructor(
    readonly paths: IndexPaths,
    private readonly commands: { process: string; unprocess: string } | undefined,
  ) {
    try {
      fs.mkdirSync(path.dirname(paths.temp), { recursive: true });
      fs.rmSync(paths.temp, { force: true });
      this.fd = fs.openSync(paths.temp, 'w', 0o600);
    } catch (e) {
      throw new AfError('STATE_IO', `cannot create the index file "${paths.temp}": ${(e as Error).message}`);
    }
    if (commands) {
      const [cmd, ...args] = argvOf(commands.process);
      this.child = spawn(cmd!, args, { stdio: ['pipe', this.fd, 'inherit'] });
      this.child.on('error', () => undefined);
    } else {
      this.stream = fs.createWriteStream('', { fd: this.fd, autoClose: false });
    }
  }

  /** Where the index will be once finished. */
  get target(): string {
    return this.commands ? this.paths.zipped : this.paths.plain;
  }

  /** Lines written so far. */
  get lineCount(): number {
    return this.lines;
  }

  async write(data: Buffer): Promise<void> {
    for (const b of data) if (b === 0x0a) this.lines++;
    const sink = this.child ? this.child.stdin! : this.stream!;
    if (!sink.write(data)) await once(sink, 'drain');
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.child) {
        const done = waitFor(this.child, `the index process command "${this.commands!.process}"`);
        this.child.stdin!.end();
        await done;
      } else {
        this.stream!.end();
        await once(this.stream!, 'finish');
      }
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }

  /** Closes and moves the new index into place, replacing the old form (plain or processed). */
  async commit(): Promise<string> {
    await this.close();
    const target = this.target;
    fs.renameSync(this.paths.temp, target);
    if (this.commands) {
      fs.rmSync(this.paths.plain, { force: true });
      fs.writeFileSync(this.paths.hidden, `${this.commands.unprocess}\n`, { mode: 0o600 });
    } else {
      fs.rmSync(this.paths.zipped, { force: true });
      fs.rmSync(this.paths.hidden, { force: true });
    }
    return target;
  }

  /** Closes and throws the new index away. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    fs.rmSync(this.paths.temp, { force: true });
  }
}

/** Deletes the index files numbered `limit` down to 1 (all three forms); returns the numbers whose files existed. */
export function pruneIndexes(indexFilePart: string, limit: number): number[] {
  const gone: number[] = [];
  for (let n = limit; n > 0; n--) {
    const p = indexPaths(indexFilePart, n);
    let any = false;
    for (const f of [p.plain, p.zipped, p.hidden]) {
      if (fs.existsSync(f)) {
        fs.rmSync(f, { force: true });
        any = true;
      }
    }
    if (any) gone.push(n);
  }
  return gone;
}

/** Writes a whole index (used by update_indexes) in the configured form. */
export async function writeWholeIndex(paths: IndexPaths, commands: { process: string; unprocess: string } | undefined, data: Buffer): Promise<string> {
  const w = new IndexWriter(paths, commands);
  try {
    await w.write(data);
    const target = await w.commit();
    return target;
  } catch (e) {
    await w.discard();
    throw e;
  }
}
