/**
 * The part every server-talking afclient mode shares: connect, authenticate,
 * then the standard opening (`b` block size, `l` comm buffer of
 * min(blocksize, 65536), `!` client id), and the closing `X`. Also the output
 * sink the modes write their stdout bytes to, and the pipelined sender used by
 * create mode.
 */
import fs from 'node:fs';
import { AfError } from '../../errors.js';
import { Connection } from '../connection.js';
import { keyMaterialFromFile } from '../../protocol/auth.js';
import type { Request } from '../../protocol/request.js';
import type { Reply } from '../../protocol/reply-decoder.js';
import type { CommandName } from '../../protocol/commands.js';
import { portNumber, type AfclientOptions } from './options.js';

/** Where a mode writes its regular output and its diagnostics. */
export interface Output {
  out(bytes: Buffer | string): void;
  err(line: string): void;
}

export function readKey(file: string | undefined): Buffer | null {
  if (file === undefined) return null;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new AfError('KEYFILE', `${file}: ${(e as Error).message}`);
  }
  // The DES material (up to 99 bytes) also starts with the 5 bytes simple mode uses.
  return keyMaterialFromFile('des', bytes);
}

function statusOf(r: Reply): number {
  return 'status' in r ? r.status : 0;
}

export function check(r: Reply, what: string): Reply {
  const st = statusOf(r);
  if (st !== 0) throw AfError.fromStatus(st, what);
  return r;
}

export interface Session {
  conn: Connection;
  blockSize: number;
}

/** Connects and runs the standard opening up to (and including) `!` unless told otherwise. */
export async function openSession(o: AfclientOptions, before?: (c: Connection) => Promise<void>): Promise<Session> {
  const conn = await Connection.connect({ host: o.host, port: portNumber(o.port), key: readKey(o.keyFile), scheme: 'auto' });
  const b = check(await conn.call({ name: 'QUERYTAPEBLOCKSIZE' }), 'querying the block size');
  const blockSize = b.kind === 'u32' ? b.value : 1024;
  check(await conn.call({ name: 'SETCOMMBUFSIZ', size: Math.max(1, Math.min(blockSize, 65536)) }), 'setting the buffer size');
  if (before) await before(conn);
  check(await conn.call({ name: 'CLIENTIDENT', id: Buffer.from(o.clientId) }), 'sending the client id');
  return { conn, blockSize };
}

export async function goodbye(conn: Connection): Promise<void> {
  try {
    check(await conn.call({ name: 'GOODBYE' }), 'saying goodbye');
  } finally {
    await conn.close();
  }
}

/**
 * Pipelined requests: send() writes at once and queues the reply; at most
 * `window` replies are outstanding, older ones are collected (in order) before
 * more are sent. A non-zero status fails the pipeline.
 */
export class Pipeline {
  private chain: Promise<unknown> = Promise.resolve();
  private inflight: Promise<Reply>[] = [];

  constructor(private readonly conn: Connection, private readonly window = 512) {}

  async send(req: Request, onReply?: (r: Reply) => void): Promise<void> {
    this.conn.send(req);
    const name = req.name as CommandName;
    const p = this.chain.then(async () => {
      const r = await this.conn.replyTo(name);
      check(r, `command ${name}`);
      onReply?.(r);
      return r;
    });
    p.catch(() => undefined);
    this.chain = p;
    this.inflight.push(p);
    while (this.inflight.length > this.window) await this.inflight.shift();
  }

  /** Waits for every outstanding reply. */
  async drain(): Promise<void> {
    while (this.inflight.length > 0) await this.inflight.shift();
  }
}
