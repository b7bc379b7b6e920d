/**
 * Runs the shell commands an administrator configured (Set-Cart-Command,
 * Erase-Tape-Command, Tape-Full-Command, Init/Exit-Command, Mail-Program ...).
 *
 * They run through $SHELL -c (an absolute $SHELL, else /bin/sh) with a pipe as
 * stdin, in their own process group, and their output is captured: nothing may
 * reach our fds 1 and 2, which under inetd are the client's socket.
 */
import { spawn } from 'node:child_process';

export interface ShellResult {
  code: number;
  output: Buffer;
}

export interface ShellOptions {
  env?: Record<string, string | undefined>;
  /** Bytes written to the command's stdin (a mail body, a host name). */
  input?: Buffer | string;
  timeoutMs?: number;
}

export function shellPath(): string {
  const sh = process.env.SHELL;
  return sh && sh.startsWith('/') ? sh : '/bin/sh';
}

export function runShell(command: string, opts: ShellOptions = {}): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn(shellPath(), ['-c', command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...opts.env },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }, opts.timeoutMs);
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, output: Buffer.from(String(e.message)) });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks) });
    });
  });
}
