/**
 * The part every server-talking afclient mode shares: connect (address.ts),
 * authenticate, then the standard opening (`b` block size, `l` comm buffer of
 * min(blocksize, 65536), `s` when -S names another cartridge set, the mode's
 * own positioning such as `c`/`f`, then `!` client id), and the closing `X`.
 * Also the output sink the modes write their stdout bytes to, and the
 * pipelined sender used by create mode.
 */
import { AfError } from '../../errors.js';
import type { Connection } from '../connection.js';
import type { Request } from '../../protocol/request.js';
import type { Reply } from '../../protocol/reply-decoder.js';
import type { CommandName } from '../../protocol/commands.js';
import type { AfclientOptions } from './options.js';
import { connectTo, readKey, resolveAddress, type ServerAddress } from './address.js';

export { readKey } from './address.js';

/** Where a mode writes its regular output and its diagnostics. */
export interface Output {
  out(bytes: Buffer | string): void;
  err(line: string): void;
  /** A transient progress line (stderr on a terminal); absent = no progress shown. */
  progress?(line: string | null): void;
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
  address: ServerAddress;
}

/** Connects and runs the standard opening up to (and including) `!`. */
export async function openSession(o: AfclientOptions, before?: (c: Connection) => Promise<void>): Promise<Session> {
  const address = resolveAddress(o.host, o.port);
  const conn = await connectTo(address, readKey(o.keyFile));
  try {
    const b = check(await conn.call({ name: 'QUERYTAPEBLOCKSIZE' }), 'querying the block size');
    const blockSize = b.kind === 'u32' ? b.value : 1024;
    check(await conn.call({ name: 'SETCOMMBUFSIZ', size: Math.max(1, Math.min(blockSize, 65536)) }), 'setting the buffer size');
    if (o.cartSet !== 1) check(await conn.call({ name: 'SETCARTSET', cartSet: o.cartSet }), `selecting cartridge set ${o.cartSet}`);
    if (before) await before(conn);
    check(await conn.call({ name: 'CLIENTIDENT', id: Buffer.from(o.clientId) }), 'sending the client id');
    return { conn, blockSize, address };
  } catch (e) {
    await conn.close();
    throw e;
  }
}

/** `c` (-C) and `f` (-F) before reading. */
export function positionFromOptions(o: AfclientOptions): (c: Connection) => Promise<void> {
  return async (c) => {
    if (o.cartridge !== undefined) check(await c.call({ name: 'SETCARTRIDGE', cartridge: o.cartridge }), `setting cartridge ${o.cartridge}`);
    if (o.file !== undefined) check(await c.call({ name: 'SETFILE', file: o.file }), `setting file ${o.file}`);
  };
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
