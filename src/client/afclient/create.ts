/**
 * afclient -c: pack the named files (or raw stdin with `-`) and send the stream
 * to the server, or write it to an archive file with -f.
 *
 * To the server the commands follow the original (spec §1.12, the vectors'
 * 06-c-tree and 14-full_backup.c2): after `!` the queries -w/-G/-q/-Q
 * (queries.ts; -Q opens the tape first, after `n` for -j), else `n` (-j) and
 * `>`. The first byte of the stream switches the comm buffer to 1000 (`l`);
 * then the stream goes out in 1000-byte `W`s, pipelined; after each 5 MB the
 * optimiser tries 33268 and then 65536-byte buffers and keeps the fastest. With -n/-O/-U an `i`
 * is asked before an entry only when a `W` went out since the last one (and
 * after 5,000,000 bytes without one), so the position printed is the tape
 * file the entry starts in. After the end mark the last `W` is zero filled
 * and all-zero `W`s follow until 65536 bytes of padding went out; then `i`,
 * `*`, `T` with -V, and `X`. To a file: the stream zero padded to a multiple
 * of 1000 bytes.
 *
 * stdout (verbose): per entry one line `[server%port!][cart.file][|uid][~mtime]:
 * <escaped name>` with -n/-O/-U (the prefix parts as -l -n -O -U ask), else
 * just the name. With -H- the first stdin line is the header text (C-escaped).
 */
