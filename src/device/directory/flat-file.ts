/**
 * A tape file stored as a flat file (`data.<k>`), read and written through large
 * system calls: appends gather in one big buffer and reach the disk in multi-MiB
 * writes, reads are served from a multi-MiB read-ahead window. Both the directory
 * device and the cartridges of the virtual library keep their tape files this way.
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
/** writeFully through the thread pool: the event loop goes on while the disk works. */
export async function writeFullyAsync(fd: number, buf: Buffer, len: number, pos: number): Promise<void> {
  let done = 0;
  while (done < len) {
    done += await new Promise<number>((resolve, reject) =>
      fs.write(fd, u8(buf), done, len - done, pos + done, (err, n) => (err ? reject(err) : resolve(n))),
    );
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
  private pending = 0;
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
    this.measure();
  }

  get attached(): boolean {
    return this.fd !== -1;
  }

  /** Offset of the end of the file as the appends so far leave it. */
  get size(): number {
    return this.end + this.pending;
  }

  /**
   * Like append(), but a large block goes to the file through the thread pool, so
   * that receiving the next block overlaps with writing this one. Its place in the
   * file is taken before the write starts; the promise settles once the bytes are
   * in the file (the caller may then reuse the buffer).
   */
  async appendAsync(data: Buffer): Promise<Appended> {
    const len = data.length;
    if (len < DIRECT_BYTES || this.free - this.pending - len < LOW_SPACE_BYTES) return this.append(data);
    if (this.pending > 0) this.flush();
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
    if (this.free - this.pending - len < LOW_SPACE_BYTES) {
      this.flush();
      this.measure();
      if (this.free - len < RESERVE_BYTES) return 'disk-full';
      if (this.free - len < LOW_SPACE_BYTES) return this.appendNow(data);
    }
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

  /** Unbuffered append for the last stretch of a filesystem. */
  private appendNow(data: Buffer): Appended {
    try {
      writeFully(this.fd, data, data.length, this.end);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      // Take back whatever part of the block reached the file.
      fs.ftruncateSync(this.fd, this.end);
      return 'disk-full';
    }
    this.end += data.length;
    this.free -= data.length;
    return 'low-space';
  }

  /** Writes what is gathered. A failure leaves the file with a prefix of the appends. */
  flush(): void {
    if (this.pending === 0 || this.buf === undefined) return;
    const len = this.pending;
    this.pending = 0;
    writeFully(this.fd, this.buf, len, this.end);
    this.end += len;
    this.free -= len;
    this.sinceMeasured += len;
  }

  /** Flushes and lets go of the file (the caller closes it). */
  detach(): void {
    try {
      this.flush();
    } finally {
      this.fd = -1;
      this.pending = 0;
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
