/**
 * Reading a packer stream incrementally, surviving damage as afclient does.
 *
 * Unpacker is the synchronous core: push() any slice of the stream and get back
 * events (an entry header, its stored data bytes, its end with the CRC verdict,
 * errors, the end mark). A bad record is reported once as an ARCHIVE_DAMAGED
 * error and reading resumes at the next offset where a whole plausible record
 * header parses (spec §5.3 resynchronisation); `skipLeadingGarbage` (afclient
 * -g) keeps quiet until the first good record. unpack() wraps the core as an
 * async generator over chunks that also inflates built-in zlib data.
 * readArchive() collects a whole in-memory archive, for tests and small tools.
 */
import zlib from 'node:zlib';
import { AfError } from '../errors.js';
import {
  COMMAND_CHUNK_MAX,
  CONTENTS_CHUNK_MAX,
  FILE_CHUNK_MAX,
  NO_VERIFY_BIT,
  RecordType,
  aclCount,
  isChunked,
  usesBuiltinZlib,
  type DataEntry,
  type Entry,
  type RegularFile,
} from './records.js';

export type UnpackEvent =
  | { readonly type: 'entry'; readonly entry: Entry; readonly offset: number }
  /** Stored bytes from the core; decoded (inflated) bytes from unpack(). */
  | { readonly type: 'data'; readonly data: Buffer }
  /** `crcOk` is undefined when the record carries no CRC. */
  | { readonly type: 'entryEnd'; readonly crcOk?: boolean }
  | { readonly type: 'error'; readonly error: AfError; readonly offset: number }
  | { readonly type: 'end'; readonly offset: number };

export interface UnpackOptions {
  /** afclient -g: no errors for garbage before the first valid record. */
  readonly skipLeadingGarbage?: boolean;
  /**
   * Called once per record, with its stream offset, when the unpacker starts on
   * its header (before it knows whether the header is complete). afclient uses
   * it to ask for the tape position at the same moments the original does.
   */
  readonly onRecordStart?: (offset: number) => void;
}

/** Longest name, link target or command a plausible record has. */
const MAX_NAME = 65536;
/** Longest INFORMATION text or ACL text a plausible record has. */
const MAX_TEXT = 16 * 1024 * 1024;
const MAX_NUMBER_CHARS = 40;

const MORE = Symbol('more');
class Bad {
  constructor(readonly reason: string) {}
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** A decimal number ended by `;`, blanks skipped, a leading `-` allowed. */
function readNum(buf: Buffer, p: number): [number, number] {
  let i = p;
  let digits = 0;
  let neg = false;
  let v = 0;
  for (;;) {
    if (i >= buf.length) throw MORE;
    if (i - p > MAX_NUMBER_CHARS) throw new Bad('number too long');
    const c = buf[i]!;
    if (c === 0x3b) break;
    if (isSpace(c)) {
      i++;
    } else if (c === 0x2d && digits === 0 && !neg) {
      neg = true;
      i++;
    } else if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      digits++;
      i++;
    } else {
      throw new Bad('a number was expected');
    }
  }
  if (digits === 0) throw new Bad('empty number');
  if (!Number.isSafeInteger(v)) throw new Bad('number out of range');
  return [neg ? -v : v, i + 1];
}

function readLen(buf: Buffer, p: number, max: number, min = 0): [number, number] {
  const [n, q] = readNum(buf, p);
  if (n < min || n > max) throw new Bad(`implausible length ${n}`);
  return [n, q];
}

function readBytes(buf: Buffer, p: number, len: number): [Buffer, number] {
  if (p + len > buf.length) throw MORE;
  return [Buffer.from(buf.subarray(p, p + len)), p + len];
}

function expect(buf: Buffer, p: number, byte: number): number {
  if (p >= buf.length) throw MORE;
  if (buf[p] !== byte) throw new Bad(`'${String.fromCharCode(byte)}' expected`);
  return p + 1;
}

const SEMI = 0x3b;
const DOT = 0x2e;

type Header = { entry: Entry; next: number } | typeof MORE | Bad;

/** Parses one record header (for data records: up to where the data starts). */
export function parseHeader(buf: Buffer, start: number): Header {
  try {
    return parseHeaderOrThrow(buf, start);
  } catch (e) {
    if (e === MORE || e instanceof Bad) return e;
    throw e;
  }
}

