/**
 * Where the data of an extracted entry goes: a plain file (written as it
 * comes), a file stored with an external process command (the bytes go
 * through the unprocess command, whose output is the file), raw contents
 * (written into the named file or device), and command output (piped into the
 * entry's restore command, run by /bin/sh). Each sink takes the data pieces in
 * order and is finished or aborted once.
 */
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { AfError } from '../../errors.js';
import { splitWords } from '../../config/words.js';

export interface DataSink {
  write(data: Buffer): Promise<void>;
  /** All data is in: completes the entry (exit status, attributes). */
  finish(): Promise<void>;
  abort(): void;
}

/** Writes straight into an open file descriptor; `done` runs before it is closed. */
/** Holes are made of whole blocks of this size (at file offsets that are multiples of it). */
const HOLE_BLOCK = 4096;
const ZEROS = Buffer.alloc(HOLE_BLOCK);

/**
 * Writes a newly created regular file. Blocks of zeros are not written but skipped
 * over, so a sparse file comes back sparse (and any long run of zeros takes no
 * space); the size is set at the end, which also covers a trailing hole.
 */
export class FdSink implements DataSink {
  private pos = 0;

  constructor(private readonly fd: number, private readonly done: (fd: number) => void) {}

  async write(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      // The part up to the next block boundary of the file, or one whole block.
      const len = Math.min(data.length - off, HOLE_BLOCK - (this.pos % HOLE_BLOCK));
      const piece = data.subarray(off, off + len);
      if (len === HOLE_BLOCK && piece.equals(ZEROS)) {
        this.pos += len;
        off += len;
        continue;
      }
      // Gather the run of blocks that are written, to keep the calls few.
      let end = off + len;
      while (end < data.length) {
        const next = Math.min(data.length - end, HOLE_BLOCK);
        if (next === HOLE_BLOCK && data.subarray(end, end + next).equals(ZEROS)) break;
        end += next;
      }
      let done = off;
      while (done < end) {
        const n = fs.writeSync(this.fd, data, done, end - done, this.pos + (done - off));
        done += n;
      }
      this.pos += end - off;
      off = end;
    }
  }

  async finish(): Promise<void> {
    try {
      fs.ftruncateSync(this.fd, this.pos);
      this.done(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* closed already */
    }
  }
}

/** Feeds a child process; its stdout goes to `stdoutFd` (or nowhere). */
export class ProcessSink implements DataSink {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number>;
  private stderr = '';

  constructor(argv: string[], private readonly what: string, private readonly stdoutFd: number | null, private readonly done: (() => void) | null) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', stdoutFd ?? 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (b: Buffer) => {
      if (this.stderr.length < 2000) this.stderr += b.toString('latin1');
    });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise<number>((resolve, reject) => {
      this.child.once('error', (e) => reject(new AfError('SUBPROCESS_FAILED', `${what}: ${argv[0]}: ${e.message}`)));
      this.child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    this.exited.catch(() => undefined);
  }

  async write(data: Buffer): Promise<void> {
    const stdin = this.child.stdin!;
    if (stdin.destroyed) return;
    if (!stdin.write(data)) await Promise.race([once(stdin, 'drain'), this.exited]);
  }

  async finish(): Promise<void> {
    this.child.stdin!.end();
    try {
      const code = await this.exited;
      if (code !== 0) {
        throw new AfError('SUBPROCESS_FAILED', `${this.what} exited with status ${code}${this.stderr ? ': ' + this.stderr.trim().split('\n')[0] : ''}`);
      }
      this.done?.();
    } finally {
      if (this.stdoutFd !== null) fs.closeSync(this.stdoutFd);
    }
  }

  abort(): void {
    this.child.kill('SIGTERM');
    if (this.stdoutFd !== null) {
      try {
        fs.closeSync(this.stdoutFd);
      } catch {
        /* closed already */
      }
    }
  }
}

/** The words of an unprocess command (run without a shell). */
export function commandWords(text: Buffer): string[] {
  return splitWords(text.toString('latin1')).map((w) => w.text);
}

/** The restore command of a `||| cmd ||| restorecmd [### comment]` entry, or null. */
export function restoreCommandOf(line: Buffer): string | null {
  const text = line.toString('latin1').trim();
  const parts = text.split('|||');
  if (parts.length < 3) return null;
  const rest = parts.slice(2).join('|||').replace(/###.*$/s, '').trim();
  return rest === '' ? null : rest;
}
