/**
 * Where -t and -x read a stream from: a server (`c` `f` `!` `<`, then `R` until
 * the reader is satisfied or the server reports the end of the data with `.`/`:`
 * and `#` gives the valid bytes; then `*` `X`) or an archive file (-f, `-` =
 * stdin).
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import type { Connection } from '../connection.js';
import type { AfclientOptions } from './options.js';
import { check, goodbye, openSession } from './session.js';

export interface StreamSource {
  chunks(): AsyncGenerator<Buffer>;
  /** `cart.file` where reading started, for -n (null for files). */
  readonly position: string | null;
  close(): Promise<void>;
  abort(): Promise<void>;
}

const END_OF_FILE = 0x2e;
const END_OF_TAPE = 0x3a;

class ServerSource implements StreamSource {
  private done = false;
  private constructor(private readonly conn: Connection, readonly position: string | null) {}

  static async open(o: AfclientOptions): Promise<ServerSource> {
    const { conn } = await openSession(o, async (c) => {
      if (o.cartridge !== undefined) check(await c.call({ name: 'SETCARTRIDGE', cartridge: o.cartridge }), `setting cartridge ${o.cartridge}`);
      if (o.file !== undefined) check(await c.call({ name: 'SETFILE', file: o.file }), `setting file ${o.file}`);
    });
    try {
      check(await conn.call({ name: 'OPENFORREAD' }), 'opening for reading');
      let position: string | null = null;
      if (o.positions) {
        const g = check(await conn.call({ name: 'QUERYRDPOSITION' }), 'querying the read position');
        if (g.kind === 'position') position = `${g.cartridge}.${g.file}`;
      }
      return new ServerSource(conn, position);
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  async *chunks(): AsyncGenerator<Buffer> {
    while (!this.done) {
      const r = await this.conn.call({ name: 'READFROMTAPE' });
      if (r.kind !== 'readBuffer') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to R');
      if (r.status === 0) {
        yield r.data;
        continue;
      }
      if (r.status !== END_OF_FILE && r.status !== END_OF_TAPE) throw AfError.fromStatus(r.status, 'reading from the tape');
      const v = check(await this.conn.call({ name: 'GETNUMREADVALID' }), 'querying the valid bytes');
      this.done = true;
      const valid = v.kind === 'u32' ? Math.min(v.value, r.data.length) : 0;
      if (valid > 0) yield r.data.subarray(0, valid);
    }
  }

  async close(): Promise<void> {
    try {
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
  constructor(private readonly input: Readable) {}

  async *chunks(): AsyncGenerator<Buffer> {
    for await (const c of this.input) yield c as Buffer;
  }

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
