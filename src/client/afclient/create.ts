/**
 * afclient -c: pack the named files (or raw stdin with `-`) and send the stream
 * to the server, or write it to an archive file with -f.
 *
 * To the server (spec §1.12): `!` `>` `i` `l 1000`, then the stream cut into
 * 1000-byte `W`s, pipelined with a bounded window, an `i` before each entry with
 * -n; after the end mark the last W is zero filled and all-zero W's follow until
 * at least 65536 bytes of padding went out; then `i` `*` `X`. To a file: the
 * stream zero padded to a multiple of 1000 bytes.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import type { Writable, Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import { END_MARK, archivePadding, encodeData, encodeRecord, informationRecord } from '../../archive/packer.js';
import type { Connection } from '../connection.js';
import { escapeName, unescapeName } from '../escape.js';
import { FileWalker, fileContents, openForSaving } from '../file-walk.js';
import type { AfclientOptions } from './options.js';
import { Pipeline, check, goodbye, openSession, type Output } from './session.js';
import { readNames } from './names.js';

/** Bytes of zeros that must follow the end of a stream sent to a server. */
export const MIN_PADDING = 65536;
/** The comm buffer size afclient writes with. */
export const WRITE_BUFFER = 1000;

interface Sink {
  write(b: Buffer): Promise<void>;
  /** Before each entry: the `cart.file` to print with -n, or null. */
  entryStart(): Promise<string | null>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

class ServerSink implements Sink {
  private piece = Buffer.alloc(WRITE_BUFFER);
  private fill = 0;
  private pos = { cart: 0, file: 0 };
  private constructor(
    private readonly conn: Connection,
    private readonly pipe: Pipeline,
    private readonly askPositions: boolean,
  ) {}

  static async open(o: AfclientOptions): Promise<ServerSink> {
    const { conn } = await openSession(o);
    try {
      conn.send({ name: 'OPENFORWRITE' });
      conn.send({ name: 'QUERYWRPOSITION' });
      check(await conn.replyTo('OPENFORWRITE'), 'opening for writing');
      const p = check(await conn.replyTo('QUERYWRPOSITION'), 'querying the write position');
      check(await conn.call({ name: 'SETCOMMBUFSIZ', size: WRITE_BUFFER }), 'setting the buffer size');
      const sink = new ServerSink(conn, new Pipeline(conn), o.positions);
      if (p.kind === 'position') sink.pos = { cart: p.cartridge, file: p.file };
      return sink;
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  async write(b: Buffer): Promise<void> {
    let off = 0;
    while (off < b.length) {
      const n = Math.min(b.length - off, WRITE_BUFFER - this.fill);
      b.copy(this.piece, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === WRITE_BUFFER) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const data = this.piece;
    this.piece = Buffer.alloc(WRITE_BUFFER);
    this.fill = 0;
    await this.pipe.send({ name: 'WRITETOTAPE', data });
  }

  async entryStart(): Promise<string | null> {
    if (!this.askPositions) return null;
    const shown = `${this.pos.cart}.${this.pos.file}`;
    await this.pipe.send({ name: 'QUERYWRPOSITION' }, (r) => {
      if (r.kind === 'position') this.pos = { cart: r.cartridge, file: r.file };
    });
    return shown;
  }

  async finish(): Promise<void> {
    let padding = 0;
    if (this.fill > 0) {
      padding = WRITE_BUFFER - this.fill;
      await this.flush();
    }
    while (padding < MIN_PADDING) {
      await this.pipe.send({ name: 'WRITETOTAPE', data: Buffer.alloc(WRITE_BUFFER) });
      padding += WRITE_BUFFER;
    }
    await this.pipe.send({ name: 'QUERYWRPOSITION' });
    await this.pipe.drain();
    check(await this.conn.call({ name: 'CLOSETAPE' }), 'closing the tape');
    await goodbye(this.conn);
  }

  async abort(): Promise<void> {
    await this.conn.close();
  }
}

class FileSink implements Sink {
  private length = 0;
  constructor(private readonly ws: Writable, private readonly closeAtEnd: boolean) {}

  static open(file: string, stdout: Writable): FileSink {
    if (file === '-') return new FileSink(stdout, false);
    return new FileSink(fs.createWriteStream(file), true);
  }

  async write(b: Buffer): Promise<void> {
    this.length += b.length;
    if (!this.ws.write(b)) await once(this.ws, 'drain');
  }

  async entryStart(): Promise<string | null> {
    return null;
  }

  async finish(): Promise<void> {
    await this.write(archivePadding(this.length));
    if (this.closeAtEnd) {
      this.ws.end();
      await once(this.ws, 'close');
    }
  }

  async abort(): Promise<void> {
    if (this.closeAtEnd) this.ws.destroy();
  }
}

/** How -z is understood: only the built-in zlib (`. <level>`) is supported. */
export function compressionOf(o: AfclientOptions): { unprocess: Buffer; level: number } | null {
  if (!o.compress) return null;
  const m = /^\.(?:\s+(\d))?\s*$/.exec(o.compress.proc);
  if (!m || !(o.compress.unproc === '' || o.compress.unproc === '.')) {
    throw new AfError('USAGE', `-z "${o.compress.proc}" "${o.compress.unproc}": only the built-in compression (-z '. <level>' '') is supported yet`);
  }
  return { unprocess: Buffer.from('.'), level: m[1] === undefined ? 6 : Number(m[1]) };
}

export interface StdStreams {
  stdin: Readable;
  stdout: Writable;
}

export async function runCreate(o: AfclientOptions, io: Output, std: StdStreams): Promise<number> {
  const z = compressionOf(o);
  const names = o.raw ? [] : o.names.length > 0 ? o.names.map((n) => Buffer.from(n)) : await readNames(std.stdin);
  const sink: Sink = o.archiveFile !== undefined ? FileSink.open(o.archiveFile, std.stdout) : await ServerSink.open(o);
  let problems = 0;
  try {
    if (o.raw) {
      for await (const c of std.stdin) await sink.write(c as Buffer);
    } else {
      if (o.header !== undefined) await sink.write(informationRecord(unescapeName(Buffer.from(o.header))));
      const walker = new FileWalker({ recursive: o.recursive, unprocess: z?.unprocess ?? Buffer.alloc(0) });
      for (const item of walker.walk(names)) {
        if (item.kind === 'error') {
          io.err(`cannot save ${escapeName(item.path).toString('latin1')}: ${item.message}`);
          problems++;
          continue;
        }
        const e = item.entry;
        let fh: fs.promises.FileHandle | null = null;
        if (e.kind === 'file') {
          try {
            fh = await openForSaving(item.path);
          } catch (err) {
            io.err(`cannot open ${escapeName(item.path).toString('latin1')}: ${(err as Error).message}`);
            problems++;
            continue;
          }
        }
        const at = await sink.entryStart();
        if (o.verbose) io.out(Buffer.concat([Buffer.from(at !== null && o.positions ? `${at}: ` : ''), item.path, Buffer.from('\n')]));
        if (e.kind === 'file' && fh) {
          const gen = encodeData(e, fileContents(fh), { zlibLevel: z?.level ?? 6 });
          for (;;) {
            const r = await gen.next();
            if (r.done) {
              if (r.value.zeroFilled > 0) {
                io.err(`${escapeName(item.path).toString('latin1')}: the file shrank while it was saved; ${r.value.zeroFilled} zero bytes were written instead`);
                problems++;
              }
              break;
            }
            await sink.write(r.value);
          }
        } else {
          await sink.write(encodeRecord(e));
        }
      }
      await sink.write(END_MARK);
    }
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return problems > 0 ? 14 : 0;
}