function parseHeaderOrThrow(buf: Buffer, start: number): { entry: Entry; next: number } {
  let p = start;
  let raw: number;
  [raw, p] = readNum(buf, p);
  if (raw === -1) return { entry: { kind: 'end' }, next: p };
  if (raw < 0) throw new Bad(`unknown record type ${raw}`);
  const noVerify = (raw & NO_VERIFY_BIT) !== 0;
  const t = raw & 255;
  const nv = noVerify ? { noVerify: true as const } : {};
  const inode = (): { mode: number; mtime: number; uid: number; gid: number } => {
    let mode: number, mtime: number, uid: number, gid: number;
    [mode, p] = readNum(buf, p);
    [mtime, p] = readNum(buf, p);
    [uid, p] = readNum(buf, p);
    [gid, p] = readNum(buf, p);
    if (mode < 0) throw new Bad('negative mode');
    return { mode, mtime, uid, gid };
  };
  const name = (): Buffer => {
    let len: number, b: Buffer;
    [len, p] = readLen(buf, p, MAX_NAME, 1);
    [b, p] = readBytes(buf, p, len);
    return b;
  };
  switch (t) {
    case RecordType.REGFILE:
    case RecordType.REGFILECKS: {
      const meta = inode();
      const n = name();
      p = expect(buf, p, SEMI);
      let ulen: number, unprocess: Buffer, size: number;
      [ulen, p] = readLen(buf, p, MAX_NAME);
      [unprocess, p] = readBytes(buf, p, ulen);
      p = expect(buf, p, SEMI);
      [size, p] = readNum(buf, p);
      if (size < 0) throw new Bad('negative size');
      const entry: RegularFile = { kind: 'file', name: n, ...meta, crc: t === RecordType.REGFILECKS, unprocess, size, ...nv };
      return { entry, next: p };
    }
    case RecordType.FIFO:
    case RecordType.SOCKET:
    case RecordType.DIRECTORY: {
      const meta = inode();
      const n = name();
      p = expect(buf, p, DOT);
      const kind = t === RecordType.FIFO ? 'fifo' : t === RecordType.SOCKET ? 'socket' : 'directory';
      return { entry: { kind, name: n, ...meta, ...nv }, next: p };
    }
    case RecordType.SYMLINK:
    case RecordType.HARDLINK: {
      const meta = inode();
      const n = name();
      p = expect(buf, p, SEMI);
      let tlen: number, target: Buffer;
      [tlen, p] = readLen(buf, p, MAX_NAME);
      [target, p] = readBytes(buf, p, tlen);
      p = expect(buf, p, DOT);
      const kind = t === RecordType.SYMLINK ? 'symlink' : 'hardlink';
      return { entry: { kind, name: n, ...meta, target, ...nv }, next: p };
    }
    case RecordType.BLOCKDEVICE:
    case RecordType.CHARDEVICE: {
      const meta = inode();
      let rdev: number;
      [rdev, p] = readNum(buf, p);
      const n = name();
      p = expect(buf, p, DOT);
      const kind = t === RecordType.BLOCKDEVICE ? 'blockdevice' : 'chardevice';
      return { entry: { kind, name: n, ...meta, rdev, ...nv }, next: p };
    }
    case RecordType.INFORMATION: {
      let len: number, text: Buffer;
      [len, p] = readLen(buf, p, MAX_TEXT);
      [text, p] = readBytes(buf, p, len);
      p = expect(buf, p, DOT);
      return { entry: { kind: 'information', text, ...nv }, next: p };
    }
    case RecordType.FILECONTENTS:
    case RecordType.FILECONTENTS_CKS:
    case RecordType.FILECONTENTS_O: {
      let mtime: number;
      [mtime, p] = readNum(buf, p);
      const n = name();
      p = expect(buf, p, SEMI);
      let unprocess: Buffer = Buffer.alloc(0);
      const old = t === RecordType.FILECONTENTS_O;
      if (!old) {
        let ulen: number;
        [ulen, p] = readLen(buf, p, MAX_NAME);
        [unprocess, p] = readBytes(buf, p, ulen);
        p = expect(buf, p, SEMI);
      }
      const entry: Entry = {
        kind: 'filecontents', mtime, name: n, crc: t === RecordType.FILECONTENTS_CKS, unprocess,
        ...(old ? { old: true } : {}), ...nv,
      };
      return { entry, next: p };
    }
    case RecordType.COMMANDINOUT:
    case RecordType.COMMANDINOUT_CKS: {
      let len: number, command: Buffer;
      [len, p] = readLen(buf, p, MAX_NAME, 1);
      [command, p] = readBytes(buf, p, len);
      p = expect(buf, p, SEMI);
      return { entry: { kind: 'command', command, crc: t === RecordType.COMMANDINOUT_CKS, ...nv }, next: p };
    }
    case RecordType.POSIX_ACL: {
      let types: number;
      [types, p] = readNum(buf, p);
      if (types < 0 || types > 0xffff) throw new Bad(`implausible ACL types ${types}`);
      const acls: Buffer[] = [];
      for (let i = aclCount(types); i > 0; i--) {
        let len: number, text: Buffer;
        [len, p] = readLen(buf, p, MAX_TEXT);
        [text, p] = readBytes(buf, p, len);
        p = expect(buf, p, SEMI);
        acls.push(text);
      }
      p = expect(buf, p, DOT);
      return { entry: { kind: 'posixAcl', types, acls, ...nv }, next: p };
    }
    default:
      throw new Bad(`unknown record type ${raw}`);
  }
}

