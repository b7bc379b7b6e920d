/**
 * What afclient -c stores for one name (spec §5.3, §6.1): the policy that -z,
 * -s and -Z set (built-in zlib level, external process command and the
 * unprocess text stored with it, do-not-compress patterns, CRC32), the special
 * name prefixes (`//./../` a file not to be verified, `/../` raw contents,
 * `//../` raw contents processed, `||| cmd ||| restorecmd [### comment]` the
 * output of a command), and the data streams: a file's bytes, optionally run
 * through the external command (argv split, no shell) before the packer frames
 * and compresses them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AfError } from '../../errors.js';
import type { CommandOutput, FileContents, RegularFile } from '../../archive/records.js';
import { splitWords } from '../../config/words.js';

const splitCommandLine = (text: string): string[] => splitWords(text).map((w) => w.text);

export interface PackPolicy {
  /** Built-in zlib level, or null for none. */
  level: number | null;
  /** External processing command (argv), or null. */
  proc: string[] | null;
  /** The unprocess field stored with processed data (`.`, `. cmd` or `cmd`); empty when nothing is done. */
  unprocess: Buffer;
  /** Name patterns (matched against the base name, and the whole name) stored plainly. */
  dontCompress: string[];
  /** -Z: write CRC32 checksums where the format has them. */
  crc: boolean;
}

/** The built-in compression level when `-z .` gives none (as the original). */
export const DEFAULT_LEVEL = 5;

/** Reads -z <proc> <unproc> as the original: `. [<level>[,<max>]] [cmd]` = built-in zlib, else an external command. */
export function packPolicy(compress: { proc: string; unproc: string } | undefined, dontCompress: string[], crc: boolean): PackPolicy {
  const none: PackPolicy = { level: null, proc: null, unprocess: Buffer.alloc(0), dontCompress, crc };
  if (!compress) return none;
  const { proc, unproc } = compress;
  if (proc.startsWith('.')) {
    let level = DEFAULT_LEVEL;
    let rest = '';
    const m = /^\.\s+(\d+)(?:,\d+)?(.*)$/s.exec(proc);
    if (m) {
      level = Number(m[1]);
      rest = m[2]!.trim();
    } else if (proc.length > 1 && !/^\.\s*$/.test(proc)) {
      throw new AfError('USAGE', `-z "${proc}": after the dot a blank and a compression level (1 to 9) must follow`);
    }
    if (level < 0 || level > 9) throw new AfError('USAGE', `-z "${proc}": the compression level must be 0 to 9`);
    if (rest === '') return { ...none, level, unprocess: Buffer.from('.') };
    if (unproc.trim() === '') throw new AfError('USAGE', `-z "${proc}": the external command needs an unprocess command as the second value`);
    return { ...none, level, proc: splitCommandLine(rest), unprocess: Buffer.from(`. ${unproc.trim()}`) };
  }
  if (proc.trim() === '') return none;
  if (unproc.trim() === '') throw new AfError('USAGE', `-z "${proc}": the second value must name the command that undoes it`);
  return { ...none, proc: splitCommandLine(proc), unprocess: Buffer.from(unproc.trim()) };
}

/** A shell-like wildcard (`*`, `?`, `[...]`) as a RegExp over latin1 text. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** True when the name is not to be processed (a -s pattern matches its base name or the whole name). */
export function excludedFromProcessing(name: Buffer, patterns: readonly RegExp[]): boolean {
  if (patterns.length === 0) return false;
  const whole = name.toString('latin1');
  const base = path.posix.basename(whole);
  return patterns.some((p) => p.test(base) || p.test(whole));
}

export type SpecialName =
  | { kind: 'plain'; path: Buffer; noVerify: boolean }
  | { kind: 'contents'; path: Buffer; processed: boolean }
  | { kind: 'command'; line: Buffer; command: string };

const NO_VERIFY_PREFIX = Buffer.from('//./../');
const RAW_PROCESSED_PREFIX = Buffer.from('//../');
const RAW_PREFIX = Buffer.from('/../');
const COMMAND_MARK = '|||';

