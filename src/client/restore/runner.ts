/**
 * Running afclient as a subprocess, as afbackup's restore programs do. The
 * runner is an interface so that tests can capture the argument vectors and the
 * stdin bytes instead of starting a program.
 *
 * The program: the words of the environment variable AF_AFCLIENT if set (a lone
 * `*.js` file is run with this node), else `node <dir>/afclient.js`, where <dir>
 * is the directory of the calling program (dist/cli). afclient's stdout and
 * stderr are passed on as they come; its exit status is returned.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AfError } from '../../errors.js';

export interface ClientRun {
  readonly argv: readonly string[];
  /** Bytes for afclient's stdin (it gets an empty stdin when null). */
  readonly stdin: Buffer | null;
  /** Working directory of afclient. */
  readonly cwd: string;
  readonly out: (b: Buffer) => void;
  readonly err: (b: Buffer) => void;
}

export interface ClientRunner {
  run(r: ClientRun): Promise<number>;
}

/** The command (program and leading arguments) that starts afclient. */
export function afclientCommand(env: NodeJS.ProcessEnv, programDir: string): string[] {
  const configured = env.AF_AFCLIENT?.trim();
  if (configured) {
    const words = configured.split(/\s+/);
    if (words.length === 1 && words[0]!.endsWith('.js')) return [process.execPath, words[0]!];
    return words;
  }
  return [process.execPath, path.join(programDir, 'afclient.js')];
}

export function spawnRunner(command: readonly string[]): ClientRunner {
  return {
    run: (r) =>
      new Promise((resolve, reject) => {
        const child = spawn(command[0]!, [...command.slice(1), ...r.argv], { cwd: r.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdout!.on('data', (b: Buffer) => r.out(b));
        child.stderr!.on('data', (b: Buffer) => r.err(b));
        child.stdin!.on('error', () => undefined); // afclient may exit before reading all names
        child.on('error', (e) => reject(new AfError('SUBPROCESS_FAILED', `cannot start "${command.join(' ')}": ${e.message}`)));
        // Killed by a signal: 128 + its number, as a shell reports it.
        child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)));
        child.stdin!.end(r.stdin ?? Buffer.alloc(0));
      }),
  };
}
