/**
 * Writing entries as afclient writes them: the packer stream of spec §5.3/§5.4.
 *
 * Records without data encode to one Buffer (encodeRecord). Records with data
 * (regular files, raw contents, command output) encode as a stream: the header,
 * then the data framed by its form (plain `size` bytes, or length-prefixed
 * chunks, through the built-in zlib when `unprocess` says so), then the CRC when
 * the entry asks for one, then `.`. encodeData is an async generator that never
 * holds a whole file; encodeDataSync is the same framing for a Buffer in hand.
 */
import zlib from 'node:zlib';
import { AfError } from '../errors.js';
import {
  ARCHIVE_FILE_UNIT,
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

/** Streaming deflater: one zlib stream (header + adler32) of everything `input` yields. */
export type Deflater = (input: AsyncIterable<Buffer>, level: number) => AsyncIterable<Buffer>;
export type DeflaterSync = (data: Buffer, level: number) => Buffer;

export interface DataOptions {
  /** Built-in zlib compression level (afclient `-z '. <level>'`); default 6. */
  readonly zlibLevel?: number;
  /** Replaces node:zlib (e.g. to reproduce another zlib build's bytes). */
  readonly deflate?: Deflater;
  readonly deflateSync?: DeflaterSync;
}

/** What happened to the data while encoding. */
export interface DataResult {
  /** Plain form only: bytes of zeros written because the data ended early. */
  readonly zeroFilled: number;
  /** Plain form only: bytes beyond `size` that were dropped. */
  readonly dropped: number;
}

const SEMI = Buffer.from(';');
const DOT = Buffer.from('.');

/** The end mark. */
export const END_MARK: Buffer = Buffer.from('-1;');

function num(n: number): Buffer {
  if (!Number.isSafeInteger(n)) throw new AfError('INTERNAL', `packer field is not an integer: ${n}`);
  return Buffer.from(`${n};`, 'latin1');
}

/** `<len>;<bytes>` */
function counted(b: Buffer): Buffer[] {
  return [num(b.length), b];
}

function typeCode(code: number, e: { readonly noVerify?: boolean }): Buffer {
  return num(e.noVerify ? code | NO_VERIFY_BIT : code);
}

function inodeHead(code: number, e: Extract<Entry, { mode: number }>): Buffer[] {
  return [typeCode(code, e), num(e.mode), num(e.mtime), num(e.uid), num(e.gid)];
}

/** The type code an entry is written with (before the "do not verify" bit). */
export function recordTypeOf(e: Entry): number {
  switch (e.kind) {
    case 'file': return e.crc ? RecordType.REGFILECKS : RecordType.REGFILE;
    case 'fifo': return RecordType.FIFO;
    case 'socket': return RecordType.SOCKET;
    case 'directory': return RecordType.DIRECTORY;
    case 'symlink': return RecordType.SYMLINK;
    case 'hardlink': return RecordType.HARDLINK;
    case 'blockdevice': return RecordType.BLOCKDEVICE;
    case 'chardevice': return RecordType.CHARDEVICE;
    case 'information': return RecordType.INFORMATION;
    case 'filecontents':
      if (e.old) throw new AfError('INTERNAL', 'type 111 (FILECONTENTS_O) records are read only');
      return e.crc ? RecordType.FILECONTENTS_CKS : RecordType.FILECONTENTS;
    case 'command': return e.crc ? RecordType.COMMANDINOUT_CKS : RecordType.COMMANDINOUT;
    case 'posixAcl': return RecordType.POSIX_ACL;
    case 'end': return RecordType.END;
  }
}

/** A whole record for an entry without data; for a data entry, its header only. */
export function encodeRecord(e: Entry): Buffer {
  const code = recordTypeOf(e);
  switch (e.kind) {
    case 'fifo':
    case 'socket':
    case 'directory':
      return Buffer.concat([...inodeHead(code, e), ...counted(e.name), DOT]);
    case 'symlink':
    case 'hardlink':
      return Buffer.concat([...inodeHead(code, e), ...counted(e.name), SEMI, ...counted(e.target), DOT]);
    case 'blockdevice':
    case 'chardevice':
      return Buffer.concat([...inodeHead(code, e), num(e.rdev), ...counted(e.name), DOT]);
    case 'information':
      return Buffer.concat([typeCode(code, e), ...counted(e.text), DOT]);
    case 'posixAcl': {
      if (e.acls.length !== aclCount(e.types)) {
        throw new AfError('INTERNAL', `ACL record has ${e.acls.length} texts for bitmask ${e.types}`);
      }
      const parts: Buffer[] = [typeCode(code, e), Buffer.from(String(e.types >>> 0), 'latin1')];
      for (const a of e.acls) parts.push(SEMI, num(a.length), a);
      parts.push(SEMI, DOT);
      return Buffer.concat(parts);
    }
    case 'end':
      return END_MARK;
    case 'file': {
      return Buffer.concat([...inodeHead(code, e), ...counted(e.name), SEMI, ...counted(e.unprocess), SEMI, num(e.size)]);
    }
    case 'filecontents':
      return Buffer.concat([typeCode(code, e), num(e.mtime), ...counted(e.name), SEMI, ...counted(e.unprocess), SEMI]);
    case 'command':
      return Buffer.concat([typeCode(code, e), ...counted(e.command), SEMI]);
  }
}

/** The INFORMATION (`-H`) record: `100;<len>;<text>.` */
export function informationRecord(text: Buffer): Buffer {
  return encodeRecord({ kind: 'information', text });
}

/** Zeros that bring an archive file of `length` bytes to a multiple of 1000 (`-f`). */
export function archivePadding(length: number): Buffer {
  const rest = length % ARCHIVE_FILE_UNIT;
  return Buffer.alloc(rest === 0 ? 0 : ARCHIVE_FILE_UNIT - rest);
}

function chunkMax(e: DataEntry): number {
  return e.kind === 'file' ? FILE_CHUNK_MAX : e.kind === 'command' ? COMMAND_CHUNK_MAX : CONTENTS_CHUNK_MAX;
}

function chunkPrefix(e: DataEntry, len: number): Buffer {
  if (e.kind === 'filecontents') return Buffer.from([len]);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(len);
  return b;
}

function crcBytes(crc: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc >>> 0);
  return b;
}