import { argBytes } from '../arg-bytes.js';
import fs from 'node:fs';
import { once } from 'node:events';
import type { Writable, Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import { WRITETOTAPE } from '../../protocol/commands.js';
import { END_MARK, archivePadding, encodeData, encodeRecord, informationRecord } from '../../archive/packer.js';
import type { DataEntry, Entry, RegularFile } from '../../archive/records.js';
import type { Connection } from '../connection.js';
import { escapeName, unescapeName } from '../escape.js';
import { FileWalker, openForSaving, fileContents } from '../file-walk.js';
import { extendedVerbose, type AfclientOptions } from './options.js';
import { Pipeline, check, goodbye, openSession, type Output } from './session.js';
import { lines, readNamesFile } from './names.js';
import { runPreamble, type Position } from './queries.js';
import { Stats, ctimeOf, reportText, writeReport } from './report.js';
import {
  classifyName,
  commandEntryFor,
  contentsEntryFor,
  fileEntryFor,
  globToRegExp,
  packPolicy,
  readWhole,
  throughCommand,
  type PackPolicy,
} from './pack-entry.js';
import { DeflatePool } from './deflate-pool.js';
import { Progress } from './progress.js';
import { parseRanges, expandRanges } from '../../config/ranges.js';

/** Bytes of zeros that must follow the end of a stream sent to a server. */
export const MIN_PADDING = 65536;
/** The comm buffer size afclient writes with. */
export const WRITE_BUFFER = 1000;
/** A position is asked at the latest after this many bytes without one. */
export const MAX_WRITE_WITHOUT_POSITION = 5_000_000;
/** Bytes sent with one buffer size before its throughput is measured. */
export const PROBE_BYTES = 5_000_000;
/** The buffer sizes tried, as the original's optimiser does first: smallest, middle, largest. */
export const PROBE_SIZES = [WRITE_BUFFER, (WRITE_BUFFER + 65536) >> 1, 65536] as const;

/** A W request's frame for a comm buffer of `size`: the command byte, then room for the data. */
function newFrame(size: number): Buffer {
  const f = Buffer.allocUnsafe(1 + size);
  f[0] = WRITETOTAPE;
  return f;
}

interface Sink {
  write(b: Buffer): Promise<void>;
  /** Before each entry: the write position to print with -n, or null. */
  entryStart(): Promise<Position | null>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

class ServerSink implements Sink {
  private size: number;
  private piece: Buffer;
  private fill = 0;
  private switched = false;
  private writtenSinceAsked: boolean;
  private bytesSinceAsked = 0;
  private last: Position | null;
  private readonly pipe: Pipeline;
  /** Throughput probing: rates measured per PROBE_SIZES index, bytes and start of the current probe. */
  private readonly rates: number[] = [];
  private probeBytes = 0;
  private probeStart = 0;
  private probing = true;

  constructor(
    private readonly conn: Connection,
    private readonly o: AfclientOptions,
    private readonly stats: Stats,
    known: Position | null,
  ) {
    this.pipe = new Pipeline(conn, o.noQueue ? 1 : 512);
    this.size = conn.commBufSize;
    this.piece = newFrame(this.size);
    this.last = known;
    this.writtenSinceAsked = known === null;
    if (known) stats.position(known.cartridge, known.file);
  }

  /** `n` (-j) and `>` unless the -Q query did that already. */
  static async open(conn: Connection, o: AfclientOptions, stats: Stats, opened: boolean, known: Position | null): Promise<ServerSink> {
    if (!opened) {
      if (o.newFile) check(await conn.call({ name: 'REQUESTNEWFILE' }), 'requesting a new tape file');
      check(await conn.call({ name: 'OPENFORWRITE' }), 'opening the tape for writing');
    }
    return new ServerSink(conn, o, stats, known);
  }

  private async switchBuffer(): Promise<void> {
    this.switched = true;
    await this.setSize(WRITE_BUFFER);
    this.probeStart = Date.now();
  }

  /** `l <size>` between two W's; bytes waiting in the current piece move over. */
  private async setSize(size: number): Promise<void> {
    await this.pipe.drain();
    check(await this.conn.call({ name: 'SETCOMMBUFSIZ', size }), 'setting the buffer size');
    const piece = newFrame(size);
    this.piece.copy(piece, 1, 1, 1 + this.fill);
    this.size = size;
    this.piece = piece;
  }

  /**
   * The throughput optimiser, first round: 5 MB with each of 1000, 33268 and
   * 65536-byte buffers, then the fastest is kept. Short backups never leave 1000.
   */
  private async probe(): Promise<void> {
    if (!this.probing || this.probeBytes < PROBE_BYTES) return;
    await this.pipe.drain();
    const now = Date.now();
    this.rates.push(this.probeBytes / Math.max(1, now - this.probeStart));
    this.probeBytes = 0;
    this.probeStart = now;
    let next: number;
    if (this.rates.length < PROBE_SIZES.length) next = PROBE_SIZES[this.rates.length]!;
    else {
      this.probing = false;
      const best = this.rates.indexOf(Math.max(...this.rates));
      next = PROBE_SIZES[best]!;
    }
    if (next !== this.size) await this.setSize(next);
  }

  private async ask(): Promise<void> {
    const wait = this.last === null;
    this.writtenSinceAsked = false;
    this.bytesSinceAsked = 0;
    await this.pipe.send({ name: 'QUERYWRPOSITION' }, (r) => {
      if (r.kind === 'position') {
        this.last = { cartridge: r.cartridge, file: r.file };
        this.stats.position(r.cartridge, r.file);
      }
    });
    if (wait) await this.pipe.drain();
  }

  async write(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    if (!this.switched) await this.switchBuffer();
    this.stats.bytesSaved += b.length;
    this.bytesSinceAsked += b.length;
    if (this.bytesSinceAsked > MAX_WRITE_WITHOUT_POSITION) await this.ask();
    let off = 0;
    while (off < b.length) {
      const n = Math.min(b.length - off, this.size - this.fill);
      b.copy(this.piece, 1 + this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === this.size) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const frame = this.piece;
    // The last W of a stream is zero filled after the data.
    if (this.fill < this.size) frame.fill(0, 1 + this.fill);
    this.piece = newFrame(this.size);
    this.fill = 0;
    this.writtenSinceAsked = true;
    await this.pipe.sendWriteFrame(frame);
    this.probeBytes += this.size;
    await this.probe();
  }

  async entryStart(): Promise<Position | null> {
    if (!extendedVerbose(this.o) || !this.o.verbose) return null;
    if (this.writtenSinceAsked || this.last === null) await this.ask();
    return this.last;
  }

  async finish(): Promise<void> {
    let padding = 0;
    if (this.fill > 0) {
      padding = this.size - this.fill;
      await this.flush();
    }
    while (padding < MIN_PADDING) {
      this.writtenSinceAsked = true;
      const zeros = Buffer.alloc(1 + this.size);
      zeros[0] = WRITETOTAPE;
      await this.pipe.sendWriteFrame(zeros);
      padding += this.size;
    }
    await this.ask();
    await this.pipe.send({ name: 'CLOSETAPE' });
    await this.pipe.drain();
    if (this.o.reportFile !== undefined) {
      const t = check(await this.conn.call({ name: 'QUERYWRITTENTAPES' }), 'querying the written cartridges');
      if (t.kind === 'text' && t.text.length > 0) {
        try {
          for (const c of expandRanges(parseRanges(t.text.toString('latin1')))) this.stats.usedCarts.add(c);
        } catch {
          /* an unreadable list only leaves the report shorter */
        }
      }
    }
    await goodbye(this.conn);
  }

  async abort(): Promise<void> {
    await this.conn.close();
  }
}

class FileSink implements Sink {
  private length = 0;
  constructor(private readonly ws: Writable, private readonly closeAtEnd: boolean, private readonly stats: Stats) {}

  static open(file: string, stdout: Writable, stats: Stats): FileSink {
    if (file === '-') return new FileSink(stdout, false, stats);
    let fd: number;
    try {
      fd = fs.openSync(file, 'w', 0o644);
    } catch (e) {
      throw new AfError('USAGE', `cannot open the archive file ${file}: ${(e as Error).message}`);
    }
    return new FileSink(fs.createWriteStream('', { fd }), true, stats);
  }

  async write(b: Buffer): Promise<void> {
    this.length += b.length;
    this.stats.bytesSaved += b.length;
    if (!this.ws.write(b)) await once(this.ws, 'drain');
  }

  async entryStart(): Promise<Position | null> {
    return null;
  }

  async finish(): Promise<void> {
    const pad = archivePadding(this.length);
    if (pad.length > 0 && !this.ws.write(pad)) await once(this.ws, 'drain');
    if (this.closeAtEnd) {
      this.ws.end();
      await once(this.ws, 'close');
    }
  }

  async abort(): Promise<void> {
    if (this.closeAtEnd) this.ws.destroy();
  }
}

/** How -z is understood (kept for callers of the older name). */
export function compressionOf(o: AfclientOptions): PackPolicy {
  return packPolicy(o.compress, o.dontCompress, o.crc);
}

export interface StdStreams {
  stdin: Readable;
  stdout: Writable;
}

/** Reads -N/-A/-B into the window of mtimes to save: from <= mtime < until. */
export function timeWindow(o: AfclientOptions, io: Output): { from: number | null; until: number | null } {
  let from: number | null = null;
  if (o.newerThanFile !== undefined) {
    if (o.after !== undefined) io.err('warning: -N and -A may not be given together, -N is ignored');
    else {
      try {
        from = Math.floor(fs.statSync(o.newerThanFile).mtimeMs / 1000);
      } catch (e) {
        io.err(`warning: cannot stat ${o.newerThanFile} (-N): ${(e as Error).message}; the option is ignored`);
      }
    }
  }
  if (o.after !== undefined) from = Number(o.after.trim());
  const until = o.before !== undefined ? Number(o.before.trim()) : null;
  return { from, until };
}

export async function runCreate(o: AfclientOptions, io: Output, std: StdStreams): Promise<number> {
  const stats = new Stats();
  const policy = packPolicy(o.compress, o.dontCompress, o.crc);
  const patterns = policy.dontCompress.map(globToRegExp);
  const window = timeWindow(o, io);
  const stdinLines = lines(std.stdin);
  let sink: Sink;
  let shownHost = o.host;
  let shownPort = 0;
  if (o.archiveFile !== undefined) {
    sink = FileSink.open(o.archiveFile, std.stdout, stats);
  } else {
    const s = await openSession(o);
    shownHost = o.host;
    shownPort = s.address.port;
    try {
      const pre = await runPreamble(s.conn, o, io, { create: true, dataMode: true });
      sink = await ServerSink.open(s.conn, o, stats, pre.opened, pre.writePosition);
    } catch (e) {
      await s.conn.close();
      throw e;
    }
  }
  // Verbose lines go to stderr when the archive itself goes to stdout.
  // Verbose lines to stdout are gathered and written a batch at a time (one
  // write per turn of the event loop or per 64 KiB, not one per entry).
  const pendingOut: Buffer[] = [];
  let pendingLen = 0;
  let flushScheduled = false;
  const flushOut = (): void => {
    if (pendingOut.length === 0) return;
    const b = pendingOut.length === 1 ? pendingOut[0]! : Buffer.concat(pendingOut, pendingLen);
    pendingOut.length = 0;
    pendingLen = 0;
    io.out(b);
  };
  const say = (b: Buffer): void => {
    if (o.archiveFile === '-') {
      io.err(b.toString('latin1').replace(/\n$/, ''));
      return;
    }
    pendingOut.push(b);
    pendingLen += b.length;
    if (pendingLen >= 65536) flushOut();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        flushOut();
      });
    }
  };
  const showPositions = o.archiveFile === undefined;
  const progress = new Progress(io, 'saved');
  let problems = 0;
  let exitStatus = 1;
  const report = (msg: string): void => {
    flushOut();
    io.err(msg);
    problems++;
  };
  // AF_DEFLATE_THREADS=0 compresses on the main thread (for comparisons); n > 0 sets the pool size.
  const threads = process.env.AF_DEFLATE_THREADS;
  const pool = policy.level !== null && threads !== '0' ? new DeflatePool(threads && /^\d+$/.test(threads) ? Number(threads) : undefined) : null;
  try {
    if (o.raw) {
      for await (const c of std.stdin) {
        await sink.write(c as Buffer);
        progress.add(0, (c as Buffer).length);
      }
    } else {
      if (o.header !== undefined) {
        let text: Buffer;
        if (o.header === '-') {
          const first = await stdinLines.next();
          text = first.done ? Buffer.alloc(0) : first.value;
        } else text = argBytes(o.header);
        await sink.write(informationRecord(unescapeName(text)));
      }
      const names = await nameSource(o, stdinLines);
      const walker = new FileWalker({ recursive: o.recursive, unprocess: Buffer.alloc(0) });
      const ctx: PackContext = { o, io, sink, stats, policy, patterns, window, say, showPositions, shownHost, shownPort, report, progress, pool };
      await packAll(ctx, walker, names);
      await sink.write(END_MARK);
    }
    flushOut();
    progress.done();
    await sink.finish();
    exitStatus = 0;
  } catch (e) {
    flushOut();
    progress.done();
    await sink.abort();
    await pool?.close();
    if (o.reportFile !== undefined) await finishReport(o, stats, shownHost, shownPort, 1, io);
    throw e;
  }
  await pool?.close();
  if (o.reportFile !== undefined) await finishReport(o, stats, shownHost, shownPort, exitStatus, io);
  return problems > 0 ? 14 : 0;
}

