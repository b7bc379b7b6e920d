/**
 * Test plumbing for afclient: runs it in-process (argv, stdin bytes, working
 * directory) and captures stdout, stderr lines and the exit status the CLI would
 * have; plus a real afserver over loopback from the e2e helpers.
 */
import { PassThrough, Readable } from 'node:stream';
import { runAfclient } from '../../src/client/afclient/run.js';
import { exitStatusOf, messageOf } from '../../src/cli/common.js';
import { makeServerDir, inetdLauncher, type ServerDir } from '../server/e2e-helpers.js';
import path from 'node:path';

export interface RunResult {
  status: number;
  out: Buffer;
  err: string[];
}

export async function afclient(argv: string[], opts: { cwd?: string; stdin?: Buffer } = {}): Promise<RunResult> {
  const outParts: Buffer[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (b: Buffer) => outParts.push(b));
  const stdin = Readable.from(opts.stdin ? [opts.stdin] : []);
  const old = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  let status: number;
  try {
    status = await runAfclient(argv, {
      stdin,
      stdout,
      io: { out: (b) => outParts.push(Buffer.from(b)), err: (l) => err.push(l) },
    });
  } catch (e) {
    err.push(messageOf(e));
    status = exitStatusOf(e);
  } finally {
    process.chdir(old);
  }
  return { status, out: Buffer.concat(outParts), err };
}

export interface TestServer {
  dir: ServerDir;
  port: number;
  /** -h -p -k for afclient. */
  args: string[];
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const dir = makeServerDir();
  const l = await inetdLauncher(dir.conf);
  return {
    dir,
    port: l.port,
    args: ['-h', '127.0.0.1', '-p', String(l.port), '-k', path.join(dir.dir, 'cryptkey')],
    close: async () => {
      await l.close();
      dir.cleanup();
    },
  };
}
