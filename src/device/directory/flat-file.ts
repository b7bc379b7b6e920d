/**
 * A tape file stored as a flat file (`data.<k>`), read and written through large
 * system calls: appends gather in one big buffer and reach the disk in multi-MiB
 * writes, reads are served from a multi-MiB read-ahead window. Both the directory
 * device and the cartridges of the virtual library keep their tape files this way.
 *
 * Blocks the caller promises not to change (views of receive buffers that are never
 * reused) can be appended by reference: they are written together, a MiB or more
 * per pwritev(), without being copied first (small batches, so that the bytes are
 * still in the CPU's caches from being received when the kernel copies them).
 *
 * Neither class knows about blocks or filemarks; the drives do. The writer also
 * watches the free space of its filesystem, so that a full disk can be reported as
 * end of tape (nothing written) instead of losing blocks already accepted: near the
 * end it writes each block at once, and it keeps RESERVE_BYTES free for state files.
 */
import fs from 'node:fs';
import { AfError } from '../../errors.js';

/** Appends are gathered up to this many bytes before they are written. */
export const GATHER_BYTES = 4 << 20;
/** Blocks at least this large skip the gather buffer and the read-ahead window. */
export const DIRECT_BYTES = 128 << 10;
/** Bytes read ahead in one system call. */
export const READ_AHEAD_BYTES = 4 << 20;
/** Below this much free space the writer stops gathering and writes each block at once. */
export const LOW_SPACE_BYTES = 4 * GATHER_BYTES;
/**
 * Space left free for the small state files (index, positions, locks): a block that
 * would leave less is end of tape, so that closing the drive can still save its state.
 */
export const RESERVE_BYTES = 1 << 20;
/** Bytes appended by reference are written once this many are queued... */
export const SHARED_BATCH_BYTES = 1 << 20;
/** ...or this many pieces (well below the kernel's IOV_MAX of 1024). */
const SHARED_BATCH_PIECES = 512;

/**
 * Result of FlatWriter.append: 'ok' (accepted, perhaps still in memory), 'low-space'
 * (accepted, but the filesystem is nearly full), 'disk-full' (nothing of it written).
 */
export type Appended = 'ok' | 'low-space' | 'disk-full';

/**
 * The same bytes typed as Uint8Array, for fs calls: with TypeScript 6 and the Node 20
 * typings a Buffer is not assignable to Uint8Array, though at run time it is one. A
 * type cast, no copy and no new view per block.
 */
export function u8(b: Buffer): Uint8Array {
  return b as unknown as Uint8Array;
}

/**
 * Turns a failed file-system call on a medium into the AfError a drive throws: a
 * refused write (EACCES, EPERM, EROFS) is a write-protected medium, anything else an
 * I/O error.
 */
export function mediumError(e: unknown, doing: string, writing = false): AfError {
  if (e instanceof AfError) return e;
  const err = e as NodeJS.ErrnoException;
  const detail = `${doing}: ${err.message ?? String(e)}`;
  const refused = err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS';
  return new AfError(writing && refused ? 'WRITE_PROTECTED' : 'DEVICE_IO', detail, { cause: e });
}

function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Writes all of buf[0..len) at position pos, however many calls it takes. */
export function writeFully(fd: number, buf: Buffer, len: number, pos: number): void {
  let done = 0;
  while (done < len) done += fs.writeSync(fd, u8(buf), done, len - done, pos + done);
}

/**
 * Reads up to len bytes at pos into buf from offset `at`; fewer only at end of file.
 * Returns the number of bytes read.
 */
/** writevFully through the thread pool. */
export async function writevFullyAsync(fd: number, parts: readonly Buffer[], len: number, pos: number): Promise<void> {
  const n = await new Promise<number>((resolve, reject) =>
    fs.writev(fd, parts as unknown as Uint8Array[], pos, (err, written) => (err ? reject(err) : resolve(written))),
  );
  // A short write (rare on regular files): the rest synchronously.
  if (n < len) {
    let i = 0;
    let skip = n;
    while (skip >= parts[i]!.length) skip -= parts[i++]!.length;
    writevFully(fd, [parts[i]!.subarray(skip), ...parts.slice(i + 1)], len - n, pos + n);
  }
}

