/**
 * Test plumbing for afconsole: a director directory made from the fixture
 * configuration (var directory, time zone, optional afserver), a ConsoleContext
 * with a pinned clock and replaceable programs for in-process runs, and a runner
 * for the real program (node dist/cli/afconsole.js).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDirectorConfig } from '../../src/director/conf/validate.js';
import type { DirectorConfig } from '../../src/director/conf/model.js';
import { selectConsole } from '../../src/director/console/acl.js';
import type { ConsoleContext, ConsoleWorld } from '../../src/director/console/context.js';
import { executeLine, type Outcome } from '../../src/director/console/session.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AFCONSOLE = path.join(ROOT, 'dist/cli/afconsole.js');
const TEMPLATE = path.join(ROOT, 'test/fixtures/console/afdirector.conf.in');

export interface DirectorDir {
  dir: string;
  conf: string;
  varDir: string;
  config: DirectorConfig;
  cleanup(): void;
}

export async function makeDirectorDir(opts: { tz?: string; port?: number; key?: string; serverConf?: string; clientConf?: string } = {}): Promise<DirectorDir> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afconsole-'));
  const varDir = path.join(dir, 'var');
  fs.mkdirSync(varDir);
  const text = fs
    .readFileSync(TEMPLATE, 'utf8')
    .replaceAll('@VAR@', varDir)
    .replaceAll('@TZ@', opts.tz ?? 'Europe/Berlin')
    .replaceAll('@PORT@', String(opts.port ?? 2988))
    .replaceAll('@KEY@', opts.key ?? path.join(dir, 'nokey'))
    .replaceAll('@SERVERCONF@', opts.serverConf ?? path.join(dir, 'no-afserver.conf'))
    .replaceAll('@CLIENTCONF@', opts.clientConf ?? path.join(dir, 'afclient.conf'));
  const conf = path.join(dir, 'afdirector.conf');
  fs.writeFileSync(conf, text);
  const config = await loadDirectorConfig(conf);
  return { dir, conf, varDir, config, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface FakeWorld extends ConsoleWorld {
  afclientCalls: string[][];
  afrestoreCalls: Array<{ args: string[]; capture: boolean }>;
}

export function fakeWorld(now: string, over: Partial<ConsoleWorld> = {}): FakeWorld {
  const w: FakeWorld = {
    afclientCalls: [],
    afrestoreCalls: [],
    now: () => new Date(now),
    sleep: async () => undefined,
    afclient: async (args) => {
      w.afclientCalls.push([...args]);
      return { exit: 0, stdout: 'Streamer state: READY\nServer-ID: fake:1\nPrecious tapes: 1-2\n', stderr: '' };
    },
    afrestore: async (args, capture) => {
      w.afrestoreCalls.push({ args: [...args], capture });
      return { exit: 0, stdout: 'restored\n', stderr: '' };
    },
    pollMs: 1,
    ...over,
  };
  return w;
}

export function makeCtx(d: DirectorDir, opts: { console?: string; json?: boolean; world?: ConsoleWorld; now?: string } = {}): ConsoleContext {
  return {
    config: d.config,
    access: selectConsole(d.config, opts.console),
    varDirectory: d.varDir,
    timeZone: d.config.director.timeZone ?? 'UTC',
    json: opts.json ?? false,
    world: opts.world ?? fakeWorld(opts.now ?? '2026-03-26T12:00:00Z'),
  };
}

/** Runs one line; fails the test when the line was blank. */
export async function run(ctx: ConsoleContext, line: string): Promise<Outcome> {
  const o = await executeLine(ctx, line);
  if (!o) throw new Error(`no command in "${line}"`);
  return o;
}

export interface Spawned {
  status: number;
  stdout: string;
  stderr: string;
}

export function afconsole(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AFCONSOLE, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
