/**
 * A client connection to an afbackup server: the handshake (either scheme, or
 * detected from the challenge length), then one request at a time or pipelined
 * requests with their replies in order. Any Duplex works (a TCP socket in use, a
 * stream pair in tests).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { AfError } from '../errors.js';
import { Authenticator, type AuthScheme } from '../protocol/auth.js';
import { encodeRequest } from '../protocol/request-encoder.js';
import { ReplyDecoder, replyShapeFor, type Reply, type ReplyShape, type ReplyOf } from '../protocol/reply-decoder.js';
import type { Request } from '../protocol/request.js';
import type { CommandName } from '../protocol/commands.js';
import { DEFAULT_COMMBUFSIZ, WRITETOTAPE } from '../protocol/commands.js';

export interface ConnectOptions {
  host: string;
  port: number;
  /** Key material (the key file's bytes as keyMaterialFromFile returns them), or null. */
  key: Buffer | null;
  /** Authentication scheme; 'auto' tells DES from simple by the challenge length. */
  scheme?: AuthScheme | 'auto';
  /** Check the server's knowledge of the key too ('a'), as afclient does. Default true. */
  mutual?: boolean;
  timeoutMs?: number;
}

/** Bytes of requests gathered before they are written in one go. */
const CORK_BYTES = 256 * 1024;

export class Connection {
  private readonly decoder = new ReplyDecoder();
  private readonly input: AsyncIterator<Buffer>;
  private ended = false;
  commBufSize = DEFAULT_COMMBUFSIZ;
  authLength: 4 | 16 = 16;
  serverVersion: string | null = null;

