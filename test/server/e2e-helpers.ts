/**
 * Test helper for end-to-end tests: a server directory (key, configuration over a
 * virtual library), the built afserver started the ways inetd and systemd start it,
 * and a connected client. Uses the build in dist/ (npm test builds first).
 */
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../src/client/connection.js';
import { keyMaterialFromFile } from '../../src/protocol/auth.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AFSERVER = path.join(ROOT, 'dist/cli/afserver.js');
export const KEY = 'e2e-test-key-0123456789';

export interface ServerDir {
  dir: string;
  conf: string;
  var: string;
  log: string;
  cleanup(): void;
}

export function makeServerDir(extra = '', opts: { capacity?: string; blockSize?: number; carts?: number } = {}): ServerDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afe2e-'));
  fs.mkdirSync(path.join(dir, 'var'));
  fs.mkdirSync(path.join(dir, 'rexec'));
  fs.writeFileSync(path.join(dir, 'cryptkey'), KEY, { mode: 0o600 });
  const conf = path.join(dir, 'afserver.conf');
  fs.writeFileSync(
    conf,
    `Backup-Device: vtl:${dir}/vtl
Virtual-Cartridge-Capacity: ${opts.capacity ?? '64M'}
Number Of Cartridges: ${opts.carts ?? 4}
Cartridge-Handler: 1
Tape-Blocksize: ${opts.blockSize ?? 65536}
Max Bytes Per File: 100000000
Var-Directory: ${dir}/var
Tape-Pos-File: %V/tapepos
Lock-file: %V/server.lock
Logging-file: ${dir}/server.log
Encryption-Key-File: ${dir}/cryptkey
Program-Directory: ${dir}/rexec
Cart-Insert-Gracetime: 0
Device-Unavailable-Give-Up-After-Min: 1
Mail-Program: cat >> ${dir}/mail.txt
${extra}`,
  );
  return {
    dir,
    conf,
    var: path.join(dir, 'var'),
    log: path.join(dir, 'server.log'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Connects (retrying while the server starts) and does the handshake. */
export async function connect(port: number, opts: { retryMs?: number } = {}): Promise<Connection> {
  const until = Date.now() + (opts.retryMs ?? 10_000);
  for (;;) {
    try {
      return await Connection.connect({ host: '127.0.0.1', port, key: keyMaterialFromFile('des', Buffer.from(KEY)), scheme: 'des' });
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** An inetd "nowait" stand-in: accepts, then runs afserver with the connection as fds 0 and 1. */
export async function inetdLauncher(conf: string): Promise<{ port: number; children: ChildProcess[]; close(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (sock) => {
    const child = spawn(process.execPath, [AFSERVER, conf], { stdio: [sock, sock, 'pipe'] });
    children.push(child);
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    children,
    close: async () => {
      for (const c of children) c.kill('SIGKILL');
      await new Promise((r) => server.close(r));
    },
  };
}

/** Spawns a long-running process and kills it at cleanup. */
export function startProcess(cmd: string, args: string[]): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(path.join(d, name)));
}

/** Writes `data` through the protocol as one backup (pipelined W), returns where it started. */
export async function backup(c: Connection, data: Buffer): Promise<{ cart: number; file: number }> {
  await c.ok({ name: 'SETCOMMBUFSIZ', size: 65536 });
  await c.ok({ name: 'OPENFORWRITE' });
  const pos = await c.call({ name: 'QUERYWRPOSITION' });
  if (pos.kind !== 'position' || pos.status !== 0) throw new Error(`QUERYWRPOSITION failed: ${JSON.stringify(pos)}`);
  let sent = 0;
  const pieces: number[] = [];
  for (let off = 0; off < data.length; off += 65536) {
    const piece = Buffer.alloc(65536);
    data.copy(piece, 0, off, Math.min(off + 65536, data.length));
    const valid = Math.min(65536, data.length - off);
    if (valid < 65536) c.send({ name: 'SETNUMWRITEVALID', count: valid });
    c.send({ name: 'WRITETOTAPE', data: piece });
    pieces.push(valid);
    sent++;
  }
  for (const valid of pieces) {
    if (valid < 65536) {
      const r = await c.replyTo('SETNUMWRITEVALID');
      if ('status' in r && r.status !== 0) throw new Error(`& failed ${r.status}`);
    }
    const r = await c.replyTo('WRITETOTAPE');
    if ('status' in r && r.status !== 0) throw new Error(`W failed with status 0x${r.status.toString(16)}`);
  }
  await c.ok({ name: 'CLOSETAPE' });
  return { cart: pos.cartridge, file: pos.file };
}

/** Reads a backup back from cart/file until the stream ends; returns `length` bytes. */
export async function restore(c: Connection, at: { cart: number; file: number }, length: number): Promise<Buffer> {
  await c.ok({ name: 'SETCOMMBUFSIZ', size: 65536 });
  await c.ok({ name: 'SETCARTRIDGE', cartridge: at.cart });
  await c.ok({ name: 'SETFILE', file: at.file });
  await c.ok({ name: 'OPENFORREAD' });
  const parts: Buffer[] = [];
  let got = 0;
  while (got < length) {
    const r = await c.call({ name: 'READFROMTAPE' });
    if (r.kind !== 'readBuffer') throw new Error('bad reply');
    let valid = r.data.length;
    if (r.status !== 0) {
      const v = await c.call({ name: 'GETNUMREADVALID' });
      valid = v.kind === 'u32' ? v.value : 0;
    }
    parts.push(r.data.subarray(0, valid));
    got += valid;
    if (r.status !== 0) break;
  }
  await c.ok({ name: 'CLOSETAPE' });
  return Buffer.concat(parts).subarray(0, length);
}

export function pseudoRandom(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
