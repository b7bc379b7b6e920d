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
export class FdSink implements DataSink {
  constructor(private readonly fd: number, private readonly done: (fd: number) => void) {}

  async write(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off);
  }

  async finish(): Promise<void> {
    try {
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
