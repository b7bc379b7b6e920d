/**
 * afclient -D (and copy_tape): copying a cartridge, or its tape files from -F
 * on, to another cartridge, tape file by tape file in raw mode (spec §6.5).
 *
 * Source connection: the opening with `D <cart>` [`f <n>`] before `!` (from the
 * start also `G 1`, so the label is read first on any server); then per
 * tape file `r`, `R`… until the server reports the end of the file (`.`/`:`,
 * then `#` for the valid bytes), `.`; a file that yields nothing is the end of
 * the data. Target connection (another server, or the same host on another
 * port): handshake, `l` with the source's buffer size, `D <cart>`, then `E` and
 * `G 1` when copying from the start, else `f <n>`; per tape file `w`, the data
 * in `W`s (pipelined) with `&` before a last partial piece, `.`; finally `*`.
 * From the second file on, `G <k>`/`f <k>` names its place before `w` (see
 * RawWriter).
 * When copying from the start the first file is the label: it is rewritten on
 * the fly (label-rewrite.ts). Both connections end with `X`.
 *
 * Source and target on the same server cannot be open at once (one drive), so
 * then the tape files go to a temporary directory (-T, default the system's)
 * first and are written from there over the same connection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dns from 'node:dns/promises';
import { AfError } from '../../errors.js';
import type { Connection } from '../connection.js';
import type { AfclientOptions } from './options.js';
import { Pipeline, check, goodbye, openSession, type Output } from './session.js';
import { connectTo, readKey, resolveAddress, type ServerAddress } from './address.js';
import { rewriteLabel } from './label-rewrite.js';
import { ctimeOf } from './report.js';

const END_OF_FILE = 0x2e;
const END_OF_TAPE = 0x3a;

export interface CopyTarget {
  host: string | undefined;
  port: string | undefined;
  cartridge: number | undefined;
  keyFile: string | undefined;
}

function usage(detail: string): AfError {
  return new AfError('USAGE', detail);
}

/**
 * The -D argument: options `-h host -p port -C cart -k keyfile` (`-P` is taken
 * for `-p`), or the short form `[<cart>][@<host>][%<port>][:<keyfile>]`.
 */
export function parseCopyTarget(text: string): CopyTarget {
  const t: CopyTarget = { host: undefined, port: undefined, cartridge: undefined, keyFile: undefined };
  const s = text.trim();
  if (s === '') return t;
  if (s.startsWith('-')) {
    const words = s.split(/\s+/);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const m = /^-([hpPCk])(.*)$/.exec(w);
      if (!m) throw usage(`-D: unexpected "${w}" (the target is given as -h host -p port -C cart -k keyfile)`);
      const value = m[2] !== '' ? m[2]! : words[++i];
      if (value === undefined) throw usage(`-D: -${m[1]} needs a value`);
      switch (m[1]) {
        case 'h': t.host = value; break;
        case 'p':
        case 'P': t.port = value; break;
        case 'k': t.keyFile = value; break;
        case 'C':
          if (!/^\d+$/.test(value) || Number(value) < 1) throw usage(`-D: -C wants a cartridge number, not "${value}"`);
          t.cartridge = Number(value);
          break;
      }
    }
    return t;
  }
  const m = /^(\d+)?(?:@([^%:]+))?(?:%([^:]+))?(?::(.+))?$/.exec(s);
  if (!m) throw usage(`-D: "${text}" is neither "-h host -p port -C cart -k key" nor "<cart>@<host>%<port>:<keyfile>"`);
  if (m[1] !== undefined) t.cartridge = Number(m[1]);
  t.host = m[2];
  t.port = m[3];
  t.keyFile = m[4];
  return t;
}

export interface CopyPlan {
  source: { host: string; port: string; keyFile: string | undefined; cartridge: number | undefined; cartSet: number };
  target: { host: string; port: string; keyFile: string | undefined; cartridge: number | undefined };
  /** Start at this logical tape file (and write it there); undefined = the whole cartridge, label first. */
  file: number | undefined;
  tmpDir: string | undefined;
  clientId: string;
  verbose: boolean;
  noQueue: boolean;
}

