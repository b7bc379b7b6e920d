/**
 * One idea: start the afbackup programs afconsole hands work to — afclient for
 * `status client` and `list volumes`, afrestore for `restore` — and collect what
 * they print and their exit status.
 *
 * Where they are: the environment variable (AF_AFCLIENT, AF_AFRESTORE) when set, a
 * command line split at blanks (`node /opt/af/afclient.js`); else `node <dir>/afclient.js`
 * when that file sits next to the running afconsole script; else the name on PATH.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ProgramResult {
  /** Exit status; 127 when the program could not be started, 128+n after signal n. */
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started at all. */
  readonly startError?: string;
}

/** The command (argv prefix) that starts `prog`. */
export function programCommand(prog: 'afclient' | 'afrestore', env: NodeJS.ProcessEnv = process.env, scriptDir?: string): string[] {
  const override = env[prog === 'afclient' ? 'AF_AFCLIENT' : 'AF_AFRESTORE'];
  if (override && override.trim() !== '') return override.trim().split(/\s+/);
  const dir = scriptDir ?? (process.argv[1] ? path.dirname(process.argv[1]) : undefined);
  if (dir) {
    const js = path.join(dir, `${prog}.js`);
    if (fs.existsSync(js)) return [process.execPath, js];
  }
  return [prog];
}

/** Runs a program with captured output (stdin closed). */
export function runCaptured(argv: readonly string[], timeoutMs = 120_000): Promise<ProgramResult> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.setEncoding('latin1').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exit: 127, stdout: out, stderr: err, startError: `cannot start "${argv[0]}": ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const sig = signal ? 128 + (({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2 } as Record<string, number>)[signal] ?? 1) : 0;
      resolve({ exit: code ?? sig, stdout: out, stderr: err });
    });
  });
}

/** Runs a program on the console's own stdout and stderr; stdin too unless `withStdin` is false. */
export function runInherited(argv: readonly string[], withStdin = true): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [withStdin ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
    child.on('error', (e) => resolve({ exit: 127, stdout: '', stderr: '', startError: `cannot start "${argv[0]}": ${e.message}` }));
    child.on('close', (code, signal) => resolve({ exit: code ?? (signal ? 129 : 1), stdout: '', stderr: '' }));
  });
}