/** Sorts out the special name forms; the stored path keeps one leading slash. */
export function classifyName(name: Buffer): SpecialName {
  const text = name.toString('latin1');
  if (text.trimStart().startsWith(COMMAND_MARK)) {
    const body = text.trimStart().slice(COMMAND_MARK.length);
    const end = body.indexOf(COMMAND_MARK);
    const command = (end < 0 ? body.replace(/###.*$/s, '') : body.slice(0, end)).trim();
    if (command === '') throw new AfError('USAGE', `"${text}": no command between the ||| marks`);
    return { kind: 'command', line: name, command };
  }
  if (name.subarray(0, NO_VERIFY_PREFIX.length).equals(NO_VERIFY_PREFIX)) {
    return { kind: 'plain', path: name.subarray(NO_VERIFY_PREFIX.length - 1), noVerify: true };
  }
  if (name.subarray(0, RAW_PROCESSED_PREFIX.length).equals(RAW_PROCESSED_PREFIX)) {
    return { kind: 'contents', path: name.subarray(RAW_PROCESSED_PREFIX.length - 1), processed: true };
  }
  if (name.subarray(0, RAW_PREFIX.length).equals(RAW_PREFIX)) {
    return { kind: 'contents', path: name.subarray(RAW_PREFIX.length - 1), processed: false };
  }
  return { kind: 'plain', path: name, noVerify: false };
}

/** How a regular file is stored under the policy. */
export function fileEntryFor(e: RegularFile, policy: PackPolicy, patterns: readonly RegExp[], fileSize: number): RegularFile {
  const plain = policy.unprocess.length === 0 || fileSize === 0 || excludedFromProcessing(e.name, patterns);
  if (plain) return { ...e, unprocess: Buffer.alloc(0), size: fileSize, crc: policy.crc };
  // Built-in compression carries no CRC in the original format.
  return { ...e, unprocess: policy.unprocess, size: 0, crc: policy.crc && policy.level === null };
}

export function contentsEntryFor(name: Buffer, mtime: number, policy: PackPolicy, processed: boolean): FileContents {
  const unprocess = processed ? policy.unprocess : Buffer.alloc(0);
  return { kind: 'filecontents', mtime, name, unprocess, crc: policy.crc && !(processed && policy.level !== null) };
}

export function commandEntryFor(line: Buffer, policy: PackPolicy): CommandOutput {
  return { kind: 'command', command: line, crc: policy.crc };
}

/** Runs `argv` with `input` on its stdin and yields its stdout; a non-zero exit fails the stream. */
export async function* throughCommand(argv: string[], input: AsyncIterable<Buffer> | null, what: string): AsyncGenerator<Buffer> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (stderr.length < 2000) stderr += b.toString('latin1');
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (e) => reject(new AfError('SUBPROCESS_FAILED', `${what}: ${argv[0]}: ${e.message}`)));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  exited.catch(() => undefined);
  let feeding: Promise<void> = Promise.resolve();
  let gone = false;
  const closed = new Promise<void>((r) => child.once('close', () => {
    gone = true;
    r();
  }));
  if (input) {
    const stdin = child.stdin!;
    stdin.on('error', () => undefined);
    feeding = (async () => {
      try {
        for await (const c of input) {
          if (gone || stdin.destroyed) break;
          if (!stdin.write(c)) await Promise.race([new Promise<void>((r) => stdin.once('drain', r)), closed]);
        }
      } finally {
        stdin.end();
      }
    })();
    feeding.catch(() => undefined);
  }
  for await (const c of child.stdout!) yield c as Buffer;
  await feeding;
  const code = await exited;
  if (code !== 0) {
    throw new AfError('SUBPROCESS_FAILED', `${what}: ${argv.join(' ')} exited with status ${code}${stderr ? ': ' + stderr.trim().split('\n')[0] : ''}`);
  }
}

/** The bytes of a file opened for reading (following symlinks: raw contents of devices). */
export async function* readWhole(p: Buffer): AsyncGenerator<Buffer> {
  const fh = await fs.promises.open(p, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