export function planFromOptions(o: AfclientOptions): CopyPlan {
  const t = parseCopyTarget(o.duplicate ?? '');
  return {
    source: { host: o.host, port: o.port, keyFile: o.keyFile, cartridge: o.cartridge, cartSet: o.cartSet },
    target: { host: t.host ?? o.host, port: t.port ?? o.port, keyFile: t.keyFile ?? o.keyFile, cartridge: t.cartridge },
    file: o.file,
    tmpDir: o.namesFile,
    clientId: o.clientId,
    verbose: o.verbose,
    noQueue: o.noQueue,
  };
}

async function sameEndpoint(a: ServerAddress, b: ServerAddress): Promise<boolean> {
  if (a.kind === 'unix' || b.kind === 'unix') return a.kind === b.kind && a.kind === 'unix' && (a as { path: string }).path === (b as { path: string }).path;
  if (a.port !== b.port) return false;
  if (a.host === b.host) return true;
  try {
    const [x, y] = await Promise.all([dns.lookup(a.host, { all: true }), dns.lookup(b.host, { all: true })]);
    return x.some((p) => y.some((q) => p.address === q.address));
  } catch {
    return false;
  }
}

/** One raw tape file read from the source: its pieces as they come; null at the end of the data. */
async function* readRawFile(conn: Connection): AsyncGenerator<Buffer> {
  for (;;) {
    const r = await conn.call({ name: 'READFROMTAPE' });
    if (r.kind !== 'readBuffer') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to R');
    if (r.status === 0) {
      yield r.data;
      continue;
    }
    if (r.status !== END_OF_FILE && r.status !== END_OF_TAPE) throw AfError.fromStatus(r.status, 'reading from the source tape');
    const v = check(await conn.call({ name: 'GETNUMREADVALID' }), 'querying the valid bytes');
    const valid = v.kind === 'u32' ? Math.min(v.value, r.data.length) : 0;
    if (valid > 0) yield r.data.subarray(0, valid);
    return;
  }
}

/** Writes raw tape files to the target: `w`, `W`… (`&` before a short last piece), `.`. */
class RawWriter {
  private readonly pipe: Pipeline;
  private piece: Buffer;
  private fill = 0;
  private open = false;
  private files = 0;

  /**
   * `start`: where the first file goes, `G <n>` (physical, from the start) or
   * `f <n>` (logical, with -F); later files are positioned explicitly too, so
   * a server that does not move on after a raw file (ours before the fix
   * noted in the report) still gets each file at its place.
   */
  constructor(private readonly conn: Connection, noQueue: boolean, private readonly start: { raw: boolean; file: number }) {
    this.pipe = new Pipeline(conn, noQueue ? 1 : 512);
    this.piece = Buffer.alloc(conn.commBufSize);
  }

  async write(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    if (!this.open) {
      if (this.files > 0) {
        const file = this.start.file + this.files;
        await this.pipe.send(this.start.raw ? { name: 'SETRAWFILE', file } : { name: 'SETFILE', file });
      }
      await this.pipe.send({ name: 'OPENFORRAWWRITE' });
      this.open = true;
      this.files++;
    }
    const size = this.piece.length;
    let off = 0;
    while (off < b.length) {
      const n = Math.min(b.length - off, size - this.fill);
      b.copy(this.piece, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === size) {
        const data = this.piece;
        this.piece = Buffer.alloc(size);
        this.fill = 0;
        await this.pipe.send({ name: 'WRITETOTAPE', data });
      }
    }
  }

  /** Ends the tape file (if anything was written to it). */
  async endFile(): Promise<void> {
    if (!this.open) return;
    if (this.fill > 0) {
      await this.pipe.send({ name: 'SETNUMWRITEVALID', count: this.fill });
      const data = this.piece;
      this.piece = Buffer.alloc(data.length);
      this.fill = 0;
      await this.pipe.send({ name: 'WRITETOTAPE', data });
    }
    await this.pipe.send({ name: 'CLOSETAPEN' });
    await this.pipe.drain();
    this.open = false;
  }

