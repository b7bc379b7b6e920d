/**
 * Running afclient as a subprocess: short queries whose whole output is read
 * (`-wv`, `-M`), and the long backup run whose stdin and stdout the caller
 * drives. Output bytes are kept as they are (Latin-1 safe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { AfError } from '../../errors.js';
import type { AfclientProgram } from './afclient-command.js';

export interface QueryResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runQuery(program: AfclientProgram, args: readonly string[]): Promise<QueryResult> {
  const child = spawn(program.file, [...program.prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const failed = once(child, 'error').then(([e]) => {
    throw new AfError('SUBPROCESS_FAILED', `cannot run afclient "${program.file}": ${(e as Error).message}`);
  });
  const [code, signal] = (await Promise.race([once(child, 'close'), failed])) as [number | null, NodeJS.Signals | null];
  return {
    status: code ?? (signal ? 128 : 1),
    stdout: Buffer.concat(out).toString('latin1'),
    stderr: Buffer.concat(err).toString('latin1'),
  };
}

/** Starts the backup afclient with stdin, stdout and stderr as pipes. */
export function startBackupClient(program: AfclientProgram, args: readonly string[]): ChildProcess {
  const child = spawn(program.file, [...program.prefix, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => undefined);
  return child;
}

/** The exit status of a child once it has ended. */
export async function exitOf(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return child.exitCode;
  if (child.signalCode !== null) return 128;
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return code ?? (signal ? 128 : 1);
}
