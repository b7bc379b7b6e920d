/**
 * One afserver session: the state machine of one connection.
 *
 * Banner, challenge, the client's response and the status byte; then requests are
 * decoded one at a time (the comm buffer size may change between any two) and
 * answered in order through one dispatch table, where each handler states its
 * precondition. Replies are collected while more requests are already buffered,
 * so pipelined clients get them in few writes. An AfError from a handler becomes
 * the command's status byte in a reply of the command's usual shape.
 *
 * The only I/O here is the Duplex given to run(); it may be a TCP socket on fd 0,
 * fd 3 or a pair of streams in tests.
 */
import type { Duplex } from 'node:stream';
import { AfError, toAfError } from '../errors.js';
import type { Logger } from '../log.js';
import { RequestDecoder } from '../protocol/request-decoder.js';
import type { Request, RequestName, RequestOf } from '../protocol/request.js';
import { COMMAND_TABLE, COMMAND_OK, DEFAULT_COMMBUFSIZ, MAX_COMMBUFSIZ, type CommandName } from '../protocol/commands.js';
import * as reply from '../protocol/reply-encoder.js';
import type { Authenticator } from '../protocol/auth.js';
import type { TapeService } from './tape-service.js';
import type { RdyForServInfo } from '../protocol/reply-encoder.js';
import { fromNumbers, formatRanges } from '../state/range-list.js';
import { InputReader } from './input-reader.js';

export interface SessionContext {
  log: Logger;
  auth: Authenticator;
  /** Set when the configuration could not be read: its status goes out instead of 0 after the handshake. */
  configError?: AfError;
  /** afserver -s: a wrong authentication response is let through (debugging only). */
  acceptBadAuth?: boolean;
  /** Tests pin the server challenge. */
  challenge?: () => Buffer;
  serverId: string;
  numberOfCartridges: number;
  tape: TapeService;
  /** Applies server messages (MESSAGETEXT); returns the status byte. */
  applyMessages(text: Buffer): Promise<number>;
  /** The precious_tapes value of a client, or null. */
  neededTapes(clientId: string): Promise<string | null>;
  /** The operator message file: mtime and contents, or null when there is none. */
  clientMessage(): Promise<{ mtimeSec: number; text: Buffer } | null>;
  /** Runs a program from Program-Directory (CLIENTBACKUP). */
  remoteStart(command: Buffer, env: Record<string, string | undefined>): Promise<{ exit: number; output: Buffer; status: number }>;
  /** The streamer state for QUERYRDYFORSERV. */
  probeReady(): Promise<RdyForServInfo>;
  /** May this host use the cartridge set (CHECKACCESS, SETCARTSET)? */
  setAllowed(set: number, host: string): Promise<boolean>;
  /** Runs Exit-Command at GOODBYE. */
  goodbye(): Promise<void>;
  peerHost: string;
}

type Handler<N extends RequestName> = (s: Session, req: RequestOf<N>) => Promise<Buffer | null> | Buffer | null;
type HandlerTable = { [N in RequestName]: Handler<N> };

const OK = COMMAND_OK;

export class Session {
  readonly ctx: SessionContext;
  commBufSize = DEFAULT_COMMBUFSIZ;
  clientId = '';
  remoteUser: string | undefined;
  remoteHost: string | undefined;
  finished = false;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  /** Environment for programs the session starts, naming the remote user and host. */
  commandEnv(): Record<string, string | undefined> {
    return { AFBACKUPREMOTEUSER: this.remoteUser, AFBACKUPREMOTEHOST: this.remoteHost };
  }