  async finish(): Promise<void> {
    await this.pipe.drain();
    check(await this.conn.call({ name: 'CLOSETAPE' }), 'closing the target tape');
  }
}

interface Labeling {
  target: number;
  host: string;
  port: number;
}

/** Copies the raw files from the source's current position to the writer; returns how many were copied. */
async function copyFiles(
  source: Connection,
  sink: (file: number, data: AsyncIterable<Buffer>) => Promise<number>,
  firstFile: number,
  io: Output,
  verbose: boolean,
): Promise<number> {
  let copied = 0;
  for (let n = firstFile; ; n++) {
    const open = await source.call({ name: 'OPENFORRAWREAD' });
    if ('status' in open && open.status !== 0) break;
    if (verbose) io.out(`Copying tape file number ${n}\n`);
    const bytes = await sink(n, readRawFile(source));
    check(await source.call({ name: 'CLOSETAPEN' }), 'closing the source tape file');
    if (bytes === 0) break;
    copied++;
  }
  return copied;
}

/** Rewrites the label in the first piece of the first file. */
async function* withLabel(data: AsyncIterable<Buffer>, l: Labeling | null): AsyncGenerator<Buffer> {
  let first = l !== null;
  for await (const c of data) {
    if (first) {
      first = false;
      yield rewriteLabel(c, { target: l!.target, copyFrom: `${l!.host}%${l!.port}`, time: ctimeOf(new Date()) });
    } else yield c;
  }
}

async function sourceCartridge(conn: Connection, given: number | undefined): Promise<number> {
  if (given !== undefined) return given;
  const p = check(await conn.call({ name: 'QUERYPOSITION' }), 'asking the source for its cartridge');
  if (p.kind !== 'position') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to p');
  return p.cartridge;
}

export async function copyTape(plan: CopyPlan, io: Output): Promise<number> {
  const srcAddr = resolveAddress(plan.source.host, plan.source.port);
  const dstAddr = resolveAddress(plan.target.host, plan.target.port);
  const sourceOpts = {
    host: plan.source.host,
    port: plan.source.port,
    keyFile: plan.source.keyFile,
    cartSet: plan.source.cartSet,
    clientId: plan.clientId,
  } as AfclientOptions;
  const s = await openSession(sourceOpts, async (c) => {
    if (plan.source.cartridge !== undefined) check(await c.call({ name: 'SETRAWCARTRIDGE', cartridge: plan.source.cartridge }), `loading source cartridge ${plan.source.cartridge}`);
    if (plan.file !== undefined) check(await c.call({ name: 'SETFILE', file: plan.file }), `positioning the source at tape file ${plan.file}`);
  });
  let copied = 0;
  try {
    const cart = await sourceCartridge(s.conn, plan.source.cartridge);
    if (plan.source.cartridge === undefined) {
      check(await s.conn.call({ name: 'SETRAWCARTRIDGE', cartridge: cart }), `loading source cartridge ${cart}`);
      if (plan.file !== undefined) check(await s.conn.call({ name: 'SETFILE', file: plan.file }), `positioning the source at tape file ${plan.file}`);
    }
    // From the start the label is the first file to copy: position on it explicitly.
    if (plan.file === undefined) check(await s.conn.call({ name: 'SETRAWFILE', file: 1 }), 'positioning the source on its label');
    const targetCart = plan.target.cartridge ?? cart;
    const local = await sameEndpoint(srcAddr, dstAddr);
    if (local && targetCart === cart) throw new AfError('USAGE', `-D: that would copy cartridge ${cart} onto itself`);
    if (plan.verbose) io.out(`Starting to copy from cartridge ${cart} to ${targetCart}\n`);
    const labeling: Labeling | null = plan.file === undefined ? { target: targetCart, host: plan.source.host, port: srcAddr.port } : null;
    const firstFile = plan.file ?? 1;
    if (local) {
      copied = await copyThroughDisk(s.conn, plan, cart, targetCart, labeling, firstFile, io);
    } else {
      const key = readKey(plan.target.keyFile);
      const t = await connectTo(dstAddr, key);
      try {
        check(await t.call({ name: 'SETCOMMBUFSIZ', size: s.conn.commBufSize }), 'setting the buffer size on the target');
        check(await t.call({ name: 'SETRAWCARTRIDGE', cartridge: targetCart }), `loading target cartridge ${targetCart}`);
        if (plan.file === undefined) {
          check(await t.call({ name: 'ERASETAPE' }), 'erasing the target tape');
          check(await t.call({ name: 'SETRAWFILE', file: 1 }), 'positioning the target tape');
        } else check(await t.call({ name: 'SETFILE', file: plan.file }), `positioning the target at tape file ${plan.file}`);
        const w = new RawWriter(t, plan.noQueue, { raw: plan.file === undefined, file: plan.file ?? 1 });
        let first = true;
        copied = await copyFiles(
          s.conn,
          async (_n, data) => {
            let bytes = 0;
            for await (const c of withLabel(data, first ? labeling : null)) {
              bytes += c.length;
              await w.write(c);
            }
            first = false;
            await w.endFile();
            return bytes;
          },
          firstFile,
          io,
          plan.verbose,
        );
        await w.finish();
      } catch (e) {
        await t.close();
        throw e;
      }
      await goodbye(t);
    }
  } catch (e) {
    await s.conn.close();
    throw e;
  }
  await goodbye(s.conn);
  if (plan.verbose) io.out(`Copied ${copied} tape files.\n`);
  return copied;
}