async function finishReport(o: AfclientOptions, stats: Stats, host: string, port: number, exitStatus: number, io: Output): Promise<void> {
  stats.endDate = ctimeOf(new Date());
  try {
    await writeReport(o.reportFile!, reportText(stats, { clientId: o.clientId, host, port, exitStatus }));
  } catch (e) {
    io.err(`cannot write the report file ${o.reportFile}: ${(e as Error).message}`);
  }
}

/** Names from the command line, a -T file, or stdin (C-escaped, one per line). */
async function nameSource(o: AfclientOptions, stdinLines: AsyncGenerator<Buffer>): Promise<AsyncIterable<Buffer>> {
  if (o.names.length > 0) return toAsync(o.names.map(argBytes));
  if (o.namesFile !== undefined) return toAsync(await readNamesFile(o.namesFile));
  return (async function* () {
    for await (const l of stdinLines) if (l.length > 0) yield unescapeName(l);
  })();
}

async function* toAsync(list: Buffer[]): AsyncGenerator<Buffer> {
  for (const b of list) yield b;
}

interface PackContext {
  o: AfclientOptions;
  io: Output;
  sink: Sink;
  stats: Stats;
  policy: PackPolicy;
  patterns: RegExp[];
  window: { from: number | null; until: number | null };
  say(b: Buffer): void;
  showPositions: boolean;
  shownHost: string;
  shownPort: number;
  report(msg: string): void;
  progress: Progress;
  pool: DeflatePool | null;
}