function entryLabel(e: Entry): string {
  if ('name' in e) return `entry ${JSON.stringify(e.name.toString('latin1'))}`;
  if (e.kind === 'command') return `command ${JSON.stringify(e.command.toString('latin1'))}`;
  return `${e.kind} record`;
}

type Body =
  | { phase: 'plain'; left: number }
  | { phase: 'prefix' }
  | { phase: 'chunk'; left: number; last: boolean }
  | { phase: 'crc' }
  | { phase: 'dot' };

/** The synchronous decoding core (data events carry the stored bytes). */
export class Unpacker {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private mode: 'header' | 'scan' | 'body' | 'done' = 'header';
  private seenGood = false;
  private entry: DataEntry | null = null;
  private entryOffset = 0;
  private body: Body = { phase: 'dot' };
  private crc = 0;
  private ended = false;
  private crcOk: boolean | undefined;
  private lastRecordStart = -1;

  constructor(private readonly opts: UnpackOptions = {}) {}

  /** Feeds the next slice of the stream. */
  push(chunk: Buffer): UnpackEvent[] {
    if (this.mode === 'done') return [];
    const rest = this.buf.subarray(this.pos);
    this.base += this.pos;
    this.buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.pos = 0;
    const out: UnpackEvent[] = [];
    this.run(out, false);
    return out;
  }

  /** The stream is over: reports a damaged last entry or a missing end mark. */
  end(): UnpackEvent[] {
    const out: UnpackEvent[] = [];
    if (this.ended) return out;
    this.ended = true;
    if (this.mode === 'done') return out;
    this.run(out, true);
    if ((this.mode as string) === 'done') return out;
    const at = this.base + this.pos;
    if (this.mode === 'body' && this.entry) {
      out.push(this.error(`stream ends inside ${entryLabel(this.entry)} (record at offset ${this.entryOffset})`, at));
    } else if (this.mode === 'header' && this.pos < this.buf.length) {
      out.push(this.error(`stream ends inside a record header at offset ${at}`, at));
    } else {
      out.push(this.error('stream ends without the end mark', at));
    }
    this.mode = 'done';
    return out;
  }

  private error(detail: string, offset: number): UnpackEvent {
    return { type: 'error', error: new AfError('ARCHIVE_DAMAGED', detail), offset };
  }

  private damaged(out: UnpackEvent[], detail: string): void {
    const at = this.base + this.pos;
    if (this.seenGood || !this.opts.skipLeadingGarbage) out.push(this.error(`${detail} at offset ${at}`, at));
    this.entry = null;
    this.mode = 'scan';
  }

  private run(out: UnpackEvent[], final: boolean): void {
    for (;;) {
      if (this.mode === 'done') return;
      if (this.mode === 'header') {
        const at = this.base + this.pos;
        if (at !== this.lastRecordStart && (this.pos < this.buf.length || this.seenGood)) {
          this.lastRecordStart = at;
          this.opts.onRecordStart?.(at);
        }
        if (this.pos >= this.buf.length) return;
        const h = parseHeader(this.buf, this.pos);
        if (h === MORE) return;
        if (h instanceof Bad) {
          this.damaged(out, `bad record (${h.reason})`);
          this.pos++;
          continue;
        }
        this.accept(out, h);
        continue;
      }
      if (this.mode === 'scan') {
        if (!this.scan(out, final)) return;
        continue;
      }
      if (!this.stepBody(out)) return;
    }
  }