/** Same server: all tape files to a temporary directory, then onto the target cartridge. */
async function copyThroughDisk(
  conn: Connection,
  plan: CopyPlan,
  cart: number,
  targetCart: number,
  labeling: Labeling | null,
  firstFile: number,
  io: Output,
): Promise<number> {
  const base = plan.tmpDir ?? os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, 'afbcp'));
  try {
    const files: string[] = [];
    let first = true;
    await copyFiles(
      conn,
      async (n, data) => {
        const f = path.join(dir, String(n));
        const fd = fs.openSync(f, 'w', 0o600);
        let bytes = 0;
        try {
          for await (const c of withLabel(data, first ? labeling : null)) {
            fs.writeSync(fd, c);
            bytes += c.length;
          }
        } finally {
          fs.closeSync(fd);
        }
        first = false;
        if (bytes > 0) files.push(f);
        else fs.rmSync(f);
        return bytes;
      },
      firstFile,
      io,
      plan.verbose,
    );
    check(await conn.call({ name: 'CLOSETAPE' }), `releasing source cartridge ${cart}`);
    check(await conn.call({ name: 'SETRAWCARTRIDGE', cartridge: targetCart }), `loading target cartridge ${targetCart}`);
    if (plan.file === undefined) check(await conn.call({ name: 'SETRAWFILE', file: 1 }), 'positioning the target tape');
    else check(await conn.call({ name: 'SETFILE', file: plan.file }), `positioning the target at tape file ${plan.file}`);
    const w = new RawWriter(conn, plan.noQueue, { raw: plan.file === undefined, file: plan.file ?? 1 });
    let n = firstFile;
    for (const f of files) {
      if (plan.verbose) io.out(`Writing tape file ${n++} to target tape\n`);
      const rs = fs.createReadStream(f, { highWaterMark: 65536 });
      for await (const c of rs) await w.write(c as Buffer);
      await w.endFile();
      fs.rmSync(f);
    }
    await w.finish();
    return files.length;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runDuplicate(o: AfclientOptions, io: Output): Promise<number> {
  await copyTape(planFromOptions(o), io);
  return 0;
}