const shown = (b: Buffer): string => escapeName(b).toString('latin1');

/** The verbose line of an entry. */
function verboseLine(ctx: PackContext, at: Position | null, uid: number, mtime: number, name: Buffer): Buffer {
  const o = ctx.o;
  let prefix = '';
  if (extendedVerbose(o)) {
    if (o.location && ctx.showPositions) prefix += `${ctx.shownHost}%${ctx.shownPort}!`;
    if (o.positions && ctx.showPositions) prefix += at ? `${at.cartridge}.${at.file}` : '0.0';
    if (o.showUid) prefix += `|${uid}`;
    if (o.showMtime) prefix += `~${mtime}`;
    prefix += ': ';
  }
  return Buffer.concat([Buffer.from(prefix, 'latin1'), escapeName(name), Buffer.from('\n')]);
}

function inWindow(ctx: PackContext, mtime: number): boolean {
  const { from, until } = ctx.window;
  return (from === null || mtime >= from) && (until === null || mtime < until);
}

/**
 * One entry ready to go out. Regular files that the built-in compression
 * processes are already compressing on the pool (`compressed`) when the
 * previous entry is still being sent: that is the one-entry lookahead of
 * packAll().
 */
type Prepared =
  | { kind: 'special'; raw: Buffer }
  | { kind: 'error'; message: string }
  | { kind: 'record'; entry: Entry }
  | { kind: 'file'; entry: RegularFile; fh: number; diskSize: number; compressed: AsyncIterable<Buffer> | null };