  constructor(readonly stream: Duplex) {
    this.input = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  static async connect(o: ConnectOptions): Promise<Connection> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: o.host, port: o.port, allowHalfOpen: true });
      const t = setTimeout(() => s.destroy(new AfError('CONNECT_FAILED', `${o.host}:${o.port}: timed out`)), o.timeoutMs ?? 30_000);
      s.once('connect', () => {
        clearTimeout(t);
        s.setNoDelay(true);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e instanceof AfError ? e : new AfError('CONNECT_FAILED', `${o.host}:${o.port}: ${e.message}`));
      });
    });
    const c = new Connection(sock);
    await c.handshake(o.key, o.scheme ?? 'auto', o.mutual ?? true);
    return c;
  }

  /** The read under way, shared by every caller until it completes. */
  private reading: Promise<void> | null = null;

  private more(): Promise<void> {
    if (!this.reading) {
      this.reading = this.readOnce().finally(() => {
        this.reading = null;
      });
    }
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    if (this.ended) throw new AfError('CONNECTION_CLOSED');
    const r = await this.input.next();
    if (r.done) {
      this.ended = true;
      throw new AfError('CONNECTION_CLOSED');
    }
    this.decoder.push(r.value);
  }

  async reply(shape: ReplyShape): Promise<Reply> {
    for (;;) {
      const r = this.decoder.next(shape);
      if (r) return r;
      await this.more();
    }
  }

  /** Reads until `bytes` are buffered or `ms` have passed, whichever comes first. */
  private async awaitBuffered(bytes: number, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    try {
      while (this.decoder.buffered < bytes) {
        // A read still under way when time is up is the one the next more() waits for.
        const read = this.more().then(() => 'read' as const);
        read.catch(() => undefined);
        if ((await Promise.race([read, expired])) === 'late') return;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Banner, challenge, response, status; then the mutual check. */
  async handshake(key: Buffer | null, scheme: AuthScheme | 'auto', mutual: boolean): Promise<void> {
    const banner = (await this.reply({ kind: 'banner' })) as ReplyOf<'banner'>;
    this.serverVersion = banner.version;
    let chosen: AuthScheme;
    if (scheme === 'auto') {
      // A DES server sends 16 bytes at once; a simple one sends 4 and waits. Give it
      // 50 ms, but decide as soon as 16 bytes are in.
      await this.awaitBuffered(16, 50);
      while (this.decoder.buffered < 4) await this.more();
      chosen = this.decoder.buffered >= 16 ? 'des' : 'simple';
    } else chosen = scheme;
    const auth = new Authenticator(chosen, key);
    this.authLength = auth.length;
    const challenge = ((await this.reply({ kind: 'raw', size: auth.length })) as ReplyOf<'raw'>).bytes;
    this.put(auth.respond(challenge));
    const st = ((await this.reply({ kind: 'status' })) as ReplyOf<'status'>).status;
    if (st !== 0) throw AfError.fromStatus(st, 'the server refused the handshake');
    if (mutual) {
      const mine = auth.makeChallenge();
      this.put(encodeRequest({ name: 'AUTHENTICATE', challenge: mine }, { authLength: auth.length }));
      const theirs = ((await this.reply({ kind: 'raw', size: auth.length })) as ReplyOf<'raw'>).bytes;
      if (!auth.respond(mine).equals(theirs)) throw new AfError('AUTHENTICATION', 'the server does not know our key (possible key spoofing)');
    }
  }

  /** Sends one request without waiting (pipelining); collect its reply with replyTo(). */
  send(req: Request): boolean {
    if (req.name === 'SETCOMMBUFSIZ') this.pendingCommBuf.push(req.size);
    return this.put(encodeRequest(req, { commBufSize: this.commBufSize, authLength: this.authLength }));
  }

  /**
   * Requests written in one turn of the event loop go out together (up to
   * CORK_BYTES at a time): one system call for many small requests instead of
   * one each. Waiting for any reply lets the loop turn, which sends them.
   */
  private corkedBytes = 0;
  private uncorkScheduled = false;

  private put(b: Buffer): boolean {
    if (b.length >= CORK_BYTES / 16) {
      // Large enough to go alone: after whatever small requests are waiting.
      const ok = this.stream.write(b);
      this.uncork();
      return ok;
    }
    if (this.corkedBytes === 0) {
      this.stream.cork();
      if (!this.uncorkScheduled) {
        this.uncorkScheduled = true;
        setImmediate(() => {
          this.uncorkScheduled = false;
          this.uncork();
        });
      }
    }
    this.corkedBytes += b.length;
    const ok = this.stream.write(b);
    if (this.corkedBytes >= CORK_BYTES) this.uncork();
    return ok;
  }

  private uncork(): void {
    if (this.corkedBytes === 0) return;
    this.corkedBytes = 0;
    this.stream.uncork();
  }

  private pendingCommBuf: number[] = [];

  /**
   * A W request framed by the caller: the command byte followed by exactly one
   * comm buffer of data. Written as it is (no copy); collect the reply with
   * replyTo('WRITETOTAPE').
   */
  sendWriteFrame(frame: Buffer): boolean {
    if (frame.length !== this.commBufSize + 1 || frame[0] !== WRITETOTAPE) {
      throw new AfError('PROTOCOL_ERROR', `a W frame carries 1 + ${this.commBufSize} bytes starting with 'W', not ${frame.length}`);
    }
    return this.put(frame);
  }

  /** The reply of a request sent earlier with send(). */
  async replyTo(name: CommandName): Promise<Reply> {
    const r = await this.reply(replyShapeFor(name, { commBufSize: this.commBufSize, authLength: this.authLength }));
    if (name === 'SETCOMMBUFSIZ') {
      const size = this.pendingCommBuf.shift();
      if (size !== undefined && 'status' in r && r.status === 0) this.commBufSize = size;
    }
    return r;
  }

  /** One request and its reply. */
  async call(req: Request): Promise<Reply> {
    if (req.name === 'WRITETOTAPE' && req.data.length !== this.commBufSize) {
      throw new AfError('PROTOCOL_ERROR', `a W carries ${this.commBufSize} bytes, not ${req.data.length}`);
    }
    this.send(req);
    if (req.name === 'SETCOMMBUFSIZ') {
      const r = await this.replyTo(req.name);
      return r;
    }
    return this.replyTo(req.name as CommandName);
  }

  /** A request whose only interesting answer is a status byte; throws the AfError for a non-zero one. */
  async ok(req: Request): Promise<void> {
    const r = await this.call(req);
    if ('status' in r && r.status !== 0) throw AfError.fromStatus(r.status, req.name);
  }

  async close(): Promise<void> {
    this.uncork();
    this.stream.end();
    this.stream.destroy();
  }
}
