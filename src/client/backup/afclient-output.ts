/**
 * Reading the stdout of the backup afclient (`-QwjcvnlOUE`, spec §6.4 step 5).
 *
 * It starts with a preamble: the streamer state and `Server-ID: <id>` (from -w),
 * then the write position `Cartridge: <n>` / `File: <n>` (from -Q), optionally
 * closed by a line `--`. Then one index line per saved entry,
 * `<server>%<port>!<cart>.<file>|<uid>~<mtime>: <escaped name>`. The splitter is
 * fed chunks and hands back whole lines (bytes, Latin-1 safe); the preamble is
 * over at `--`, or at the first index line once the position is known;
 * further query lines (`Number of cartridges: 4`, ...) are ignored wherever they
 * come.
 */
import { parseIndexLine } from '../files/index-file.js';

export interface StartPosition {
  readonly cart: number;
  readonly file: number;
  readonly serverId: string | undefined;
}

/** Splits a byte stream into lines (without the newline). */
export class LineSplitter {
  private rest = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0x0a) {
        lines.push(data.subarray(start, i));
        start = i + 1;
      }
    }
    this.rest = Buffer.from(data.subarray(start));
    return lines;
  }

  /** The unterminated last line, if any. */
  end(): Buffer[] {
    const r = this.rest.length > 0 ? [this.rest] : [];
    this.rest = Buffer.alloc(0);
    return r;
  }
}

/** `Cartridge:` / `File:` lines (any case, blanks allowed) end in their number. */
const CART_RE = /^\s*cartridge\b.*?(\d+)\s*$/i;
const FILE_RE = /^\s*file\b.*?(\d+)\s*$/i;
/** Informational lines of the -w/-Q/-v queries, which may follow the position. */
const INFO_RE = /^(Streamer state|Server-ID|Precious tapes|Number of cartridges|Current cartridge set|Next tape writing position|Current tape access position|Cartridge|File)\b/i;

export type OutputLine =
  | { kind: 'preamble' }
  | { kind: 'position'; position: StartPosition }
  | { kind: 'index'; line: Buffer }
  | { kind: 'other'; text: string };

/** Classifies afclient's stdout lines, remembering the preamble. */
export class BackupOutputReader {
  private cart = 0;
  private file = 0;
  private serverId: string | undefined;
  private inPreamble = true;
  private announced = false;

  get position(): StartPosition | undefined {
    return this.cart > 0 && this.file > 0 ? { cart: this.cart, file: this.file, serverId: this.serverId } : undefined;
  }

  /** The meaning of one stdout line (two items when an index line also ends the preamble). */
  read(line: Buffer): OutputLine[] {
    const text = line.toString('latin1');
    const isIndex = parseIndexLine(text).kind === 'entry';
    if (this.inPreamble) {
      if (isIndex && this.position !== undefined) return [this.endPreamble(), { kind: 'index', line }];
      let m: RegExpExecArray | null;
      if ((m = CART_RE.exec(text))) this.cart = Number(m[1]);
      else if ((m = FILE_RE.exec(text))) this.file = Number(m[1]);
      else if (text.startsWith('Server-ID:')) this.serverId = text.slice('Server-ID:'.length).trim();
      if (text === '--' && this.position !== undefined) return [this.endPreamble()];
      if (this.position !== undefined && this.serverId !== undefined) return [this.endPreamble()];
      return [{ kind: 'preamble' }];
    }
    if (isIndex) return [{ kind: 'index', line }];
    if (text === '--' || text.trim() === '' || INFO_RE.test(text)) return [{ kind: 'preamble' }];
    return [{ kind: 'other', text }];
  }

  private endPreamble(): OutputLine {
    this.inPreamble = false;
    this.announced = true;
    return { kind: 'position', position: this.position! };
  }

  /** True once the start position was announced (returned as a `position` line). */
  get started(): boolean {
    return this.announced;
  }
}

/** The cartridges of the report file's `Used Cartridges:` line (its last word), or undefined. */
export function usedCartridges(report: string): string | undefined {
  for (const line of report.split('\n')) {
    if (/^used cartridges:/i.test(line)) {
      const words = line.trim().split(/\s+/);
      return words.length > 2 ? words[words.length - 1] : undefined;
    }
  }
  return undefined;
}
