/**
 * The server status file (Status-file, default `<vardir>/status`): one line per
 * status change,
 *
 *   <ctime> [<pid>], <text>
 *
 * replaced on each change, or appended when the configured path starts with `>>`.
 */
import fs from 'node:fs';
import { latin1Bytes, writeAtomic } from './atomic-write.js';
import { ctime } from './ctime.js';
import { sourceOf, splitLines, withSource } from './line-model.js';
import { stateIo, stateSyntax } from './state-errors.js';
import { readLatin1, type StateCodec } from './state-file.js';

export interface StatusLine {
  /** ctime text of the change, e.g. `Wed Nov 25 12:10:28 2026`. */
  readonly time: string;
  readonly pid: number;
  readonly text: string;
}

export interface Status {
  readonly lines: readonly StatusLine[];
}

const LINE =
  /^((?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4,}) \[(\d+)\], (.*)$/;

export function empty(): Status {
  return { lines: [] };
}

export function parse(text: string, file: string): Status {
  const lines = splitLines(text).map((line, i) => {
    const m = LINE.exec(line);
    if (!m) {
      const what = /^\S+ \S+ +\d+ [\d:]+ \d+/.test(line)
        ? 'expected "<ctime> [<pid>], <text>"'
        : 'does not start with a ctime date';
      throw stateSyntax(file, i + 1, what, line);
    }
    return withSource({ time: m[1]!, pid: Number(m[2]), text: m[3]! }, line);
  });
  return withSource({ lines }, text);
}

function lineText(l: StatusLine): string {
  return sourceOf(l) ?? `${l.time} [${l.pid}], ${l.text}`;
}

export function format(model: Status): string {
  return sourceOf(model) ?? model.lines.map((l) => lineText(l) + '\n').join('');
}

export const codec: StateCodec<Status> = { parse, format, empty };

/** One status line with its newline. */
export function statusLine(text: string, opts: { date?: Date; pid?: number } = {}): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${ctime(opts.date ?? new Date())} [${opts.pid ?? process.pid}], ${body}\n`;
}

/** The status file as configured: a path, or `>>path` for append mode. */
export class StatusFile {
  readonly path: string;
  readonly append: boolean;

  constructor(configured: string) {
    this.append = configured.startsWith('>>');
    this.path = this.append ? configured.slice(2).trim() : configured;
  }

  /** Records a status text (without newline) stamped with the time and our PID. */
  async write(text: string, opts: { date?: Date; pid?: number } = {}): Promise<void> {
    const line = statusLine(text, opts);
    if (!this.append) return writeAtomic(this.path, line, { mode: 0o644 });
    try {
      latin1Bytes(line);
      await fs.promises.appendFile(this.path, line, { encoding: 'latin1', mode: 0o644 });
    } catch (err) {
      throw stateIo('append to', this.path, err);
    }
  }

  /** The lines now in the file, or null when there is none. */
  async read(): Promise<Status | null> {
    const text = await readLatin1(this.path);
    return text === null ? null : parse(text, this.path);
  }
}
