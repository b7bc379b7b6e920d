/**
 * Test plumbing for aftape: runs the program as a child process (as an administrator
 * would) and makes throw-away virtual libraries.
 *
 * Speed: the suites start aftape about a hundred times, and `node --import tsx` costs
 * close to a second of CPU per start. So the source is compiled once per test process
 * with esbuild (which tsx itself uses) into one ES module under node_modules/.cache
 * (there, the packages it imports resolve as from src/), and each child is a plain
 * `node` of that file; AF_NATIVE_ADDON tells it where the addon is, since the bundle
 * does not live beside src/. Without esbuild the children run under tsx.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVirtualLibrary } from '../../src/device/virtual/library.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = path.join(repoRoot, 'src', 'cli', 'aftape.ts');
const addon = path.join(repoRoot, 'native', 'build', 'Release', 'afnative.node');

/** The command line that starts aftape: [node arguments before the program's own]. */
function compile(): string[] {
  try {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const dir = path.join(repoRoot, 'node_modules', '.cache', 'aftape-test');
    fs.mkdirSync(dir, { recursive: true });
    const outfile = path.join(dir, `aftape-${process.pid}.mjs`);
    esbuild.buildSync({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'silent' });
    process.on('exit', () => fs.rmSync(outfile, { force: true }));
    return [outfile];
  } catch {
    return ['--import', 'tsx', source];
  }
}

let start: string[] | undefined;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs aftape with `args`; TAPE is removed from the environment unless `env` sets it. */
export function aftape(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const full: NodeJS.ProcessEnv = { ...process.env };
  delete full.TAPE;
  start ??= compile();
  const child = spawn(process.execPath, [...start, ...args], {
    cwd: repoRoot,
    env: { AF_NATIVE_ADDON: addon, ...full, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Like aftape, but fails the test unless the exit status is 0; returns stdout. */
export async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await aftape(args, env);
  if (r.status !== 0) throw new Error(`aftape ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function scratch(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `af-aftape-${tag}-`));
}

/** A virtual library of 3 cartridges (slots 1-3), one drive, one port, in <dir>/lib; returns "vtl:<dir>/lib". */
export function makeLibrary(dir: string): string {
  const lib = path.join(dir, 'lib');
  createVirtualLibrary(lib, { slots: 3, capacity: 8 << 20, earlyWarning: 1 << 20, syncOnClose: false });
  return `vtl:${lib}`;
}
