/**
 * One idea: start the afbackup programs afconsole hands work to — afclient for
 * `status client` and `list volumes`, afrestore for `restore` — and collect what
 * they print and their exit status.
 *
 * Where they are is the director's rule (runner/afclient-command.ts programCommand);
 * they are started through runner/child.ts, like every program the director starts.
 */
import { runChild, type ChildResult } from '../runner/child.js';

export interface ProgramResult {
  /** Exit status; 127 when the program could not be started, 128+n after signal n. */
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started at all. */
  readonly startError?: string;
}

/** Where afclient and afrestore are: one rule for the director and the console (runner/afclient-command.ts). */
export { programCommand } from '../runner/afclient-command.js';

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function exitOf(r: ChildResult): number {
  return r.spawnError !== undefined ? 127 : r.code ?? 128 + (SIGNALS[r.signal ?? ''] ?? 1);
}

function startError(argv: readonly string[], r: ChildResult): { startError?: string } {
  return r.spawnError !== undefined ? { startError: `cannot start "${argv[0]}": ${r.spawnError}` } : {};
}

/** Runs a program with captured output (stdin closed; Latin-1, so any byte survives); stopped after `timeoutMs`. */
export async function runCaptured(argv: readonly string[], timeoutMs = 120_000): Promise<ProgramResult> {
  let out = '';
  let err = '';
  const run = runChild(argv, (line, s) => {
    if (s === 'out') out += `${line}\n`;
    else err += `${line}\n`;
  }, { encoding: 'latin1' });
  const timer = setTimeout(() => run.kill(), timeoutMs);
  const r = await run.done;
  clearTimeout(timer);
  return { exit: exitOf(r), stdout: out, stderr: err, ...startError(argv, r) };
}

/** Runs a program on the console's own stdout and stderr; stdin too unless `withStdin` is false. */
export async function runInherited(argv: readonly string[], withStdin = true): Promise<ProgramResult> {
  const r = await runChild(argv, () => undefined, { inherit: true, inheritStdin: withStdin }).done;
  return { exit: exitOf(r), stdout: '', stderr: '', ...startError(argv, r) };
}
