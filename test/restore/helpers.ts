/**
 * Test plumbing for afrestore/afverify: a client var directory made from the
 * golden vectors (or from scratch), a configuration pointing at it, a runner that
 * records the afclient calls instead of starting afclient, and in-process runs
 * of afrestore/afverify that capture stdout, stderr lines and the exit status.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { runAfrestore } from '../../src/client/restore/afrestore.js';
import { runAfverify } from '../../src/client/restore/afverify.js';
import type { ClientRun, ClientRunner } from '../../src/client/restore/runner.js';
import { exitStatusOf, messageOf } from '../../src/cli/common.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/restore');

export interface ClientDir {
  dir: string;
  varDir: string;
  conf: string;
  cleanup(): void;
}

/** A client var directory with the golden index and var files of a variant, and a client.conf for it. */
export function goldenClientDir(variant: 'simple' | 'des', extraConf = ''): ClientDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afrestore-t-'));
  const varDir = path.join(dir, 'client-var');
  fs.mkdirSync(varDir);
  for (const f of ['backup_log.1.z', '.backup_log.1.z', 'num', 'needed_tapes', 'server_ids', 'start_positions', 'index_ages', 'level_timestamps']) {
    fs.copyFileSync(path.join(FIXTURES, variant, f), path.join(varDir, f));
    fs.chmodSync(path.join(varDir, f), 0o600);
  }
  const conf = path.join(dir, 'client.conf');
  fs.writeFileSync(
    conf,
    `BackupHosts: 127.0.0.1
BackupPorts: 29880
ClientIdentifier: afdemo-client
RootDirectory: ${dir}
IndexFilePart: %V/backup_log.
IndexProcessCmd: gzip -9
IndexUnprocessCmd: gunzip
VarDirectory: ${varDir}
EncryptionKeyFile: /srv/afdemo/etc/cryptkey
${extraConf}`,
  );
  return { dir, varDir, conf, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Captured {
  argv: string[];
  stdin: string;
  cwd: string;
}

/** A runner that records each call; `reply` may produce afclient's output and status. */
export function captureRunner(reply?: (r: ClientRun, i: number) => number): { runner: ClientRunner; calls: Captured[] } {
  const calls: Captured[] = [];
  return {
    calls,
    runner: {
      run: async (r) => {
        calls.push({ argv: [...r.argv], stdin: r.stdin ? r.stdin.toString('latin1') : '', cwd: r.cwd });
        return reply ? reply(r, calls.length - 1) : 0;
      },
    },
  };
}

export interface Result {
  status: number;
  out: Buffer;
  err: string[];
}

type Main = typeof runAfrestore | typeof runAfverify;

async function inProcess(main: Main, argv: string[], runner: ClientRunner, stdin = ''): Promise<Result> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const io = {
    out: (b: Buffer | string) => out.push(Buffer.isBuffer(b) ? b : Buffer.from(b, 'latin1')),
    err: (l: string) => err.push(l),
    passErr: (b: Buffer) => err.push(b.toString('latin1').replace(/\n$/, '')),
  };
  let status: number;
  try {
    status = await main(argv, { io, runner, stdin: Readable.from([Buffer.from(stdin, 'latin1')]), env: { ...process.env, AF_INSTALL_PREFIX: '/nonexistent' } });
  } catch (e) {
    err.push(messageOf(e));
    status = exitStatusOf(e);
  }
  return { status, out: Buffer.concat(out), err };
}

export const afrestore = (argv: string[], runner: ClientRunner, stdin = ''): Promise<Result> => inProcess(runAfrestore, argv, runner, stdin);
export const afverify = (argv: string[], runner: ClientRunner): Promise<Result> => inProcess(runAfverify, argv, runner);

/** The afclient argv vectors afrestore ran in the golden capture (argv[0] dropped). */
export function goldenAfclientCalls(variant: 'simple' | 'des'): string[][] {
  const text = fs.readFileSync(path.join(FIXTURES, variant, 'execve-trace.txt'), 'latin1');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.includes('"afrestore"'));
  return lines
    .slice(at + 1)
    .filter((l) => l.startsWith('execve('))
    .map((l) => [.../\[(.*)\]/.exec(l)![1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!).slice(1));
}