/** writeFully through the thread pool: the event loop goes on while the disk works. */
export async function writeFullyAsync(fd: number, buf: Buffer, len: number, pos: number): Promise<void> {
  let done = 0;
  while (done < len) {
    done += await new Promise<number>((resolve, reject) =>
      fs.write(fd, u8(buf), done, len - done, pos + done, (err, n) => (err ? reject(err) : resolve(n))),
    );
  }
}

/** Writes all bytes of `parts` in order at position pos with as few pwritev() calls as it takes. */
export function writevFully(fd: number, parts: readonly Buffer[], len: number, pos: number): void {
  let done = fs.writevSync(fd, parts as unknown as Uint8Array[], pos);
  if (done === len) return;
  // A short write (rare on regular files): go on from where it stopped.
  let i = 0;
  let skip = done;
  while (skip >= parts[i]!.length) skip -= parts[i++]!.length;
  const rest = [parts[i]!.subarray(skip), ...parts.slice(i + 1)];
  while (done < len) {
    const n = fs.writevSync(fd, rest as unknown as Uint8Array[], pos + done);
    done += n;
    let m = n;
    while (rest.length > 0 && m >= rest[0]!.length) m -= rest.shift()!.length;
    if (m > 0) rest[0] = rest[0]!.subarray(m);
  }
}

