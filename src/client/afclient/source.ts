/**
 * Where -t, -x and -d read a stream from: a server (`c` `f` `!` `<`, then `R`
 * until the reader is satisfied or the server reports the end of the data with
 * `.`/`:` and `#` gives the valid bytes; then `*` `X`) or an archive file (-f,
 * `-` = stdin).
 *
 * As the original, the first `R` uses the opening comm buffer (the block size)
 * and right after it the buffer is switched to 1000 bytes (`l 1000`). With the
 * extended verbose prefix (-n/-O/-U) the read position `g` is asked once when
 * reading starts and then at the start of a record whenever an `R` went out
 * since the last `g` (recordStart/settle), so each name is printed with the
 * tape file its record starts in.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import type { Connection } from '../connection.js';
import { extendedVerbose, type AfclientOptions } from './options.js';
import { check, goodbye, openSession, positionFromOptions } from './session.js';
import type { Position } from './queries.js';

export interface StreamSource {
  chunks(): AsyncGenerator<Buffer>;
  /** `cart.file` where reading started, for -n (null for files). */
  readonly position: string | null;
  /** The position of the record being read (null for files or without -n/-O/-U). */
  current(): Position | null;
  /** The unpacker starts a record at this stream offset. */
  recordStart(offset: number): void;
  /** Sends a `g` a record start asked for, if any (before anything else goes out). */
  settle(): Promise<void>;
  /** Server name and port for the `server%port!` prefix, or null for files. */
  readonly where: { host: string; port: number } | null;
  close(): Promise<void>;
  abort(): Promise<void>;
}

const END_OF_FILE = 0x2e;
const END_OF_TAPE = 0x3a;
/** The comm buffer the reader switches to after its first R. */
export const READ_BUFFER = 1000;
/**
 * Bytes read with READ_BUFFER before the reader goes back to the opening comm
 * buffer (min(block size, 65536)): short reads keep the original's sequence,
 * long ones are not held to one round trip per 1000 bytes.
 */
export const READ_UPSIZE_AFTER = 1 << 20;

class ServerSource implements StreamSource {
  private done = false;
  private switched = false;
  /** The opening comm buffer size, to return to after READ_UPSIZE_AFTER bytes (0: not pending). */
  private upsizeTo = 0;
  private smallBytes = 0;
  /** Stream offsets where each R's data starts. */
  private readonly rStarts: number[] = [];
  private delivered = 0;
  private countAtLastG = 0;
  private pendingG = false;
  private pos: Position | null = null;
  readonly position: string | null;

  private constructor(
    private readonly conn: Connection,
    private readonly track: boolean,
    first: Position | null,
    readonly where: { host: string; port: number },
  ) {
    this.pos = first;
    this.position = first ? `${first.cartridge}.${first.file}` : null;
  }