  /** Serves the connection until GOODBYE, EOF, a protocol error or a failed handshake. */
  async run(conn: Duplex, opts: { bannerSent?: boolean } = {}): Promise<void> {
    const log = this.ctx.log;
    const decoder = new RequestDecoder({ authLength: this.ctx.auth.length });
    const input = new InputReader(conn);
    const pull = async (): Promise<boolean> => {
      const chunk = await input.read();
      if (chunk === null) return false;
      decoder.push(chunk);
      return true;
    };
    const out = new ReplyWriter(conn);

    // Handshake.
    const challenge = this.ctx.challenge ? this.ctx.challenge() : this.ctx.auth.makeChallenge();
    // The banner does not depend on the configuration: a launcher may have sent it already.
    if (!opts.bannerSent) out.push(reply.BANNER);
    out.push(challenge);
    await out.flush();
    let response: Buffer | null;
    while ((response = decoder.nextAuthResponse(this.ctx.auth.length)) === null) {
      if (!(await pull())) {
        log.info('client closed the connection during the handshake');
        return;
      }
    }
    const good = this.ctx.auth.verify(challenge, response);
    if (!good) log.warn({ peer: this.ctx.peerHost }, this.ctx.acceptBadAuth ? 'authentication failed, let through (-s)' : 'authentication failed');
    if (this.ctx.configError) {
      out.push(reply.status(this.ctx.configError.status));
      await out.end();
      return;
    }
    if (!good && !this.ctx.acceptBadAuth) {
      out.push(reply.status(AUTH_FAILED));
      await out.end();
      return;
    }
    out.push(reply.status(OK));

    // Commands.
    try {
      for (;;) {
        const req = decoder.next(this.commBufSize);
        if (req === null) {
          // Replies go out when the client has nothing more for us right now: data that
          // is already on its way is read first, so a pipelining client gets its many
          // status bytes in few writes, and a waiting one gets them at once.
          const more = pull();
          if ((await Promise.race([more, nextTurn()])) === TURN) await out.flush();
          if (!(await more)) {
            log.info('end of input from the client, treated as goodbye');
            await out.flush().catch(() => undefined);
            await this.ctx.tape.shutdown();
            await this.ctx.goodbye();
            await out.end().catch(() => undefined);
            return;
          }
          continue;
        }
        const r = await this.dispatch(req);
        if (r) out.push(r);
        if (out.pending > 256 * 1024) await out.flush();
        if (this.finished) {
          await out.end();
          return;
        }
      }
    } catch (e) {
      log.error({ err: e }, 'session ended by an error');
      await this.ctx.tape.shutdown().catch(() => undefined);
      await out.end().catch(() => undefined);
    }
  }

  /** Runs one request through the dispatch table; AfErrors become the command's status. */
  async dispatch(req: Request): Promise<Buffer | null> {
    const handler = HANDLERS[req.name] as Handler<typeof req.name>;
    try {
      return await handler(this, req as never);
    } catch (e) {
      const err = toAfError(e);
      if (err.code === 'INTERNAL') this.ctx.log.error({ err: e, cmd: req.name }, 'command failed');
      else this.ctx.log.warn({ cmd: req.name, error: err.message }, 'command refused');
      return errorReply(req.name as CommandName, err.status, this.commBufSize, this.ctx.auth.length);
    }
  }
}

const AUTH_FAILED = 0x3d;

const TURN = Symbol('turn');
/** Resolves after the event loop has polled for I/O once. */
const nextTurn = (): Promise<typeof TURN> => new Promise((r) => setImmediate(() => r(TURN)));

/** A reply of the command's usual shape with zeroed contents and the given status. */
export function errorReply(name: CommandName, st: number, commBufSize: number, authLength: number): Buffer | null {
  const spec = COMMAND_TABLE[name]?.reply;
  if (!spec) return reply.status(st);
  if (!spec.status) return null;
  const fixed = spec.fixed === 'commbuf' ? commBufSize : spec.fixed === 'auth' ? authLength : spec.fixed;
  const b = Buffer.alloc(fixed + 1);
  b[fixed] = st;
  return b;
}

/** Collects replies and writes them in batches, waiting for the socket to drain. */
class ReplyWriter {
  private parts: Buffer[] = [];
  pending = 0;
  constructor(private readonly conn: Duplex) {}

  push(b: Buffer): void {
    this.parts.push(b);
    this.pending += b.length;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    if (this.conn.destroyed) throw new AfError('CONNECTION_CLOSED');
    if (!this.conn.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          this.conn.off('drain', onDrain);
          this.conn.off('close', onClose);
          this.conn.off('error', done);
          if (err) reject(err);
          else resolve();
        };
        const onDrain = () => done();
        const onClose = () => done(new AfError('CONNECTION_CLOSED'));
        this.conn.on('drain', onDrain);
        this.conn.on('close', onClose);
        this.conn.on('error', done);
      });
    }
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => this.conn.end(() => resolve()));
  }
}

const u24max = 0xffffff;

const position = async (s: Session, kind: 'p' | 'i'): Promise<Buffer> => {
  const p = kind === 'i' ? await s.ctx.tape.writePosition() : await s.ctx.tape.position();
  return reply.position(Math.min(p.cart, u24max), p.file, OK);
};