  /** Looks for the next plausible record; false when more input is needed. */
  private scan(out: UnpackEvent[], final: boolean): boolean {
    const buf = this.buf;
    for (let i = this.pos; i < buf.length; i++) {
      const c = buf[i]!;
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d)) continue;
      const h = parseHeader(buf, i);
      if (h instanceof Bad) continue;
      if (h === MORE) {
        if (final) continue;
        this.pos = i;
        return false;
      }
      this.pos = i;
      this.accept(out, h);
      return true;
    }
    this.pos = buf.length;
    return false;
  }

  private accept(out: UnpackEvent[], h: { entry: Entry; next: number }): void {
    const offset = this.base + this.pos;
    this.seenGood = true;
    this.pos = h.next;
    out.push({ type: 'entry', entry: h.entry, offset });
    const e = h.entry;
    if (e.kind === 'end') {
      out.push({ type: 'end', offset });
      this.mode = 'done';
      return;
    }
    if (e.kind !== 'file' && e.kind !== 'filecontents' && e.kind !== 'command') {
      this.mode = 'header';
      return;
    }
    this.entry = e;
    this.entryOffset = offset;
    this.crc = 0;
    this.mode = 'body';
    this.body = isChunked(e) ? { phase: 'prefix' } : { phase: 'plain', left: (e as RegularFile).size };
  }

  private afterData(): Body {
    return this.entry!.crc ? { phase: 'crc' } : { phase: 'dot' };
  }

  /** Advances through a data body; false when more input is needed. */
  private stepBody(out: UnpackEvent[]): boolean {
    const e = this.entry!;
    const avail = this.buf.length - this.pos;
    const b = this.body;
    switch (b.phase) {
      case 'plain':
      case 'chunk': {
        if (b.left === 0) {
          this.body = b.phase === 'plain' || b.last ? this.afterData() : { phase: 'prefix' };
          return true;
        }
        if (avail === 0) return false;
        const n = Math.min(avail, b.left);
        const data = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        b.left -= n;
        this.crc = zlib.crc32(data, this.crc);
        out.push({ type: 'data', data });
        return true;
      }
      case 'prefix': {
        const width = e.kind === 'filecontents' ? 1 : 2;
        if (avail < width) return false;
        const max = e.kind === 'file' ? FILE_CHUNK_MAX : e.kind === 'command' ? COMMAND_CHUNK_MAX : CONTENTS_CHUNK_MAX;
        const len = width === 1 ? this.buf[this.pos]! : this.buf.readUInt16BE(this.pos);
        if (len > max) {
          this.damaged(out, `bad chunk length ${len} in ${entryLabel(e)}`);
          return true;
        }
        this.pos += width;
        this.body = { phase: 'chunk', left: len, last: len < max };
        return true;
      }
      case 'crc': {
        if (avail < 4) return false;
        const stored = this.buf.readUInt32BE(this.pos);
        this.pos += 4;
        const ok = stored === this.crc >>> 0;
        this.body = { phase: 'dot' };
        this.crcOk = ok;
        return true;
      }
      case 'dot': {
        if (avail < 1) return false;
        if (this.buf[this.pos] !== DOT) {
          this.damaged(out, `${entryLabel(e)} is not terminated by '.'`);
          return true;
        }
        this.pos++;
        out.push(e.crc ? { type: 'entryEnd', crcOk: this.crcOk === true } : { type: 'entryEnd' });
        if (e.crc && this.crcOk !== true) {
          out.push(this.error(`CRC mismatch in ${entryLabel(e)}`, this.entryOffset));
        }
        this.crcOk = undefined;
        this.entry = null;
        this.mode = 'header';
        return true;
      }
    }
  }
}

/** Streaming zlib inflate for one entry's stored bytes. */
class EntryInflater {
  private readonly z = zlib.createInflate();
  private out: Buffer[] = [];
  private failure: Error | null = null;
  private readonly finished: Promise<void>;

  constructor() {
    this.z.on('data', (c: Buffer) => this.out.push(c));
    this.finished = new Promise<void>((resolve) => {
      this.z.once('end', resolve);
      this.z.once('close', resolve);
      this.z.once('error', (err) => {
        this.failure = err;
        resolve();
      });
    });
  }