  static async open(o: AfclientOptions): Promise<ServerSource> {
    const { conn, address } = await openSession(o, positionFromOptions(o));
    try {
      check(await conn.call({ name: 'OPENFORREAD' }), 'opening for reading');
      const track = (o.verbose || o.mode === 'list') && extendedVerbose(o);
      let first: Position | null = null;
      if (track) first = await ServerSource.ask(conn);
      return new ServerSource(conn, track, first, { host: o.host, port: address.port });
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  private static async ask(conn: Connection): Promise<Position> {
    const g = check(await conn.call({ name: 'QUERYRDPOSITION' }), 'querying the read position');
    if (g.kind !== 'position') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to g');
    return { cartridge: g.cartridge, file: g.file };
  }

  current(): Position | null {
    return this.pos;
  }

  recordStart(offset: number): void {
    if (!this.track) return;
    let c = 0;
    while (c < this.rStarts.length && this.rStarts[c]! < offset) c++;
    if (c > this.countAtLastG) {
      this.countAtLastG = c;
      this.pendingG = true;
    }
  }

  async settle(): Promise<void> {
    if (!this.pendingG) return;
    this.pendingG = false;
    this.pos = await ServerSource.ask(this.conn);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    while (!this.done) {
      await this.settle();
      this.rStarts.push(this.delivered);
      const r = await this.conn.call({ name: 'READFROMTAPE' });
      if (r.kind !== 'readBuffer') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to R');
      if (!this.switched) {
        this.switched = true;
        if (r.status === 0 && this.conn.commBufSize !== READ_BUFFER) {
          const opening = this.conn.commBufSize;
          check(await this.conn.call({ name: 'SETCOMMBUFSIZ', size: READ_BUFFER }), 'setting the buffer size');
          if (opening > READ_BUFFER) this.upsizeTo = opening;
        }
      } else if (this.upsizeTo > 0 && r.status === 0) {
        this.smallBytes += r.data.length;
        if (this.smallBytes >= READ_UPSIZE_AFTER) {
          const size = this.upsizeTo;
          this.upsizeTo = 0;
          check(await this.conn.call({ name: 'SETCOMMBUFSIZ', size }), 'setting the buffer size');
        }
      }
      if (r.status === 0) {
        this.delivered += r.data.length;
        yield r.data;
        continue;
      }
      if (r.status !== END_OF_FILE && r.status !== END_OF_TAPE) throw AfError.fromStatus(r.status, 'reading from the tape');
      const v = check(await this.conn.call({ name: 'GETNUMREADVALID' }), 'querying the valid bytes');
      this.done = true;
      const valid = v.kind === 'u32' ? Math.min(v.value, r.data.length) : 0;
      this.delivered += valid;
      if (valid > 0) yield r.data.subarray(0, valid);
    }
  }

  async close(): Promise<void> {
    try {
      await this.settle();
      check(await this.conn.call({ name: 'CLOSETAPE' }), 'closing the tape');
    } catch (e) {
      await this.conn.close();
      throw e;
    }
    await goodbye(this.conn);
  }

  async abort(): Promise<void> {
    await this.conn.close();
  }
}

class FileSource implements StreamSource {
  readonly position = null;
  readonly where = null;
  constructor(private readonly input: Readable) {}

  async *chunks(): AsyncGenerator<Buffer> {
    for await (const c of this.input) yield c as Buffer;
  }

  current(): Position | null {
    return null;
  }

  recordStart(): void {}

  async settle(): Promise<void> {}

  async close(): Promise<void> {
    this.input.destroy();
  }

  async abort(): Promise<void> {
    this.input.destroy();
  }
}

export async function openSource(o: AfclientOptions, stdin: Readable): Promise<StreamSource> {
  if (o.archiveFile === undefined) return ServerSource.open(o);
  if (o.archiveFile === '-') return new FileSource(stdin);
  try {
    fs.accessSync(o.archiveFile, fs.constants.R_OK);
  } catch (e) {
    throw new AfError('USAGE', `cannot read the archive file ${o.archiveFile}: ${(e as Error).message}`);
  }
  return new FileSource(fs.createReadStream(o.archiveFile));
}

/** The `[server%port!][cart.file][|uid][~mtime]: ` prefix of a name, or '' without -n/-O/-U. */
export function namePrefix(o: AfclientOptions, source: StreamSource, uid: number | null, mtime: number | null): string {
  if (!extendedVerbose(o)) return '';
  let p = '';
  const at = source.current();
  if (o.location && source.where) p += `${source.where.host}%${source.where.port}!`;
  if (o.positions && source.where) p += at ? `${at.cartridge}.${at.file}` : '0.0';
  if (o.showUid && uid !== null) p += `|${uid}`;
  if (o.showMtime && mtime !== null) p += `~${mtime}`;
  return p + ': ';
}

/** Text with each backspace removing the byte before it (how afclient prints headers). */
export function applyBackspaces(text: Buffer): Buffer {
  const out: number[] = [];
  for (const b of text) {
    if (b === 0x08) out.pop();
    else out.push(b);
  }
  return Buffer.from(out);
}
