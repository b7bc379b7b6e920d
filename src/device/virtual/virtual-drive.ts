/**
 * A drive of the virtual tape library: plays the cartridge loaded into it with the
 * semantics of a real drive in the st driver (one write = one block, a filemark
 * reads as an event, end of data, early warning near capacity, end of tape, write
 * protection), keeping each tape file in `cart.<barcode>/data.<k>` and the block
 * sizes in `cart.<barcode>/index` (see library.ts for the layout).
 *
 * - open() takes `drive.<n>.lck` (flock) until close(): a second opener, in this
 *   process or another, gets DEVINUSE.
 * - The position is saved in the library's `drives` file at every positioning
 *   operation and at close, so the next server process finds the tape where it was.
 * - Writes gather in memory and reach the data file in multi-MiB writes; the index is
 *   rewritten after the data it describes (every 64 MiB, at filemarks, positioning
 *   and close), so on disk it never claims more than the data file holds. Blocks
 *   given as views (writeBlockViews) are not copied: they go to the file in batches
 *   of about a MiB, written by the thread pool while the next ones arrive; every
 *   other operation first waits for the batch in flight.
 * - Capacity counts block bytes (filemarks are free). A write that would pass the
 *   capacity returns eot and writes nothing; once the used bytes pass capacity minus
 *   early warning, writes report earlyWarning. A full host filesystem is end of tape too.
 * - In fixed-block mode (block size S > 0) a write must be a whole number of S-byte
 *   blocks and records that many blocks; a read returns as many whole blocks as fit
 *   in the buffer (stopping before a filemark), as st does. In variable mode (S = 0)
 *   every write is one block and every read returns one block.
 * - While the drive is open and empty (or its cartridge was ejected), each operation
 *   looks at `drives` again, so a changer in another process can load it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError } from '../../errors.js';
import type { DriveStatus, ReadResult, TapeDrive, WriteResult } from '../tape-drive.js';
import { FileLock } from '../directory/file-lock.js';
import { type Appended, FlatReader, FlatWriter, ReadSlot, closeQuietly, mediumError } from '../directory/flat-file.js';
import { replaceFile, syncDirectory } from '../directory/replace-file.js';
import { MAX_BLOCK_SIZE } from '../directory/directory-drive.js';
import { type DriveLine, formatIndex, parseIndex } from './library-files.js';
import type { VirtualLibrary } from './library.js';
import { TapeImage } from './tape-image.js';

const WRITTEN: WriteResult = Object.freeze({ kind: 'written', earlyWarning: false });
const WRITTEN_EW: WriteResult = Object.freeze({ kind: 'written', earlyWarning: true });
const EOT: WriteResult = Object.freeze({ kind: 'eot' });
const FILEMARK: ReadResult = Object.freeze({ kind: 'filemark' });
const EOD: ReadResult = Object.freeze({ kind: 'eod' });

/** Write batches of views on the event loop's thread instead of the thread pool (AF_WRITE_SYNC=1, for comparison). */
const WRITE_IN_LOOP = process.env.AF_WRITE_SYNC === '1';

/** The index is rewritten after this many bytes of new data. */
const INDEX_EVERY = 64 << 20;

/** The cartridge in the drive. */
interface Loaded {
  barcode: string;
  dir: string;
  image: TapeImage;
  writeProtected: boolean;
}

export class VirtualDrive implements TapeDrive {
  readonly name: string;
  readonly number: number;
  private readonly lib: VirtualLibrary;

  private lock: FileLock | undefined;
  private cart: Loaded | undefined;
  private blockSize = 0;

  // Position: file, block, and the byte offset of that block within the file.
  private file = 0;
  private block = 0;
  private byte = 0;
  // Read cursor within the runs of the current file: run index (in pairs) and blocks used of it.
  private ri = 0;
  private rb = 0;
  private cursorOk = false;

  private readonly writer: FlatWriter;
  private readonly reader = new FlatReader();
  private writing = false;
  private wfd = -1;
  private readonly rslot = new ReadSlot();
  private sinceIndex = 0;
  private unsynced = new Set<number>();

  constructor(lib: VirtualLibrary, n: number) {
    this.lib = lib;
    this.number = n;
    this.name = n === 1 ? lib.name : `${lib.name}=${n}`;
    this.writer = new FlatWriter(lib.dir);
  }

