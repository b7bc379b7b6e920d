/**
 * The write side of a tape session: turns the client's byte stream into fixed-size
 * tape blocks, starts a new tape file when Max-Bytes-Per-File would be exceeded or
 * a new file was requested, and hands end of tape (drive full, or Max-Bytes-Per-Tape
 * reached) to the caller, which loads the next cartridge and lets the stream go on.
 *
 * Media policy (which cartridge, labels, state files) is not here: see tape-service.
 *
 * The client's data arrives in views of receive buffers that nobody writes again.
 * A drive that can take a block as such pieces (writeBlockViews, the virtual drive)
 * gets them as they are, so no byte is copied on the way to the file; any other
 * drive gets whole blocks assembled in a pair of reused buffers (so does every drive
 * when AF_WRITE_COPY=1 is in the environment, to compare the two paths).
 */
import type { TapeDrive, WriteResult } from '../device/tape-drive.js';
import { AfError } from '../errors.js';

export interface WritePosition {
  cartridge: number;
  /** Logical (= physical, labels sit on file 0) file number being written. */
  file: number;
  /** Bytes on this cartridge, label included. */
  bytesOnTape: number;
}

export interface WriteStreamHooks {
  /**
   * The cartridge is full. Return the position to continue at (the new cartridge
   * already loaded and positioned, labelled if at file 1), or null to stop the
   * stream with ENDOFTAPEREACHED.
   */
  onEndOfTape(full: WritePosition): Promise<WritePosition | null>;
  /** A new tape file was started on the same cartridge. */
  onNewFile?(pos: WritePosition): void;
}

export interface WriteStreamOptions {
  blockSize: number;
  maxBytesPerFile: number;
  /** Limit for the given cartridge, Infinity when unlimited. */
  maxBytesPerTape: (cartridge: number) => number;
  /** Write one all-zero block after the data at the end (afbackup's normal mode). */
  trailingZeroBlock: boolean;
}

/** A drive that accepts one block as pieces it may keep (they are never changed). */
interface ViewWriter {
  writeBlockViews(parts: readonly Buffer[], length: number): Promise<WriteResult>;
}

function viewWriter(drive: TapeDrive): ViewWriter | null {
  const d = drive as TapeDrive & Partial<ViewWriter>;
  return typeof d.writeBlockViews === 'function' && process.env.AF_WRITE_COPY !== '1' ? (d as ViewWriter) : null;
}

/** One block on its way to the drive: a buffer of its own, or pieces of the client's data. */
type Block = Buffer | Buffer[];

export class WriteStream {
  private block: Buffer;
  /** The other buffer of the pair (in flight, or free). */
  private spare: Buffer | null = null;
  /** The write of the previous block, still going on. */
  private inflight: Promise<void> | null = null;
  private fill = 0;
  private bytesInFile = 0;
  private newFileRequested = false;
  private pendingValid: number | null = null;
  /** Total data bytes accepted from the client. */
  bytesAccepted = 0;
  /** Cartridges this stream wrote on, in order. */
  readonly cartridges: number[] = [];
  /** Set when the drive takes pieces: the pieces of the block being filled (fill bytes). */
  private readonly views: ViewWriter | null;
  private parts: Buffer[] = [];
  /** All zeros, one block long, never written to: padding and the trailing block. */
  private zeros: Buffer | null = null;

  constructor(
    private readonly drive: TapeDrive,
    private pos: WritePosition,
    private readonly opts: WriteStreamOptions,
    private readonly hooks: WriteStreamHooks,
  ) {
    this.views = viewWriter(drive);
    this.block = this.views ? EMPTY : Buffer.allocUnsafe(opts.blockSize);
    this.cartridges.push(pos.cartridge);
  }

  get position(): Readonly<WritePosition> {
    return this.pos;
  }

  /** The next write should start a new tape file if the current one holds data (REQUESTNEWFILE). */
  requestNewFile(): void {
    this.newFileRequested = true;
  }

  /** The next write() carries only n valid bytes (SETNUMWRITEVALID). */
  setNextValid(n: number): void {
    this.pendingValid = n;
  }

  /** Set when the stream could not go on (no cartridge left, a device fault): later writes fail the same way. */
  private failure: Error | null = null;