async function* prepareAll(ctx: PackContext, walker: FileWalker, names: AsyncIterable<Buffer>): AsyncGenerator<Prepared> {
  for await (const raw of names) {
    let special;
    try {
      special = classifyName(raw);
    } catch (e) {
      yield { kind: 'error', message: (e as Error).message };
      continue;
    }
    if (special.kind !== 'plain') {
      yield { kind: 'special', raw };
      continue;
    }
    for (const item of walker.walk([special.path])) {
      if (item.kind === 'error') {
        yield { kind: 'error', message: `cannot save ${shown(item.path)}: ${item.message}` };
        continue;
      }
      let e: Entry = item.entry;
      if ('mtime' in e && e.kind !== 'directory' && !inWindow(ctx, e.mtime)) continue;
      if (special.noVerify) e = { ...e, noVerify: true } as Entry;
      if (e.kind !== 'file') {
        yield { kind: 'record', entry: e };
        continue;
      }
      let fh: number;
      try {
        fh = openForSaving(item.path);
      } catch (err) {
        yield { kind: 'error', message: `cannot open ${shown(item.path)}: ${(err as Error).message}` };
        continue;
      }
      const f = fileEntryFor(e, ctx.policy, ctx.patterns, e.size);
      let compressed: AsyncIterable<Buffer> | null = null;
      if (ctx.pool && f.unprocess.length > 0 && ctx.policy.level !== null) {
        compressed = ctx.pool.deflate(fileData(ctx, f, fh, e.size), ctx.policy.level);
      }
      yield { kind: 'file', entry: f, fh, diskSize: e.size, compressed };
    }
  }
}

/** A file's bytes as stored before the built-in compression: read, then through -z's command if any. */
function fileData(ctx: PackContext, e: RegularFile, fh: number, diskSize: number): AsyncIterable<Buffer> {
  const data: AsyncIterable<Buffer> = fileContents(fh, 65536, !ctx.o.dontKeepAtime, diskSize);
  if (e.unprocess.length > 0 && ctx.policy.proc) return throughCommand(ctx.policy.proc, data, `processing ${shown(e.name)}`);
  return data;
}

/** Saves every name, one prepared entry ahead (so the next file compresses while this one is sent). */
async function packAll(ctx: PackContext, walker: FileWalker, names: AsyncIterable<Buffer>): Promise<void> {
  const it = prepareAll(ctx, walker, names)[Symbol.asyncIterator]();
  let next = await it.next();
  while (!next.done) {
    const cur = next.value;
    next = await it.next();
    await packPrepared(ctx, cur);
  }
}

async function packPrepared(ctx: PackContext, p: Prepared): Promise<void> {
  switch (p.kind) {
    case 'error':
      ctx.report(p.message);
      return;
    case 'special':
      await packSpecial(ctx, p.raw);
      return;
    case 'record': {
      const e = p.entry;
      const at = await ctx.sink.entryStart();
      if (ctx.o.verbose && 'uid' in e) ctx.say(verboseLine(ctx, at, e.uid, e.mtime, e.name));
      await ctx.sink.write(encodeRecord(e));
      ctx.stats.entries++;
      ctx.progress.add(1, 0);
      return;
    }
    case 'file': {
      const e = p.entry;
      const at = await ctx.sink.entryStart();
      if (ctx.o.verbose) ctx.say(verboseLine(ctx, at, e.uid, e.mtime, e.name));
      const processed = e.unprocess.length > 0;
      const pre = p.compressed;
      await writeData(ctx, e, pre ? [] : fileData(ctx, e, p.fh, p.diskSize), processed ? null : e.size, pre ? () => pre : null);
      return;
    }
  }
}

