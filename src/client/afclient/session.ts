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
 * more are sent. A non-zero status fails the pipeline: the next send() or
 * drain() throws it.
 *
 * One reader loop collects the replies while requests are outstanding, so a
 * request costs a queue slot, not a chain of promises of its own.
 */
export class Pipeline {
  private readonly queue: ({ name: CommandName; onReply: ((r: Reply) => void) | undefined } | undefined)[] = [];
  private head = 0;
  private reading = false;
  private failure: unknown = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly conn: Connection, private readonly window = 512) {}

  private get outstanding(): number {
    return this.queue.length - this.head;
  }

  async send(req: Request, onReply?: (r: Reply) => void): Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.conn.send(req);
    await this.queued(req.name as CommandName, onReply);
  }

  /** A W whose frame (command byte and comm buffer) the caller built; see Connection.sendWriteFrame. */
  async sendWriteFrame(frame: Buffer): Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.conn.sendWriteFrame(frame);
    await this.queued('WRITETOTAPE', undefined);
  }

  private async queued(name: CommandName, onReply: ((r: Reply) => void) | undefined): Promise<void> {
    this.queue.push({ name, onReply });
    if (!this.reading) void this.read();
    while (this.outstanding > this.window && this.failure === null) await this.wait();
    if (this.failure !== null) throw this.failure;
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      while (this.head < this.queue.length) {
        const p = this.queue[this.head]!;
        const r = await this.conn.replyTo(p.name);
        this.queue[this.head++] = undefined;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        check(r, `command ${p.name}`);
        p.onReply?.(r);
        if (this.waiters.length > 0 && this.outstanding <= this.window) this.wake();
      }
    } catch (e) {
      this.failure = e;
    } finally {
      this.reading = false;
      this.wake();
    }
  }

  /** Waits for every outstanding reply. */
  async drain(): Promise<void> {
    while (this.outstanding > 0 && this.failure === null) await this.wait();
    if (this.failure !== null) throw this.failure;
  }
}