  async write(b: Buffer): Promise<Buffer[]> {
    if (!this.failure) {
      await Promise.race([new Promise<void>((r) => this.z.write(b, () => r())), this.finished]);
    }
    return this.take();
  }

  async finish(): Promise<Buffer[]> {
    if (!this.failure) {
      this.z.end();
      await this.finished;
    }
    return this.take();
  }

  get error(): Error | null {
    return this.failure;
  }

  destroy(): void {
    this.z.destroy();
  }

  private take(): Buffer[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}

/**
 * Decodes a packer stream from chunks: like Unpacker, but data events of entries
 * stored with built-in zlib carry the inflated bytes.
 */
export async function* unpack(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: UnpackOptions = {},
): AsyncGenerator<UnpackEvent> {
  const core = new Unpacker(opts);
  let inflater: EntryInflater | null = null;
  let reported = false;
  let current: Entry | null = null;
  const handle = async function* (events: UnpackEvent[]): AsyncGenerator<UnpackEvent> {
    for (const ev of events) {
      if (ev.type === 'entry') {
        current = ev.entry;
        const e = ev.entry;
        if ((e.kind === 'file' || e.kind === 'filecontents') && usesBuiltinZlib(e.unprocess)) {
          inflater = new EntryInflater();
          reported = false;
        }
        yield ev;
      } else if (ev.type === 'data' && inflater) {
        const inf: EntryInflater = inflater;
        for (const d of await inf.write(ev.data)) yield { type: 'data', data: d };
        if (inf.error && !reported) {
          reported = true;
          yield inflateError(current, inf.error);
        }
      } else if (ev.type === 'entryEnd' && inflater) {
        const inf: EntryInflater = inflater;
        inflater = null;
        for (const d of await inf.finish()) yield { type: 'data', data: d };
        if (inf.error && !reported) yield inflateError(current, inf.error);
        yield ev;
      } else if (ev.type === 'error' && inflater) {
        (inflater as EntryInflater).destroy();
        inflater = null;
        yield ev;
      } else {
        yield ev;
      }
    }
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    yield* handle(core.push(chunk));
  }
  yield* handle(core.end());
}

function inflateError(e: Entry | null, err: Error): UnpackEvent {
  const what = e ? entryLabel(e) : 'entry';
  return { type: 'error', error: new AfError('ARCHIVE_DAMAGED', `zlib data of ${what} cannot be inflated (${err.message})`), offset: -1 };
}

/** An entry read by readArchive, with its whole (decoded) data. */
export interface ReadEntry {
  readonly entry: Entry;
  readonly offset: number;
  readonly data?: Buffer;
  readonly crcOk?: boolean;
  /** False when the entry's data was cut short or damaged. */
  readonly complete: boolean;
}

export interface ReadResult {
  readonly entries: ReadEntry[];
  readonly errors: AfError[];
  /** The end mark was found. */
  readonly ended: boolean;
}

/** Reads a whole archive (one Buffer or a sequence of slices) into entries with their data. */
export async function readArchive(
  archive: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>,
  opts: UnpackOptions = {},
): Promise<ReadResult> {
  const entries: ReadEntry[] = [];
  const errors: AfError[] = [];
  let ended = false;
  let cur: { entry: Entry; offset: number; parts: Buffer[] } | null = null;
  const src = Buffer.isBuffer(archive) ? [archive] : archive;
  const flush = (complete: boolean, crcOk?: boolean): void => {
    if (!cur) return;
    const data = Buffer.concat(cur.parts);
    entries.push({ entry: cur.entry, offset: cur.offset, data, complete, ...(crcOk === undefined ? {} : { crcOk }) });
    cur = null;
  };
  for await (const ev of unpack(src, opts)) {
    switch (ev.type) {
      case 'entry':
        if (ev.entry.kind === 'file' || ev.entry.kind === 'filecontents' || ev.entry.kind === 'command') {
          cur = { entry: ev.entry, offset: ev.offset, parts: [] };
        } else if (ev.entry.kind !== 'end') {
          entries.push({ entry: ev.entry, offset: ev.offset, complete: true });
        }
        break;
      case 'data':
        cur?.parts.push(ev.data);
        break;
      case 'entryEnd':
        flush(true, ev.crcOk);
        break;
      case 'error':
        errors.push(ev.error);
        flush(false);
        break;
      case 'end':
        ended = true;
        break;
    }
  }
  return { entries, errors, ended };
}
