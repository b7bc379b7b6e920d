/**
 * Shared test plumbing for the state layer: temporary directories and child
 * processes that run TypeScript scripts from test/state/children under tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'state');

export async function tempDir(prefix = 'afstate-'): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

/** Starts test/state/children/<name>.ts under tsx with the given arguments. */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const script = path.join(repoRoot, 'test', 'state', 'children', `${name}.ts`);
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with stdout when the child exits with 0, rejects with its stderr otherwise. */
export function runChild(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = startChild(name, args, env);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`child ${name} ended with ${code ?? signal}: ${err}`));
    });
  });
}

/** Waits until the child prints `word` on a line of stdout. */
export function waitForLine(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.split('\n').includes(word)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before printing ${word}: ${err}`)));
  });
}

/** Kills the child with SIGKILL and waits for it to be gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