/** Reads Buffers from either kind of iterable. */
async function* asAsync(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const c of src as AsyncIterable<Buffer>) yield c;
}

/** node:zlib as a Deflater. */
export const nodeDeflate: Deflater = async function* (input, level) {
  const d = zlib.createDeflate({ level });
  const feed = (async () => {
    try {
      for await (const c of input) {
        if (!d.write(c)) await new Promise<void>((r) => d.once('drain', r));
      }
      d.end();
    } catch (err) {
      d.destroy(err as Error);
    }
  })();
  for await (const out of d) yield out as Buffer;
  await feed;
};

export const nodeDeflateSync: DeflaterSync = (data, level) => zlib.deflateSync(data, { level });

/**
 * Cuts a byte stream into length-prefixed chunks: full chunks while data lasts,
 * then always one shorter (possibly empty) final chunk.
 */
class Chunker {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  crc = 0;
  constructor(private readonly e: DataEntry, private readonly max: number) {}

  push(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.pending.push(data);
    this.pendingLen += data.length;
    if (this.pendingLen < this.max) return out;
    let all = Buffer.concat(this.pending);
    while (all.length >= this.max) {
      out.push(this.frame(all.subarray(0, this.max)));
      all = all.subarray(this.max);
    }
    this.pending = [all];
    this.pendingLen = all.length;
    return out;
  }

  finish(): Buffer {
    const last = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLen = 0;
    return this.frame(last);
  }

  private frame(b: Buffer): Buffer {
    this.crc = zlib.crc32(b, this.crc);
    return Buffer.concat([chunkPrefix(this.e, b.length), b]);
  }
}

/**
 * Streams one data entry: header, framed data, CRC when `e.crc`, `.`.
 * `data` is the file's bytes (already run through any external compressor the
 * entry's unprocess names); the generator's return value reports plain-form
 * size mismatches, which afclient fills with zeros and flags as an error.
 */
export async function* encodeData(
  e: DataEntry,
  data: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: DataOptions = {},
): AsyncGenerator<Buffer, DataResult> {
  yield encodeRecord(e);
  let zeroFilled = 0;
  let dropped = 0;
  if (!isChunked(e)) {
    const file = e as RegularFile;
    let left = file.size;
    let crc = 0;
    for await (const c of asAsync(data)) {
      const take = c.length <= left ? c : c.subarray(0, left);
      dropped += c.length - take.length;
      left -= take.length;
      if (take.length > 0) {
        if (e.crc) crc = zlib.crc32(take, crc);
        yield take;
      }
    }
    if (left > 0) {
      const zeros = Buffer.alloc(left);
      if (e.crc) crc = zlib.crc32(zeros, crc);
      zeroFilled = left;
      yield zeros;
    }
    yield e.crc ? Buffer.concat([crcBytes(crc), DOT]) : DOT;
    return { zeroFilled, dropped };
  }
  const chunker = new Chunker(e, chunkMax(e));
  const stored = e.kind !== 'command' && usesBuiltinZlib(e.unprocess)
    ? (opts.deflate ?? nodeDeflate)(asAsync(data), opts.zlibLevel ?? 6)
    : asAsync(data);
  for await (const c of stored) {
    for (const framed of chunker.push(c)) yield framed;
  }
  yield chunker.finish();
  yield e.crc ? Buffer.concat([crcBytes(chunker.crc), DOT]) : DOT;
  return { zeroFilled, dropped };
}

/** encodeData for data in memory. */
export function encodeDataSync(e: DataEntry, data: Buffer, opts: DataOptions = {}): Buffer {
  const parts: Buffer[] = [encodeRecord(e)];
  if (!isChunked(e)) {
    const file = e as RegularFile;
    let body = data.subarray(0, file.size);
    if (body.length < file.size) body = Buffer.concat([body, Buffer.alloc(file.size - body.length)]);
    parts.push(body);
    if (e.crc) parts.push(crcBytes(zlib.crc32(body)));
    parts.push(DOT);
    return Buffer.concat(parts);
  }
  const stored = e.kind !== 'command' && usesBuiltinZlib(e.unprocess)
    ? (opts.deflateSync ?? nodeDeflateSync)(data, opts.zlibLevel ?? 6)
    : data;
  const chunker = new Chunker(e, chunkMax(e));
  parts.push(...chunker.push(stored), chunker.finish());
  if (e.crc) parts.push(crcBytes(chunker.crc));
  parts.push(DOT);
  return Buffer.concat(parts);
}

/** Any entry in memory: data entries take `data` (default empty). */
export function encodeEntrySync(e: Entry, data: Buffer = Buffer.alloc(0), opts: DataOptions = {}): Buffer {
  if (e.kind === 'file' || e.kind === 'filecontents' || e.kind === 'command') return encodeDataSync(e, data, opts);
  return encodeRecord(e);
}
