/**
 * afbackup's "directory as backup device" (spec §5.1) as a TapeDrive: the device path
 * names a directory (usually a symlink that a Set-Cart-Command points at the wanted
 * cartridge's directory), and physical tape file k is the flat file `<dir>/data.<k>`.
 *
 * Tape semantics on flat files:
 * - The end of an existing data.<k> reads as a filemark; the first missing data.<k>
 *   is end of data. There are no block boundaries in a flat file: in fixed-block
 *   mode (block size S > 0) a read returns as many whole S-byte blocks as fit in the
 *   buffer (at least one, else BLOCK_TOO_SMALL; the file's last block may be short),
 *   in variable mode (S = 0) it returns as much of the file as fits in the buffer.
 * - Every existing data.<k> counts as ended by a filemark, so the end of data is
 *   always the start of the first missing file: after blocks written without a
 *   filemark, seekEod starts a new file (a tape would continue the open one).
 * - Writing at file k, offset o truncates data.<k> at o and deletes every data.<j>
 *   with j > k, as writing in the middle of a tape discards what followed.
 * - No capacity: the drive reports early warning when the filesystem is nearly full
 *   and end of tape (the block not written) when it is full (ENOSPC).
 * - A directory without any write permission bit (chmod a-w) is a write-protected
 *   cartridge, and so is one the process may not write to.
 *
 * open() only takes the lock; the symlink is resolved at the first operation that
 * needs the medium (and again after eject()), so a Set-Cart-Command that swapped it
 * between two sessions is always followed. A dangling or missing symlink is "no
 * cartridge" (NO_MEDIUM).
 *
 * Nothing is left in the directory but data.<k>: the drive's lock and its saved
 * position live beside it in `<device>.lck` (a few `key value` lines: medium,
 * file, offset, block, block-size). That lock makes a second opener get DEVINUSE;
 * the afserver device lock serialises servers anyway, so where `<device>.lck`
 * cannot be created (a read-only parent directory) the drive works without lock
 * and without a saved position (every session then starts at file 0).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError } from '../../errors.js';
import type { DriveStatus, ReadResult, TapeDrive, WriteResult } from '../tape-drive.js';
import { FileLock } from './file-lock.js';
import { FlatReader, FlatWriter, ReadSlot, closeQuietly, mediumError, u8 } from './flat-file.js';

export interface DirectoryDriveOptions {
  /** Block size until setBlockSize (or a saved one) says otherwise; 0 = variable (default). */
  blockSize?: number;
  /** fsync what was written when the drive is closed or ejected (default true). */
  syncOnClose?: boolean;
}

/** The largest block size accepted (LTO drives take up to 8 MiB). */
export const MAX_BLOCK_SIZE = 64 << 20;

const WRITTEN: WriteResult = Object.freeze({ kind: 'written', earlyWarning: false });
const WRITTEN_LOW: WriteResult = Object.freeze({ kind: 'written', earlyWarning: true });
const EOT: WriteResult = Object.freeze({ kind: 'eot' });
const FILEMARK: ReadResult = Object.freeze({ kind: 'filemark' });
const EOD: ReadResult = Object.freeze({ kind: 'eod' });

const DATA_NAME = /^data\.(0|[1-9][0-9]*)$/;

/** The directory the device path resolves to, as far as this drive has looked at it. */
interface Medium {
  dir: string;
  /** data.0 … data.<count-1> exist. */
  count: number;
  /** The highest k of any data.<k> (strays after a gap included), -1 if none. */
  highest: number;
  writeProtected: boolean;
}

/** What `<device>.lck` remembers between sessions. */
interface Saved {
  medium: string;
  file: number;
  offset: number;
  block: number;
  blockSize: number;
}

export class DirectoryDrive implements TapeDrive {
  readonly name: string;
  private readonly device: string;
  private readonly lockPath: string;
  private readonly syncOnClose: boolean;