  async write(data: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.writeData(data);
    } catch (e) {
      this.failure = e as Error;
      throw e;
    }
  }

  private async writeData(data: Buffer): Promise<void> {
    if (this.pendingValid !== null) {
      data = data.subarray(0, Math.min(this.pendingValid, data.length));
      this.pendingValid = null;
    }
    this.bytesAccepted += data.length;
    const bs = this.opts.blockSize;
    let off = 0;
    if (this.views) {
      while (off < data.length) {
        const n = Math.min(bs - this.fill, data.length - off);
        this.parts.push(n === data.length ? data : data.subarray(off, off + n));
        this.fill += n;
        off += n;
        if (this.fill === bs) {
          const full = this.parts;
          this.parts = [];
          this.fill = 0;
          await this.emit(full);
        }
      }
      return;
    }
    // Whole blocks straight from the client's buffer when nothing is pending.
    while (this.fill === 0 && data.length - off >= bs) {
      await this.emit(data.subarray(off, off + bs));
      off += bs;
    }
    while (off < data.length) {
      const n = Math.min(bs - this.fill, data.length - off);
      data.copy(this.block, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === bs) {
        // Double buffering: this block goes to the drive while the other one fills.
        // The drive is done with a block when writeBlock resolves (its contract), and
        // emit() waits for that before the next block starts, so two buffers suffice.
        const full = this.block;
        this.block = this.spare ?? Buffer.allocUnsafe(bs);
        this.spare = full;
        this.fill = 0;
        await this.emit(full);
      }
    }
  }

  /**
   * Ends the stream: pads the last block with zeros and writes the closing
   * filemark. In normal (not raw) mode one more all-zero block follows the data,
   * as afbackup 3.5.8 writes it (its tape files are always one block longer than
   * the data), which also keeps a tape file from being empty.
   */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.settle();
    const bs = this.opts.blockSize;
    if (this.fill > 0) {
      let last: Block;
      if (this.views) {
        last = this.parts;
        last.push(this.zeroBlock().subarray(0, bs - this.fill));
        this.parts = [];
      } else {
        this.block.fill(0, this.fill);
        last = this.block;
      }
      this.fill = 0;
      await this.emit(last);
    }
    await this.settle();
    if (this.opts.trailingZeroBlock || this.bytesInFile === 0) await this.emit(this.views ? [this.zeroBlock()] : Buffer.alloc(bs));
    await this.settle();
    await this.drive.writeFilemarks(1);
  }

  private zeroBlock(): Buffer {
    return (this.zeros ??= Buffer.alloc(this.opts.blockSize));
  }

  /** Waits for the block in flight (its end-of-tape handling included); rethrows its failure. */
  private async settle(): Promise<void> {
    const p = this.inflight;
    this.inflight = null;
    if (p) await p;
  }

  /** Starts writing a block once the previous one is on tape (one block in flight at a time). */
  private async emit(block: Block): Promise<void> {
    await this.settle();
    const len = blockLength(block);
    if (this.bytesInFile > 0 && (this.newFileRequested || this.bytesInFile + len > this.opts.maxBytesPerFile)) {
      await this.drive.writeFilemarks(1);
      this.pos = { ...this.pos, file: this.pos.file + 1 };
      this.bytesInFile = 0;
      this.hooks.onNewFile?.(this.pos);
    }
    this.newFileRequested = false;
    const placing = this.place(block);
    // Keep a rejection from counting as unhandled until settle() collects it.
    placing.catch(() => undefined);
    this.inflight = placing;
  }

  /** Writes one block, going on to the next cartridge when this one is full. */
  private async place(block: Block): Promise<void> {
    const len = blockLength(block);
    for (;;) {
      const limit = this.opts.maxBytesPerTape(this.pos.cartridge);
      let atEnd = this.pos.bytesOnTape + len > limit;
      if (!atEnd) {
        const r = Array.isArray(block) ? await this.views!.writeBlockViews(block, len) : await this.drive.writeBlock(block);
        if (r.kind === 'written') break;
        atEnd = true;
      }
      const next = await this.hooks.onEndOfTape(this.pos);
      if (!next) throw new AfError('ENDOFTAPEREACHED', `cartridge ${this.pos.cartridge} is full`);
      this.pos = next;
      this.bytesInFile = 0;
      this.cartridges.push(next.cartridge);
    }
    this.pos.bytesOnTape += len;
    this.bytesInFile += len;
  }
}

function blockLength(block: Block): number {
  if (!Array.isArray(block)) return block.length;
  let n = 0;
  for (const p of block) n += p.length;
  return n;
}

const EMPTY = Buffer.alloc(0);