/** Precondition noted per handler; the tape service re-checks what it owns. */
const HANDLERS: HandlerTable = {
  // Data path. Any time; not open for writing: payload consumed, status 'W'.
  WRITETOTAPE: async (s, r) => {
    await s.ctx.tape.write(r.data);
    return reply.status(OK);
  },
  // Open for reading: exactly commbuf bytes + status ('.'/':' when fewer were valid).
  READFROMTAPE: async (s) => {
    const c = await s.ctx.tape.read(s.commBufSize);
    return reply.readBuffer(c.data, s.commBufSize, c.status);
  },
  GETNUMREADVALID: (s) => reply.u32(s.ctx.tape.lastValid, OK),
  SETNUMWRITEVALID: (s, r) => {
    s.ctx.tape.setNumWriteValid(r.count);
    return reply.status(OK);
  },

  // Positioning. Device closed ('U' otherwise).
  SETCARTRIDGE: async (s, r) => {
    await s.ctx.tape.setCartridge(r.cartridge, false);
    return reply.status(OK);
  },
  SETRAWCARTRIDGE: async (s, r) => {
    await s.ctx.tape.setCartridge(r.cartridge, true);
    return reply.status(OK);
  },
  OSETCARTRIDGE: async (s, r) => {
    await s.ctx.tape.setCartridge(r.cartridge, false);
    return reply.status(OK);
  },
  SETFILE: async (s, r) => {
    await s.ctx.tape.setFile(r.file);
    return reply.status(OK);
  },
  OSETFILE: async (s, r) => {
    await s.ctx.tape.setFile(r.file);
    return reply.status(OK);
  },
  SETRAWFILE: async (s, r) => {
    await s.ctx.tape.setRawFile(r.file);
    return reply.status(OK);
  },
  SKIPFILES: async (s, r) => {
    await s.ctx.tape.skipFiles(r.count);
    return reply.status(OK);
  },
  SETCARTSET: async (s, r) => {
    if (r.cartSet < 1) throw new AfError('NO_VALID_CARTSET', `set ${r.cartSet}`);
    if (!(await s.ctx.setAllowed(r.cartSet, s.ctx.peerHost))) throw new AfError('CARTSET_EACCESS', `set ${r.cartSet}`);
    s.ctx.tape.setCartridgeSet(r.cartSet);
    return reply.status(OK);
  },

  // Opening and closing.
  OPENFORREAD: async (s) => {
    await s.ctx.tape.openForRead(false).catch(rethrowAs('OPENRD_FAILED'));
    return reply.status(OK);
  },
  OPENFORRAWREAD: async (s) => {
    await s.ctx.tape.openForRead(true).catch(rethrowAs('OPENRD_FAILED'));
    return reply.status(OK);
  },
  OPENFORWRITE: async (s) => {
    await s.ctx.tape.openForWrite(false).catch(rethrowAs('OPENWR_FAILED'));
    return reply.status(OK);
  },
  OPENFORRAWWRITE: async (s) => {
    await s.ctx.tape.openForWrite(true).catch(rethrowAs('OPENWR_FAILED'));
    return reply.status(OK);
  },
  CLOSETAPE: async (s) => {
    await s.ctx.tape.close(true);
    return reply.status(OK);
  },
  CLOSETAPEN: async (s) => {
    await s.ctx.tape.close(false);
    return reply.status(OK);
  },
  ERASETAPE: async (s) => {
    await s.ctx.tape.erase();
    return reply.status(OK);
  },
  REQUESTNEWFILE: (s) => {
    s.ctx.tape.requestNewFile();
    return reply.status(OK);
  },
  REQUESTNEWCART: async (s) => {
    await s.ctx.tape.requestNewCartridge();
    return reply.status(OK);
  },

  // Queries. Any time.
  QUERYPOSITION: (s) => position(s, 'p'),
  QUERYRDPOSITION: (s) => position(s, 'p'),
  QUERYWRPOSITION: (s) => position(s, 'i'),
  OQUERYPOSITION: async (s) => {
    const p = await s.ctx.tape.position();
    return reply.oldPosition(Math.min(p.cart, 255), Math.min(p.file, u24max), OK);
  },
  OQUERYWRPOSITION: async (s) => {
    const p = await s.ctx.tape.writePosition();
    return reply.oldPosition(Math.min(p.cart, 255), Math.min(p.file, u24max), OK);
  },
  QUERYNUMCARTS: (s) => reply.u24(s.ctx.numberOfCartridges, OK),
  QUERYCARTSET: (s) => reply.u24(s.ctx.tape.activeSet, OK),
  QUERYTAPEBLOCKSIZE: (s) => reply.u32(s.ctx.tape.currentBlockSize, OK),
  QUERYRDYFORSERV: async (s) => reply.rdyForServ(reply.rdyForServBlock(await s.ctx.probeReady()), OK),
  QUERYWRITTENTAPES: (s) => reply.text4(Buffer.from(formatRanges(fromNumbers(s.ctx.tape.writtenCartridges())), 'latin1'), OK),
  // Length over 128: the original sent nothing at all; we answer PROTOCOL_ERROR with an empty text.
  QUERYNEEDEDTAPES: async (s, r) => {
    if (r.clientId.length > 128) return reply.text4(Buffer.alloc(0), 0x70);
    const v = await s.ctx.neededTapes(r.clientId.toString('latin1'));
    return reply.text4(Buffer.from(v ?? '-', 'latin1'), OK);
  },
  SERVERIDENT: (s) => reply.serverIdent(Buffer.from(s.ctx.serverId, 'latin1'), OK),

  // Identification.
  CLIENTIDENT: (s, r) => {
    s.clientId = r.id.toString('latin1');
    return reply.status(OK);
  },
  USERIDENT: (s, r) => {
    s.remoteUser = r.user.toString('latin1');
    s.remoteHost = r.host.toString('latin1');
    return reply.status(OK);
  },
  SETCOMMBUFSIZ: (s, r) => {
    if (r.size > MAX_COMMBUFSIZ) throw new AfError('NO_VALID_COMMBUFSIZ', `${r.size} bytes`);
    s.commBufSize = r.size;
    return reply.status(OK);
  },

  // Messages.
  MESSAGETEXT: async (s, r) => reply.status(await s.ctx.applyMessages(r.text)),
  // Unlike afbackup 3.5.8 the status byte is always sent (its absence hung the client).
  GETCURMSG: async (s) => {
    const now = Math.floor(Date.now() / 1000);
    const m = await s.ctx.clientMessage().catch(() => null);
    return reply.getCurMsg(reply.curMsgText(m?.mtimeSec ?? now, now, m?.text ?? Buffer.alloc(0)), OK);
  },

  // Remote start.
  CLIENTBACKUP: async (s, r) => {
    const res = await s.ctx.remoteStart(r.command, s.commandEnv());
    return reply.clientBackup(res.exit, r.suppressOutput ? Buffer.alloc(0) : res.output, res.status);
  },
  // The shell-based old form is refused: it let clients inject shell commands.
  OCLIENTBACKUP: () => reply.status(0x53),

  // Modes. Device closed ('U' otherwise).
  SETBUFFEREDOP: (s) => modeSwitch(s, () => undefined),
  SETSERIALOP: (s) => modeSwitch(s, () => undefined),
  SETCHCARTONEOT: (s) => modeSwitch(s, () => (s.ctx.tape.changeCartOnEot = true)),
  SETERRORONEOT: (s) => modeSwitch(s, () => (s.ctx.tape.changeCartOnEot = false)),

  AUTHENTICATE: (s, r) => reply.authResponse(s.ctx.auth.respond(r.challenge)),
  // Other 'what' bytes: no reply, as in afbackup.
  CHECKACCESS: async (s, r) => {
    if (r.what !== 0x63 && r.what !== 0x73) return null;
    const host = r.host.toString('latin1');
    const ok = r.what === 0x73 ? await s.ctx.setAllowed(r.number, host) : true;
    return reply.status(ok ? OK : 0x41);
  },
  GOODBYE: async (s) => {
    await s.ctx.tape.shutdown();
    await s.ctx.goodbye();
    s.finished = true;
    return reply.status(OK);
  },

  // Not a command: protocol error, then the connection is closed.
  UNKNOWN: (s, r) => {
    s.ctx.log.warn({ code: r.code }, 'unknown command byte, closing the connection');
    s.finished = true;
    void s.ctx.tape.shutdown();
    return reply.status(0x70);
  },
  MALFORMED: (s, r) => {
    s.ctx.log.warn({ code: r.code, reason: r.reason }, 'malformed command, closing the connection');
    s.finished = true;
    void s.ctx.tape.shutdown();
    return reply.status(0x70);
  },
};

function modeSwitch(s: Session, apply: () => unknown): Buffer {
  if (s.ctx.tape.isOpen) throw new AfError('DEVINUSE', 'the device is open');
  apply();
  return reply.status(OK);
}

/** Failures while opening become the open's own status, except those with a more precise one. */
function rethrowAs(code: 'OPENRD_FAILED' | 'OPENWR_FAILED') {
  return (e: unknown): never => {
    const err = toAfError(e);
    const keep = ['DEVINUSE', 'SERVICEINUSE', 'DEVNOTREADY', 'REQNEWCART_FAILED', 'CHANGECART_FAILED', 'NO_VALID_CARTSET', 'STATE_SYNTAX', 'CONFIG_ERROR'];
    if (keep.includes(err.code) || err.code === code) throw err;
    throw new AfError(code, err.message, { cause: e });
  };
}