  async open(): Promise<void> {
    if (this.lock) throw new AfError('DEVINUSE', `${this.name} is already open`);
    let lock: FileLock | undefined;
    try {
      lock = FileLock.tryExclusive(this.lib.driveLockPath(this.number));
    } catch (e) {
      throw mediumError(e, `cannot lock ${this.name}`);
    }
    if (!lock) throw new AfError('DEVINUSE', `${this.name} is open in another process`);
    this.lock = lock;
    try {
      this.refresh();
    } catch (e) {
      this.lock = undefined;
      lock.release();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (!this.lock) return;
    try {
      if (this.writer.busy) await this.settleWrites();
      if (this.cart) {
        this.guard(
          'closing',
          () => {
            this.endWrite();
            this.syncIfAsked();
            this.savePosition();
          },
          true,
        );
      }
    } finally {
      this.closeRead();
      this.closeWrite();
      this.cart = undefined;
      this.unsynced.clear();
      this.lock.release();
      this.lock = undefined;
      this.writer.release();
      this.reader.release();
    }
  }

  async status(): Promise<DriveStatus> {
    if (this.writer.busy) await this.settleWrites();
    if (this.lock && !this.cart) this.refresh();
    if (this.lock) {
      const c = this.cart;
      const eod = c ? (this.writing ? true : isAt(c.image.eod(), this.file, this.block)) : false;
      return {
        loaded: c !== undefined,
        writeProtected: c?.writeProtected ?? false,
        file: this.file,
        block: this.block,
        bot: c !== undefined && this.file === 0 && this.block === 0,
        eod,
        blockSize: this.blockSize,
        medium: c?.barcode,
      };
    }
    // Not open: a look at what the library files say.
    const line = this.lib.readDriveLine(this.number);
    if (line.state !== 'loaded' || line.cartridge === null) {
      return { loaded: false, writeProtected: false, file: 0, block: 0, bot: false, eod: false, blockSize: line.blockSize };
    }
    const c = this.readCartridge(line.cartridge);
    const at = c.image.clamp(line.file, line.block);
    return {
      loaded: true,
      writeProtected: c.writeProtected,
      file: at.file,
      block: at.block,
      bot: at.file === 0 && at.block === 0,
      eod: isAt(c.image.eod(), at.file, at.block),
      blockSize: line.blockSize,
      medium: c.barcode,
    };
  }

  async setBlockSize(bytes: number): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    this.mustBeOpen();
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_BLOCK_SIZE) {
      throw new AfError('DEVICE_IO', `block size ${bytes} is not between 0 and ${MAX_BLOCK_SIZE}`);
    }
    this.blockSize = bytes;
    this.guard('setting the block size', () =>
      this.lib.updateDriveLine(this.number, (l) => (l.blockSize === bytes ? undefined : { ...l, blockSize: bytes })),
    );
  }

  async rewind(): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    this.position('rewinding', () => ({ file: 0, block: 0 }));
  }

  async seekFile(n: number): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    this.position(`positioning to file ${n}`, (img) => {
      const max = img.filemarks;
      if (!Number.isInteger(n) || n < 0 || n > max) {
        throw new AfError('SETFILE_FAILED', `${this.name}: the cartridge holds ${max} file${max === 1 ? '' : 's'}, cannot position to file ${n}`);
      }
      return { file: n, block: 0 };
    });
  }

  async seekEod(): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    this.position('positioning to end of data', (img) => img.eod());
  }

  async readBlock(buf: Buffer): Promise<ReadResult> {
    if (this.writer.busy) await this.settleWrites();
    const c = this.need();
    if (this.writing) return EOD; // a writer is always at the end of data
    const files = c.image.files;
    const f = this.file;
    if (f >= files.length) return EOD;
    const tf = files[f];
    if (this.block >= tf.blocks) {
      if (!tf.filemark) return EOD;
      this.file = f + 1;
      this.block = this.byte = 0;
      this.ri = this.rb = 0;
      this.cursorOk = true;
      return FILEMARK;
    }
    if (!this.cursorOk) this.seatCursor(tf.runs);
    const runs = tf.runs;
    let ri = this.ri;
    let rb = this.rb;
    const size = runs[2 * ri + 1];
    if (size > buf.length) {
      throw new AfError('BLOCK_TOO_SMALL', `${this.name}: the block has ${size} bytes, the buffer ${buf.length}`);
    }
    let total = size;
    let n = 1;
    rb++;
    if (rb === runs[2 * ri]) {
      ri++;
      rb = 0;
    }
    if (this.blockSize > 0) {
      // Fixed-block mode: as many whole blocks as fit.
      while (this.block + n < tf.blocks) {
        const next = runs[2 * ri + 1];
        if (total + next > buf.length) break;
        total += next;
        n++;
        rb++;
        if (rb === runs[2 * ri]) {
          ri++;
          rb = 0;
        }
      }
    }
    const got = this.guard('reading', () => this.reader.read(this.readFd(c, f), buf, total, this.byte));
    if (got < total) {
      throw new AfError('DEVICE_IO', `${this.name}: "${c.dir}/data.${f}" is shorter than its index says`);
    }
    this.ri = ri;
    this.rb = rb;
    this.block += n;
    this.byte += total;
    return { kind: 'data', bytes: total };
  }

  async writeBlock(data: Buffer): Promise<WriteResult> {
    if (this.writer.busy) await this.settleWrites();
    return this.put(data.length, () => this.writer.appendAsync(data));
  }

  /**
   * writeBlock() for a block given as pieces (`length` bytes in all) that the caller
   * will never change: the drive may keep them until its next flush (filemark,
   * positioning, close, or about a MiB later) and writes many blocks with one pwritev()
   * and no copy. The write stream uses it for views of the receive buffers.
   */
  async writeBlockViews(parts: readonly Buffer[], length: number): Promise<WriteResult> {
    if (WRITE_IN_LOOP) return this.put(length, () => this.writer.appendShared(parts, length));
    return this.put(length, () => this.writer.appendSharedAsync(parts, length));
  }

  /**
   * Collects the batch of views being written in the background, if any: every other
   * operation starts with this, so the data file is complete before anything else
   * looks at it or closes it. A failed batch is this drive's write error.
   */
  private async settleWrites(): Promise<void> {
    try {
      await this.writer.drain();
    } catch (e) {
      const c = this.cart;
      if (c) this.abandonWrite(c);
      throw mediumError(e, `${this.name}: writing "${c?.dir}/data.${this.file}"`, true);
    }
  }

  private async put(len: number, append: () => Appended | Promise<Appended>): Promise<WriteResult> {
    const c = this.need();
    if (c.writeProtected) throw new AfError('WRITE_PROTECTED', `${this.name}: cartridge ${c.barcode} is write-protected`);
    const bs = this.blockSize;
    if (len === 0) throw new AfError('DEVICE_IO', `${this.name}: cannot write an empty block`);
    if (bs > 0 && len % bs !== 0) {
      throw new AfError('DEVICE_IO', `${this.name}: a write of ${len} bytes is not a whole number of ${bs}-byte blocks`);
    }
    const img = c.image;
    const cfg = this.lib.config;
    if (!this.writing) this.guard('starting to write', () => this.beginWrite(c), true);
    if (img.used + len > cfg.capacity) return EOT;
    let r;
    try {
      r = await append();
    } catch (e) {
      this.abandonWrite(c);
      throw mediumError(e, `${this.name}: writing "${c.dir}/data.${this.file}"`, true);
    }
    if (r === 'disk-full') return EOT;
    if (bs > 0) img.addBlocks(this.file, bs, len / bs);
    else img.addBlocks(this.file, len, 1);
    this.block += bs > 0 ? len / bs : 1;
    this.byte += len;
    this.sinceIndex += len;
    if (this.sinceIndex >= INDEX_EVERY) {
      if (this.writer.busy) await this.settleWrites();
      this.guard('writing', () => this.checkpoint(c), true);
    }
    return img.used > cfg.capacity - cfg.earlyWarning || r === 'low-space' ? WRITTEN_EW : WRITTEN;
  }

  async writeFilemarks(n = 1): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    const c = this.need();
    if (!Number.isInteger(n) || n < 0) throw new AfError('DEVICE_IO', `${this.name}: cannot write ${n} filemarks`);
    if (c.writeProtected) throw new AfError('WRITE_PROTECTED', `${this.name}: cartridge ${c.barcode} is write-protected`);
    this.guard(
      'writing a filemark',
      () => {
        if (n === 0) {
          this.endWrite();
          return;
        }
        // A writer is at the end of data already; anywhere else the tape is cut here.
        if (this.writing) this.endWrite();
        else this.cutHere(c, false);
        const img = c.image;
        const f = this.file;
        img.endFile(f);
        this.touch(c, f);
        for (let i = 1; i < n; i++) {
          img.endFile(f + i);
          this.touch(c, f + i);
        }
        this.file = f + n;
        this.block = this.byte = 0;
        this.ri = this.rb = 0;
        this.cursorOk = true;
        this.writeIndex(c);
        this.savePosition();
      },
      true,
    );
  }

  async erase(): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    const c = this.need();
    if (c.writeProtected) throw new AfError('WRITE_PROTECTED', `${this.name}: cartridge ${c.barcode} is write-protected`);
    this.guard(
      'erasing',
      () => {
        this.endWrite();
        this.cutHere(c, false);
        this.cursorOk = false;
        this.writeIndex(c);
        this.savePosition();
      },
      true,
    );
  }

  async eject(): Promise<void> {
    if (this.writer.busy) await this.settleWrites();
    this.mustBeOpen();
    if (!this.cart) this.refresh();
    const c = this.cart;
    if (!c) return;
    this.guard('ejecting', () => {
      this.endWrite();
      this.syncIfAsked();
      this.closeRead();
      this.cart = undefined;
      this.file = this.block = this.byte = 0;
      this.cursorOk = false;
      this.lib.updateDriveLine(
        this.number,
        (l) => (l.cartridge === c.barcode ? { ...l, state: 'ejected', file: 0, block: 0 } : undefined),
        true,
      );
    });
  }

  /** Whether this object has the drive open. */
  isOpen(): boolean {
    return this.lock !== undefined;
  }

  // --- internals ---

  private mustBeOpen(): void {
    if (!this.lock) throw new AfError('DEVICE_IO', `${this.name} is not open`);
  }

  /** The loaded cartridge, looking at the library state again if there is none. */
  private need(): Loaded {
    this.mustBeOpen();
    if (this.cart) return this.cart;
    this.refresh();
    if (!this.cart) throw new AfError('NO_MEDIUM', `${this.name} has no cartridge loaded`);
    return this.cart;
  }

  /** Takes drive state (cartridge, position, block size) from the library's drives file. */
  private refresh(): void {
    const line: DriveLine = this.lib.readDriveLine(this.number);
    this.blockSize = line.blockSize;
    this.cart = undefined;
    this.file = this.block = this.byte = 0;
    this.cursorOk = false;
    if (line.state !== 'loaded' || line.cartridge === null) return;
    const c = this.readCartridge(line.cartridge);
    const at = c.image.clamp(line.file, line.block);
    this.cart = c;
    this.file = at.file;
    this.block = at.block;
    this.byte = c.image.offsetOf(at.file, at.block);
  }

  /** Reads a cartridge's index (checking the last data file against it) and write-protect marker. */
  private readCartridge(barcode: string): Loaded {
    const dir = this.lib.cartridgeDir(barcode);
    let text = '';
    try {
      if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
      text = fs.readFileSync(path.join(dir, 'index'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync(dir)) {
        throw new AfError('DEVICE_IO', `${this.name}: cartridge ${barcode} cannot be read at "${dir}": ${(e as Error).message}`);
      }
      // A cartridge directory without index is a blank tape.
    }
    const image = new TapeImage(parseIndex(text, path.join(dir, 'index')));
    const last = image.files.length - 1;
    if (last >= 0) {
      let size = 0;
      try {
        size = fs.statSync(path.join(dir, `data.${last}`)).size;
      } catch {
        size = 0;
      }
      image.shortenTo(last, size);
    }
    return { barcode, dir, image, writeProtected: fs.existsSync(path.join(dir, 'write-protect')) };
  }

  private position(doing: string, target: (img: TapeImage) => { file: number; block: number }): void {
    const c = this.need();
    this.guard(doing, () => {
      this.endWrite();
      const to = target(c.image);
      this.file = to.file;
      this.block = to.block;
      this.byte = c.image.offsetOf(to.file, to.block);
      this.cursorOk = false;
      this.savePosition();
    });
  }

  /** Sets the read cursor to this.block within runs. */
  private seatCursor(runs: number[]): void {
    let left = this.block;
    let i = 0;
    while (i < runs.length && left >= runs[i]) {
      left -= runs[i];
      i += 2;
    }
    this.ri = i / 2;
    this.rb = left;
    this.cursorOk = true;
  }

  private readFd(c: Loaded, f: number): number {
    if (this.rslot.file !== f) {
      this.closeRead();
      this.rslot.open(f, path.join(c.dir, `data.${f}`));
    }
    return this.rslot.fd;
  }

  private closeRead(): void {
    if (this.rslot.close()) this.reader.forget();
  }

  private closeWrite(): void {
    if (this.wfd === -1) return;
    const fd = this.wfd;
    this.wfd = -1;
    this.writing = false;
    closeQuietly(fd);
  }

  /** Creates data.<k> if missing (an empty tape file still has its data file). */
  private touch(c: Loaded, k: number): void {
    fs.closeSync(fs.openSync(path.join(c.dir, `data.${k}`), 'a', 0o600));
  }

  /**
   * Discards everything from the current position on: in the index first (so it never
   * claims what is gone), then in the data files. With `open`, returns a descriptor
   * on the current data file, cut to the position, for appending.
   */
  private cutHere(c: Loaded, open: boolean): number {
    this.closeRead();
    const f = this.file;
    const before = c.image.cut(f, this.block);
    if (before > f) this.writeIndex(c);
    let fd = -1;
    const p = path.join(c.dir, `data.${f}`);
    if (open || this.block > 0) {
      // A file started from its beginning is made anew rather than truncated to 0:
      // ext4 flushes a file truncated to zero when it is closed (its protection for
      // rewrite-in-place), which would make every close wait for the disk.
      if (this.byte === 0) unlinkIfThere(p);
      fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
      try {
        if (this.byte > 0 && fs.fstatSync(fd).size !== this.byte) fs.ftruncateSync(fd, this.byte);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      this.unsynced.add(f);
    } else {
      unlinkIfThere(p);
    }
    // Later files: those the index had, then any left over from an interrupted cut.
    for (let k = before - 1; k > f; k--) unlinkIfThere(path.join(c.dir, `data.${k}`));
    for (let k = Math.max(before, f + 1); unlinkIfThere(path.join(c.dir, `data.${k}`)); k++);
    for (const k of this.unsynced) if (k > f) this.unsynced.delete(k);
    if (!open && fd !== -1) {
      fs.closeSync(fd);
      fd = -1;
    }
    return fd;
  }

  private beginWrite(c: Loaded): void {
    this.wfd = this.cutHere(c, true);
    this.writer.attach(this.wfd, this.byte);
    this.writing = true;
    this.cursorOk = false;
    this.sinceIndex = 0;
  }

  /** Data out, then the index that describes it. */
  private checkpoint(c: Loaded): void {
    this.writer.flush();
    this.writeIndex(c);
    this.sinceIndex = 0;
  }

  private endWrite(): void {
    if (!this.writing) return;
    const c = this.cart!;
    try {
      this.writer.detach();
    } finally {
      this.closeWrite();
    }
    this.writeIndex(c);
    this.sinceIndex = 0;
  }

  /** After a failed write: the index follows what reached the data file. */
  private abandonWrite(c: Loaded): void {
    try {
      this.writer.detach();
    } catch {
      /* what did not reach the file is lost */
    }
    try {
      const size = fs.fstatSync(this.wfd).size;
      c.image.shortenTo(this.file, size);
      const at = c.image.eod();
      this.file = at.file;
      this.block = at.block;
      this.byte = c.image.offsetOf(at.file, at.block);
      this.writeIndex(c);
    } catch {
      /* the index on disk is still a prefix of the data */
    }
    this.closeWrite();
    this.cursorOk = false;
  }

  private writeIndex(c: Loaded, durable = false): void {
    replaceFile(path.join(c.dir, 'index'), formatIndex(c.barcode, c.image.files), durable);
  }

  private syncIfAsked(): void {
    const c = this.cart;
    if (!c || !this.lib.config.syncOnClose || this.unsynced.size === 0) return;
    for (const k of this.unsynced) {
      let fd = -1;
      try {
        fd = fs.openSync(path.join(c.dir, `data.${k}`), 'r');
        fs.fsyncSync(fd);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      } finally {
        if (fd !== -1) fs.closeSync(fd);
      }
    }
    this.unsynced.clear();
    this.writeIndex(c, true);
    syncDirectory(c.dir);
  }

  private savePosition(): void {
    const c = this.cart;
    if (!c) return;
    const { file, block, blockSize } = this;
    this.lib.updateDriveLine(this.number, (l) => {
      if (l.cartridge !== c.barcode) return undefined;
      if (l.file === file && l.block === block && l.blockSize === blockSize) return undefined;
      return { ...l, file, block, blockSize };
    });
  }

  /** Runs a file-system step, turning its failures into AfErrors (writing: a refusal is write protection). */
  private guard<T>(doing: string, fn: () => T, writing = false): T {
    try {
      return fn();
    } catch (e) {
      throw mediumError(e, `${doing} on ${this.name}`, writing);
    }
  }
}

function isAt(p: { file: number; block: number }, file: number, block: number): boolean {
  return p.file === file && p.block === block;
}

/** Deletes a file; false when it was not there. */
function unlinkIfThere(p: string): boolean {
  try {
    fs.unlinkSync(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