async function packSpecial(ctx: PackContext, raw: Buffer): Promise<void> {
  const special = classifyName(raw);
  if (special.kind === 'command') {
    const e = commandEntryFor(special.line, ctx.policy);
    const at = await ctx.sink.entryStart();
    if (ctx.o.verbose) ctx.say(verboseLine(ctx, at, process.getuid?.() ?? 0, Math.floor(Date.now() / 1000), special.line));
    const out = throughCommand(['/bin/sh', '-c', special.command], null, `command of ${shown(special.line)}`);
    await writeData(ctx, e, out, null, null);
    return;
  }
  if (special.kind !== 'contents') return;
  let st: fs.Stats;
  try {
    st = fs.statSync(special.path);
  } catch (err) {
    ctx.report(`cannot save the contents of ${shown(special.path)}: ${(err as Error).message}`);
    return;
  }
  const mtime = Math.floor(st.mtimeMs / 1000);
  if (!inWindow(ctx, mtime)) return;
  const e = contentsEntryFor(special.path, mtime, ctx.policy, special.processed);
  const at = await ctx.sink.entryStart();
  if (ctx.o.verbose) ctx.say(verboseLine(ctx, at, st.uid, mtime, special.path));
  let data: AsyncIterable<Buffer> = readWhole(special.path);
  if (special.processed && ctx.policy.proc) data = throughCommand(ctx.policy.proc, data, `processing ${shown(special.path)}`);
  await writeData(ctx, e, data, null, null);
}

/** Streams one data entry to the sink and keeps the statistics. */
async function writeData(
  ctx: PackContext,
  e: DataEntry,
  data: AsyncIterable<Buffer> | Iterable<Buffer>,
  plainSize: number | null,
  started: (() => AsyncIterable<Buffer>) | null,
): Promise<void> {
  const level = ctx.policy.level ?? 6;
  const pool = ctx.pool;
  const deflate = started ?? (pool ? (input: AsyncIterable<Buffer>, lvl: number) => pool.deflate(input, lvl) : undefined);
  const gen = encodeData(e, data, { zlibLevel: level, ...(deflate ? { deflate } : {}) });
  let total = 0;
  let headerLen = -1;
  for (;;) {
    let r: IteratorResult<Buffer, { zeroFilled: number }>;
    try {
      r = await gen.next();
    } catch (err) {
      // Reading or processing failed: the record is cut short. Readers resynchronise
      // at the next record, so only this entry is lost.
      ctx.report(`${shown(nameOf(e))}: ${(err as Error).message}`);
      return;
    }
    if (r.done) {
      if (r.value.zeroFilled > 0) {
        ctx.report(`${shown(nameOf(e))}: the file shrank while it was saved; ${r.value.zeroFilled} zero bytes were written instead`);
      }
      break;
    }
    if (headerLen < 0) headerLen = r.value.length;
    total += r.value.length;
    await ctx.sink.write(r.value);
    ctx.progress.add(0, r.value.length);
  }
  ctx.stats.entries++;
  ctx.progress.add(1, 0);
  if (e.kind === 'command') return;
  const stored = Math.max(0, total - Math.max(headerLen, 0) - 1);
  if (plainSize !== null) {
    ctx.stats.sumFileSizes += plainSize;
    ctx.stats.sumUncompressed += plainSize;
  } else {
    ctx.stats.sumCompressed += stored;
    ctx.stats.sumFileSizes += fileSizeOf(e);
  }
}

function nameOf(e: DataEntry): Buffer {
  return e.kind === 'command' ? e.command : e.name;
}

function fileSizeOf(e: DataEntry): number {
  if (e.kind === 'command') return 0;
  try {
    return fs.statSync(e.name).size;
  } catch {
    return 0;
  }
}