  private opened = false;
  private lock: FileLock | undefined;
  private medium: Medium | undefined;
  private saved: Saved | undefined;
  private blockSize: number;

  private file = 0;
  private offset = 0;
  private block = 0;

  private readonly writer: FlatWriter;
  private readonly reader = new FlatReader();
  private writing = false;
  private wfd = -1;
  private readonly rslot = new ReadSlot();
  /** Files written since the last fsync. */
  private unsynced = new Set<number>();

  constructor(device: string, opts: DirectoryDriveOptions = {}) {
    this.name = device;
    this.device = path.resolve(device);
    this.lockPath = `${this.device}.lck`;
    this.blockSize = checkBlockSize(opts.blockSize ?? 0);
    this.syncOnClose = opts.syncOnClose ?? true;
    this.writer = new FlatWriter(path.dirname(this.device));
  }

  async open(): Promise<void> {
    if (this.opened) throw new AfError('DEVINUSE', `"${this.name}" is already open`);
    const parent = path.dirname(this.device);
    if (!isDirectory(parent)) throw new AfError('DEVICE_MISSING', `"${this.name}": directory "${parent}" does not exist`);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.device);
    } catch {
      st = undefined; // no cartridge at the moment
    }
    if (st && !st.isDirectory() && !st.isSymbolicLink()) {
      throw new AfError('DEVICE_MISSING', `"${this.name}" is not a directory`);
    }
    let lock: FileLock | undefined;
    let lockless = false;
    try {
      lock = FileLock.tryExclusive(this.lockPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw mediumError(e, `cannot lock "${this.lockPath}"`);
      lockless = true; // a read-only parent: work without lock and saved position
    }
    if (!lock && !lockless) throw new AfError('DEVINUSE', `"${this.name}" is open in another process`);
    this.lock = lock;
    this.saved = lock ? readSaved(this.lockPath) : undefined;
    if (this.saved) this.blockSize = this.saved.blockSize;
    this.medium = undefined;
    this.file = this.offset = this.block = 0;
    this.opened = true;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    try {
      this.endWrite();
      if (this.syncOnClose) this.syncWritten();
      if (this.medium) this.persist();
    } catch (e) {
      throw mediumError(e, `closing "${this.name}"`, true);
    } finally {
      this.closeRead();
      this.closeWrite();
      this.lock?.release();
      this.lock = undefined;
      this.medium = undefined;
      this.unsynced.clear();
      this.opened = false;
      this.writer.release();
      this.reader.release();
    }
  }

  async status(): Promise<DriveStatus> {
    let m = this.medium;
    let file = this.file;
    let offset = this.offset;
    let block = this.block;
    let blockSize = this.blockSize;
    if (!m) {
      // Only a look: the position becomes the drive's at the first operation that needs it.
      m = this.resolve();
      const saved = this.opened ? this.saved : readSaved(this.lockPath);
      if (!this.opened && saved) blockSize = saved.blockSize;
      if (m && saved && saved.medium === m.dir) ({ file, offset, block } = saved);
      else file = offset = block = 0;
      if (m && file > m.count) file = m.count;
    }
    return {
      loaded: m !== undefined,
      writeProtected: m?.writeProtected ?? false,
      file,
      block,
      bot: file === 0 && offset === 0,
      eod: m !== undefined && (this.writing || file >= m.count),
      blockSize,
      medium: m?.dir,
    };
  }

  async setBlockSize(bytes: number): Promise<void> {
    this.mustBeOpen();
    this.blockSize = checkBlockSize(bytes);
    this.guard('setting the block size', () => this.persist());
  }

  async rewind(): Promise<void> {
    this.moveTo('rewinding', () => 0);
  }

  async seekFile(n: number): Promise<void> {
    this.moveTo(`positioning to file ${n}`, (m) => {
      if (!Number.isInteger(n) || n < 0 || n > m.count) {
        throw new AfError('SETFILE_FAILED', `"${this.name}" holds ${m.count} file${m.count === 1 ? '' : 's'}, cannot position to file ${n}`);
      }
      return n;
    });
  }

  async seekEod(): Promise<void> {
    this.moveTo('positioning to end of data', (m) => m.count);
  }

  async readBlock(buf: Buffer): Promise<ReadResult> {
    const m = this.need();
    return this.guard('reading', () => {
      if (this.writing) this.endWrite();
      if (this.file >= m.count) return EOD;
      const size = this.openRead(this.file, m);
      const left = size - this.offset;
      if (left <= 0) {
        this.file++;
        this.offset = this.block = 0;
        return FILEMARK;
      }
      const bs = this.blockSize;
      let len: number;
      if (bs > 0) {
        const first = Math.min(bs, left);
        if (first > buf.length) throw tooSmall(first, buf.length);
        len = Math.max(first, Math.min(buf.length - (buf.length % bs), left));
      } else {
        len = Math.min(buf.length, left);
      }
      const got = this.reader.read(this.rslot.fd, buf, len, this.offset);
      if (got < len) throw new AfError('DEVICE_IO', `"${m.dir}/data.${this.file}" became shorter while being read`);
      this.offset += len;
      this.block += bs > 0 ? Math.ceil(len / bs) : 1;
      return { kind: 'data', bytes: len };
    });
  }

  async writeBlock(data: Buffer): Promise<WriteResult> {
    const m = this.need();
    if (m.writeProtected) throw new AfError('WRITE_PROTECTED', `"${m.dir}" is write-protected`);
    const len = data.length;
    const bs = this.blockSize;
    if (len === 0) throw new AfError('DEVICE_IO', 'cannot write an empty block');
    if (bs > 0 && len % bs !== 0) {
      throw new AfError('DEVICE_IO', `a write of ${len} bytes is not a whole number of ${bs}-byte blocks`);
    }
    if (!this.writing) this.guard('starting to write', () => this.beginWrite(m), true);
    let r;
    try {
      r = this.writer.append(data);
    } catch (e) {
      this.abandonWrite();
      throw mediumError(e, `writing "${m.dir}/data.${this.file}"`, true);
    }
    if (r === 'disk-full') return EOT;
    this.offset += len;
    this.block += bs > 0 ? len / bs : 1;
    return r === 'low-space' ? WRITTEN_LOW : WRITTEN;
  }

  async writeFilemarks(n = 1): Promise<void> {
    const m = this.need();
    if (!Number.isInteger(n) || n < 0) throw new AfError('DEVICE_IO', `cannot write ${n} filemarks`);
    if (m.writeProtected) throw new AfError('WRITE_PROTECTED', `"${m.dir}" is write-protected`);
    this.guard(
      'writing a filemark',
      () => {
        if (this.writing) {
          this.endWrite();
        } else if (n > 0) {
          const fd = this.cut(m, this.file, this.offset, true);
          fs.closeSync(fd);
        }
        if (n === 0) return;
        for (let i = 1; i < n; i++) {
          fs.closeSync(fs.openSync(this.dataPath(m, this.file + i), 'w', 0o600));
          this.unsynced.add(this.file + i);
        }
        this.file += n;
        this.offset = this.block = 0;
        m.count = this.file;
        m.highest = this.file - 1;
        this.persist();
      },
      true,
    );
  }

  async erase(): Promise<void> {
    const m = this.need();
    if (m.writeProtected) throw new AfError('WRITE_PROTECTED', `"${m.dir}" is write-protected`);
    this.guard(
      'erasing',
      () => {
        this.endWrite();
        // Inside a file: cut it there; at the start of a file: it goes, with all after it.
        if (this.offset > 0) fs.closeSync(this.cut(m, this.file, this.offset, true));
        else this.removeFrom(m, this.file);
        this.persist();
      },
      true,
    );
  }

  async eject(): Promise<void> {
    this.mustBeOpen();
    if (!this.medium) return;
    this.guard('ejecting', () => {
      this.endWrite();
      if (this.syncOnClose) this.syncWritten();
      this.closeRead();
      this.file = this.offset = this.block = 0;
      this.persist();
      this.medium = undefined;
    });
  }

  // --- internals ---

  private mustBeOpen(): void {
    if (!this.opened) throw new AfError('DEVICE_IO', `"${this.name}" is not open`);
  }

  /** The medium, resolving the device path when there is none yet. */
  private need(): Medium {
    this.mustBeOpen();
    if (this.medium) return this.medium;
    const m = this.guard('looking at the directory', () => this.resolve());
    if (!m) throw new AfError('NO_MEDIUM', `"${this.name}" does not lead to a directory`);
    this.medium = m;
    const s = this.saved;
    if (s && s.medium === m.dir) {
      this.file = s.file;
      this.offset = s.offset;
      this.block = s.block;
      this.clamp(m);
    } else {
      this.file = this.offset = this.block = 0;
    }
    return m;
  }

  /** Looks at what the device path leads to now. */
  private resolve(): Medium | undefined {
    let dir: string;
    let st: fs.Stats;
    try {
      dir = fs.realpathSync(this.device);
      st = fs.statSync(dir);
    } catch {
      return undefined;
    }
    if (!st.isDirectory()) return undefined;
    const present = new Set<number>();
    let highest = -1;
    for (const name of fs.readdirSync(dir)) {
      const mm = DATA_NAME.exec(name);
      if (!mm) continue;
      const k = Number(mm[1]);
      present.add(k);
      if (k > highest) highest = k;
    }
    let count = 0;
    while (present.has(count)) count++;
    let writeProtected = (st.mode & 0o222) === 0;
    if (!writeProtected) {
      try {
        fs.accessSync(dir, fs.constants.W_OK);
      } catch {
        writeProtected = true;
      }
    }
    return { dir, count, highest, writeProtected };
  }

  /** Keeps a restored position inside what the directory holds. */
  private clamp(m: Medium): void {
    if (this.file >= m.count) {
      if (this.file > m.count || this.offset > 0) this.block = 0;
      this.file = m.count;
      this.offset = 0;
      return;
    }
    const size = fileSize(this.dataPath(m, this.file));
    if (this.offset > size) {
      this.offset = size;
      this.block = this.blockSize > 0 ? Math.ceil(size / this.blockSize) : this.block;
    }
  }

  private moveTo(doing: string, target: (m: Medium) => number): void {
    const m = this.need();
    this.guard(doing, () => {
      this.endWrite();
      const n = target(m);
      this.file = n;
      this.offset = this.block = 0;
      this.persist();
    });
  }

  private dataPath(m: Medium, k: number): string {
    return path.join(m.dir, `data.${k}`);
  }

  /** Size of data.<k>, keeping a read descriptor on it. */
  private openRead(k: number, m: Medium): number {
    if (this.rslot.file !== k) {
      this.closeRead();
      this.rslot.open(k, this.dataPath(m, k));
    }
    return this.rslot.size;
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

  /**
   * Makes (file k, offset o) the end of the recorded data: data.<k> cut at o (created
   * when missing), every later data.<j> deleted. Returns a descriptor on data.<k>.
   */
  private cut(m: Medium, k: number, o: number, keep: boolean): number {
    this.closeRead();
    let fd: number;
    if (k < m.count) {
      fd = fs.openSync(this.dataPath(m, k), 'r+');
      try {
        if (fs.fstatSync(fd).size !== o) fs.ftruncateSync(fd, o);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
    } else {
      fd = fs.openSync(this.dataPath(m, k), 'w', 0o600);
    }
    if (keep) this.unsynced.add(k);
    this.removeFrom(m, k + 1);
    m.count = k + 1;
    m.highest = k;
    return fd;
  }

  /** Deletes data.<j> for every j ≥ from. */
  private removeFrom(m: Medium, from: number): void {
    this.closeRead();
    for (let j = m.highest; j >= from; j--) {
      try {
        fs.unlinkSync(this.dataPath(m, j));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      this.unsynced.delete(j);
    }
    if (m.highest >= from) m.highest = from - 1;
    if (m.count > from) m.count = from;
  }

  private beginWrite(m: Medium): void {
    this.wfd = this.cut(m, this.file, this.offset, true);
    this.writer.attach(this.wfd, this.offset);
    this.writing = true;
  }

  /** Writes out what is gathered and closes the data file being written. */
  private endWrite(): void {
    if (!this.writing) return;
    try {
      this.writer.detach();
    } finally {
      this.closeWrite();
    }
  }

  /** After a failed write: the position becomes the real end of the file. */
  private abandonWrite(): void {
    try {
      this.writer.detach();
    } catch {
      /* the file keeps a prefix of the blocks */
    }
    try {
      const size = fs.fstatSync(this.wfd).size;
      this.offset = size;
      if (this.blockSize > 0) this.block = Math.floor(size / this.blockSize);
    } catch {
      /* keep the position */
    }
    this.closeWrite();
  }

  private syncWritten(): void {
    const m = this.medium;
    if (!m || this.unsynced.size === 0) return;
    for (const k of this.unsynced) {
      if (k >= m.count) continue;
      const fd = fs.openSync(this.dataPath(m, k), 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    this.unsynced.clear();
    const fd = fs.openSync(m.dir, 'r');
    try {
      fs.fsyncSync(fd);
    } catch {
      /* not every filesystem syncs directories */
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Saves block size and position into the lock file (written in place: it is locked). */
  private persist(): void {
    const lock = this.lock;
    if (!lock) return;
    const s: Saved = {
      medium: this.medium?.dir ?? this.saved?.medium ?? '-',
      file: this.file,
      offset: this.offset,
      block: this.block,
      blockSize: this.blockSize,
    };
    this.saved = s;
    const text =
      '# afbackup-ng directory drive: lock file and saved position, one "key value" a line\n' +
      `medium ${s.medium}\nfile ${s.file}\noffset ${s.offset}\nblock ${s.block}\nblock-size ${s.blockSize}\n`;
    const bytes = Buffer.from(text);
    fs.ftruncateSync(lock.fd, 0);
    fs.writeSync(lock.fd, u8(bytes), 0, bytes.length, 0);
  }

  /** Runs a file-system step, turning its failures into AfErrors (writing: a refusal is write protection). */
  private guard<T>(doing: string, fn: () => T, writing = false): T {
    try {
      return fn();
    } catch (e) {
      throw mediumError(e, `${doing} on "${this.name}"`, writing);
    }
  }
}

function checkBlockSize(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_BLOCK_SIZE) {
    throw new AfError('DEVICE_IO', `block size ${n} is not between 0 and ${MAX_BLOCK_SIZE}`);
  }
  return n;
}

function tooSmall(block: number, buffer: number): AfError {
  return new AfError('BLOCK_TOO_SMALL', `the block has ${block} bytes, the buffer ${buffer}`);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/** Reads `<device>.lck`; anything unreadable or incomplete counts as nothing saved. */
function readSaved(lockPath: string): Saved | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const sp = t.indexOf(' ');
    if (sp > 0) kv.set(t.slice(0, sp), t.slice(sp + 1).trim());
  }
  const num = (k: string): number | undefined => {
    const v = kv.get(k);
    if (v === undefined || !/^[0-9]+$/.test(v)) return undefined;
    return Number(v);
  };
  const medium = kv.get('medium'); // "-": none yet
  const file = num('file');
  const offset = num('offset');
  const block = num('block');
  const blockSize = num('block-size');
  if (medium === undefined || file === undefined || offset === undefined || block === undefined || blockSize === undefined) return undefined;
  if (blockSize > MAX_BLOCK_SIZE) return undefined;
  return { medium, file, offset, block, blockSize };
}