export function readFully(fd: number, buf: Buffer, at: number, len: number, pos: number): number {
  let done = 0;
  while (done < len) {
    const n = fs.readSync(fd, u8(buf), at + done, len - done, pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Appends to one open file at a time, gathering small appends into large writes. */
export class FlatWriter {
  private buf: Buffer | undefined;
  /** Bytes copied into buf and not written yet. */
  private pending = 0;
  /** Pieces appended by reference (appendShared), not written yet; only one of pending/refs is non-empty. */
  private refs: Buffer[] = [];
  private refsLen = 0;
  /** A batch being written through the thread pool (appendSharedAsync), and its failure. */
  private inflight: Promise<void> | null = null;
  private inflightError: unknown = null;
  private fd = -1;
  /** File offset where the next byte goes once everything pending is written. */
  private end = 0;
  /** Free bytes of the filesystem as last measured, less what was written since. */
  private free = Number.POSITIVE_INFINITY;
  private sinceMeasured = 0;

  /** dir: a directory on the filesystem the files live on (for the free-space check). */
  constructor(private readonly dir: string) {}

  /** Starts appending to fd at byte offset `at` (the caller has truncated the file there). */
  attach(fd: number, at: number): void {
    if (this.fd !== -1) throw new AfError('INTERNAL', 'flat-file writer attached twice');
    this.fd = fd;
    this.end = at;
    this.pending = 0;
    this.refs = [];
    this.refsLen = 0;
    this.measure();
  }

  get attached(): boolean {
    return this.fd !== -1;
  }

  /** Offset of the end of the file as the appends so far leave it. */
  get size(): number {
    return this.end + this.pending + this.refsLen;
  }

  /** Bytes accepted and not written yet. */
  private get queued(): number {
    return this.pending + this.refsLen;
  }

  /**
   * Like append(), but a large block goes to the file through the thread pool, so
   * that receiving the next block overlaps with writing this one. Its place in the
   * file is taken before the write starts; the promise settles once the bytes are
   * in the file (the caller may then reuse the buffer).
   */
  async appendAsync(data: Buffer): Promise<Appended> {
    const len = data.length;
    if (this.busy) await this.drain();
    if (len < DIRECT_BYTES || this.free - this.queued - len < LOW_SPACE_BYTES) return this.append(data);
    if (this.queued > 0) this.flush();
    const at = this.end;
    this.end += len;
    this.free -= len;
    this.sinceMeasured += len;
    await writeFullyAsync(this.fd, data, len, at);
    if (this.sinceMeasured >= GATHER_BYTES) this.measure();
    return 'ok';
  }

  /**
   * Appends data. On a nearly full disk the bytes go straight to the file, so that
   * ENOSPC concerns this block alone: it is cut off again and 'disk-full' returned.
   */
  append(data: Buffer): Appended {
    const len = data.length;
    if (this.free - this.queued - len < LOW_SPACE_BYTES) {
      this.flush();
      this.measure();
      if (this.free - len < RESERVE_BYTES) return 'disk-full';
      if (this.free - len < LOW_SPACE_BYTES) return this.appendNow([data], len);
    }
    if (this.refsLen > 0) this.flush();
    if (len >= DIRECT_BYTES) {
      if (this.pending > 0) this.flush();
      writeFully(this.fd, data, len, this.end);
      this.end += len;
      this.free -= len;
      this.sinceMeasured += len;
      if (this.sinceMeasured >= GATHER_BYTES) this.measure();
      return 'ok';
    }
    if (this.pending + len > GATHER_BYTES) {
      this.flush();
      // Others write to this filesystem too: look again now and then.
      if (this.sinceMeasured >= GATHER_BYTES) this.measure();
    }
    if (this.buf === undefined) this.buf = Buffer.allocUnsafe(GATHER_BYTES);
    this.buf.set(data, this.pending);
    this.pending += len;
    return 'ok';
  }

  /**
   * Appends the `len` bytes of `parts`, in order, without copying them: the writer
   * keeps the views until it writes them, which it does once SHARED_BATCH_BYTES are
   * queued, and at the latest at the next flush(), detach(), or append of another
   * kind. The caller guarantees that nobody changes those bytes before then; one that
   * reuses its buffers calls append(). Results as for append().
   */
  appendShared(parts: readonly Buffer[], len: number): Appended {
    if (this.free - this.queued - len < LOW_SPACE_BYTES) {
      this.flush();
      this.measure();
      if (this.free - len < RESERVE_BYTES) return 'disk-full';
      if (this.free - len < LOW_SPACE_BYTES) return this.appendNow(parts, len);
    }
    if (this.pending > 0) this.flush();
    for (const p of parts) if (p.length > 0) this.refs.push(p);
    this.refsLen += len;
    if (this.refsLen >= SHARED_BATCH_BYTES || this.refs.length >= SHARED_BATCH_PIECES) {
      this.flush();
      if (this.sinceMeasured >= GATHER_BYTES) this.measure();
    }
    return 'ok';
  }

  /**
   * appendShared() that writes each full batch through the thread pool while the
   * caller goes on (receiving the next bytes): one batch at a time is in flight, and
   * the next full batch waits for it. Before anything else touches the file (flush,
   * detach, another kind of append) the caller awaits drain(), which also reports a
   * failed batch.
   */
  async appendSharedAsync(parts: readonly Buffer[], len: number): Promise<Appended> {
    if (this.pending > 0 || this.free - this.queued - len < LOW_SPACE_BYTES) {
      await this.drain();
      return this.appendShared(parts, len);
    }
    for (const p of parts) if (p.length > 0) this.refs.push(p);
    this.refsLen += len;
    if (this.refsLen >= SHARED_BATCH_BYTES || this.refs.length >= SHARED_BATCH_PIECES) {
      await this.drain();
      const batch = this.refs;
      const n = this.refsLen;
      const at = this.end;
      this.refs = [];
      this.refsLen = 0;
      this.end += n;
      this.free -= n;
      this.sinceMeasured += n;
      const w = writevFullyAsync(this.fd, batch, n, at).then(
        () => {
          this.inflight = null;
        },
        (e: unknown) => {
          this.inflight = null;
          this.inflightError = e ?? new Error('write failed');
        },
      );
      this.inflight = w;
      if (this.sinceMeasured >= GATHER_BYTES) this.measure();
    }
    return 'ok';
  }

  /** Waits until no batch is being written in the background; throws if the last one failed. */
  async drain(): Promise<void> {
    while (this.inflight) await this.inflight;
    const e = this.inflightError;
    if (e !== null) {
      // Nothing after a failed batch may reach the file: the file must stay a prefix
      // of the appends (the drive cuts its index back to what the file holds).
      this.inflightError = null;
      this.refs = [];
      this.refsLen = 0;
      throw e;
    }
  }

  /** True while a batch is being written in the background (drain() first). */
  get busy(): boolean {
    return this.inflight !== null || this.inflightError !== null;
  }

  /** Unbuffered append for the last stretch of a filesystem. */
  private appendNow(parts: readonly Buffer[], len: number): Appended {
    try {
      writevFully(this.fd, parts, len, this.end);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      // Take back whatever part of the block reached the file.
      fs.ftruncateSync(this.fd, this.end);
      return 'disk-full';
    }
    this.end += len;
    this.free -= len;
    return 'low-space';
  }

  /** Writes what is gathered. A failure leaves the file with a prefix of the appends. */
  flush(): void {
    if (this.busy) throw new AfError('INTERNAL', 'flat-file writer flushed while a background write was not collected');
    if (this.refsLen > 0) {
      const parts = this.refs;
      const len = this.refsLen;
      this.refs = [];
      this.refsLen = 0;
      writevFully(this.fd, parts, len, this.end);
      this.end += len;
      this.free -= len;
      this.sinceMeasured += len;
    }
    if (this.pending === 0 || this.buf === undefined) return;
    const len = this.pending;
    this.pending = 0;
    writeFully(this.fd, this.buf, len, this.end);
    this.end += len;
    this.free -= len;
    this.sinceMeasured += len;
  }

  /** Flushes and lets go of the file (the caller closes it, after drain() if it used appendSharedAsync). */
  detach(): void {
    try {
      this.flush();
    } finally {
      this.inflightError = null;
      this.fd = -1;
      this.pending = 0;
      this.refs = [];
      this.refsLen = 0;
    }
  }

  /** Forgets the memory of the gather buffer (after a session ends). */
  release(): void {
    if (this.fd === -1) this.buf = undefined;
  }

  private measure(): void {
    this.sinceMeasured = 0;
    try {
      const s = fs.statfsSync(this.dir);
      this.free = Number(s.bavail) * Number(s.bsize);
    } catch {
      this.free = Number.POSITIVE_INFINITY;
    }
  }
}

/** Reads byte ranges of files through a read-ahead window. */
export class FlatReader {
  private buf: Buffer | undefined;
  private view: Uint8Array | undefined;
  private fd = -1;
  private start = 0;
  private len = 0;

  /**
   * Copies len bytes at file offset pos of fd into dst (from offset 0). Returns the
   * number of bytes copied: less than len only when the file ends first.
   */
  read(fd: number, dst: Buffer, len: number, pos: number): number {
    if (fd === this.fd && pos >= this.start && pos + len <= this.start + this.len) {
      const from = pos - this.start;
      dst.set(this.view!.subarray(from, from + len));
      return len;
    }
    if (len >= DIRECT_BYTES) return readFully(fd, dst, 0, len, pos);
    if (this.buf === undefined) {
      this.buf = Buffer.allocUnsafe(READ_AHEAD_BYTES);
      this.view = u8(this.buf);
    }
    this.fd = fd;
    this.start = pos;
    this.len = readFully(fd, this.buf, 0, READ_AHEAD_BYTES, pos);
    const n = Math.min(len, this.len);
    dst.set(this.view!.subarray(0, n));
    return n;
  }

  /** Drops the window (the file changed or its descriptor is about to be closed). */
  forget(): void {
    this.fd = -1;
    this.len = 0;
  }

  /** Forgets the window and frees its memory. */
  release(): void {
    this.forget();
    this.buf = undefined;
    this.view = undefined;
  }
}

/** The one read descriptor a drive keeps open, on its data file number `file` (-1: none). */
export class ReadSlot {
  fd = -1;
  file = -1;
  size = 0;

  /** Opens `filePath` as data file `file` (the caller closed the previous one). Returns the descriptor. */
  open(file: number, filePath: string): number {
    this.fd = fs.openSync(filePath, 'r');
    this.file = file;
    this.size = fs.fstatSync(this.fd).size;
    return this.fd;
  }

  /** Closes the descriptor; true when one was open. */
  close(): boolean {
    if (this.fd === -1) return false;
    const fd = this.fd;
    this.fd = -1;
    this.file = -1;
    fs.closeSync(fd);
    return true;
  }
}

/** Closes a descriptor whose failure was already reported (by the write that failed). */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already reported */
  }
}
