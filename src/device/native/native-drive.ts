/**
 * NativeDrive: the TapeDrive contract over a Linux st node (/dev/nstN) through the addon.
 * The addon only issues calls; this file decides what an errno or a status bit means:
 *
 *   EBUSY → DEVINUSE; ENOENT/ENXIO/ENODEV → DEVICE_MISSING; ENOMEDIUM (or a failure while
 *   the drive reports no tape) → NO_MEDIUM; EACCES/EROFS, or EBADF on a read-only open,
 *   when writing → WRITE_PROTECTED; ENOMEM on read → BLOCK_TOO_SMALL; ENOSPC on write →
 *   eot; anything else → DEVICE_IO naming the call and the errno.
 *
 * How st behaviour is turned into the contract:
 * - a 0-byte read is a filemark when MTIOCGET then shows GMT_EOF, else end of data; the EIO
 *   that st returns for reads past end of data is end of data again (GMT_EOD).
 * - st skips a block that did not fit the buffer; we space back over it (MTBSR 1) so
 *   the position does not move, as the contract wants.
 * - in the early-warning zone st fails every other write with ENOSPC, to tell the writer;
 *   the write is retried once, and only a second ENOSPC is end of tape. earlyWarning is
 *   GMT_EOT after the write.
 * - st writes a filemark at close (and before a rewind) after a write: the contract's
 *   "no implicit filemark at close" cannot hold on a tape; readers then see the file
 *   end with a filemark, which the contract accepts.
 */
import { AfError } from '../../errors.js';
import { type ErrnoResult, errnoName, isErrno, type MtGet, type MtOpName, native } from '../../native.js';
import type { DriveStatus, ReadResult, TapeDrive, WriteResult } from '../tape-drive.js';
import os from 'node:os';

const E = os.constants.errno;
/** ENOMEDIUM is not in Node's errno table; Linux numbers it 123. */
const ENOMEDIUM = 123;

export class NativeDrive implements TapeDrive {
  readonly name: string;
  private fd: number | undefined;
  /** Opened O_RDONLY because the cartridge is write-protected. */
  private readOnly = false;
  /** Fixed block size as last set or seen (0 = variable). */
  private blockSize = 0;

  constructor(devicePath: string) {
    this.name = devicePath;
  }

  async open(): Promise<void> {
    if (this.fd !== undefined) throw new AfError('DEVINUSE', `"${this.name}" is already open in this process`);
    const a = native();
    let r = a.open(this.name, 'rw', false);
    this.readOnly = false;
    if (isErrno(r) && r.errno === E.EROFS) {
      r = a.open(this.name, 'r', false);
      this.readOnly = true;
    }
    if (isErrno(r) && (r.errno === ENOMEDIUM || r.errno === E.EIO)) {
      // No cartridge (or not ready): open anyway, the tape operations report NO_MEDIUM.
      r = a.open(this.name, 'rw', true);
      this.readOnly = false;
    }
    if (isErrno(r)) throw this.openError(r);
    this.fd = r;
    const g = a.mtget(r);
    if (!isErrno(g)) this.blockSize = g.blockSize;
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    const r = native().close(fd);
    if (isErrno(r)) throw this.fault(r);
  }

  async status(): Promise<DriveStatus> {
    if (this.fd === undefined) {
      // Asking the drive would claim it; report what this process knows.
      return { loaded: false, writeProtected: false, file: -1, block: -1, bot: false, eod: false, blockSize: this.blockSize };
    }
    const g = this.mtget();
    const has = (f: MtGet['flags'][number]): boolean => g.flags.includes(f);
    const loaded = has('ONLINE') && !has('DR_OPEN');
    this.blockSize = g.blockSize;
    return {
      loaded,
      writeProtected: has('WR_PROT'),
      file: g.fileno,
      block: g.blkno,
      bot: has('BOT'),
      eod: has('EOD'),
      blockSize: g.blockSize,
    };
  }

  async setBlockSize(bytes: number): Promise<void> {
    if (!Number.isInteger(bytes) || bytes < 0) throw new AfError('DEVICE_IO', `invalid block size ${bytes}`);
    await this.op('MTSETBLK', bytes);
    this.blockSize = bytes;
  }

  async rewind(): Promise<void> {
    await this.op('MTREW', 1);
  }

  async seekFile(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new AfError('SETFILE_FAILED', `file ${n} does not exist`);
    await this.op('MTREW', 1);
    if (n === 0) return;
    const r = await native().mtopAsync(this.need(), 'MTFSF', n);
    if (isErrno(r)) {
      if (r.errno === E.EIO && this.online()) throw new AfError('SETFILE_FAILED', `the tape has fewer than ${n} files`);
      throw this.fault(r);
    }
  }

  async seekEod(): Promise<void> {
    await this.op('MTEOM', 1);
  }

  async readBlock(buf: Buffer): Promise<ReadResult> {
    const fd = this.need();
    let target = buf;
    if (this.blockSize > 0) {
      const whole = buf.length - (buf.length % this.blockSize);
      if (whole === 0) throw new AfError('BLOCK_TOO_SMALL', `the buffer holds ${buf.length} bytes, a block ${this.blockSize}`);
      if (whole !== buf.length) target = buf.subarray(0, whole);
    }
    const r = await native().readAsync(fd, target);
    if (!isErrno(r)) {
      if (r > 0) return { kind: 'data', bytes: r };
      const g = this.mtget();
      if (g.flags.includes('EOF')) return { kind: 'filemark' };
      if (!g.flags.includes('ONLINE')) throw new AfError('NO_MEDIUM', `"${this.name}" has no cartridge`);
      return { kind: 'eod' };
    }
    if (r.errno === E.ENOMEM) {
      // st has moved past the block it could not return: step back over it.
      const back = await native().mtopAsync(fd, 'MTBSR', 1);
      if (isErrno(back)) throw this.fault(back);
      throw new AfError('BLOCK_TOO_SMALL', `a block on "${this.name}" is larger than ${target.length} bytes`);
    }
    if (r.errno === E.EIO) {
      const g = this.mtget();
      if (g.flags.includes('EOD')) return { kind: 'eod' };
    }
    throw this.fault(r);
  }

  async writeBlock(data: Buffer): Promise<WriteResult> {
    const fd = this.need();
    if (data.length === 0) throw new AfError('DEVICE_IO', 'a block cannot be empty');
    if (this.blockSize > 0 && data.length % this.blockSize !== 0) {
      throw new AfError('DEVICE_IO', `${data.length} bytes are not a whole number of ${this.blockSize}-byte blocks`);
    }
    let r = await native().writeAsync(fd, data);
    // Early warning: st refuses every other write with ENOSPC; the next one goes on.
    if (isErrno(r) && r.errno === E.ENOSPC) r = await native().writeAsync(fd, data);
    if (isErrno(r)) {
      if (r.errno === E.ENOSPC) return { kind: 'eot' };
      throw this.fault(r, true);
    }
    if (r !== data.length) throw new AfError('DEVICE_IO', `write to "${this.name}" took ${r} of ${data.length} bytes`);
    return { kind: 'written', earlyWarning: this.mtget().flags.includes('EOT') };
  }

  async writeFilemarks(n = 1): Promise<void> {
    if (!Number.isInteger(n) || n < 0) throw new AfError('DEVICE_IO', `invalid filemark count ${n}`);
    await this.op('MTWEOF', n, true);
  }

  async erase(): Promise<void> {
    // Count 0: the short erase (end of data at the position); 1 would erase the whole
    // rest of the tape physically, which takes hours on LTO.
    await this.op('MTERASE', 0, true);
  }

  async eject(): Promise<void> {
    this.need();
    if (!this.online()) return;
    await this.op('MTOFFL', 1);
  }

  // --- helpers ---

  private need(): number {
    if (this.fd === undefined) throw new AfError('DEVICE_IO', `"${this.name}" is not open`);
    return this.fd;
  }

  private async op(op: MtOpName, count: number, writing = false): Promise<void> {
    const r = await native().mtopAsync(this.need(), op, count);
    if (isErrno(r)) throw this.fault(r, writing, op);
  }

  private mtget(): MtGet {
    const g = native().mtget(this.need());
    if (isErrno(g)) throw this.fault(g);
    return g;
  }

  private online(): boolean {
    const g = native().mtget(this.need());
    return !isErrno(g) && g.flags.includes('ONLINE');
  }

  private openError(r: ErrnoResult): AfError {
    if (r.errno === E.EBUSY) return new AfError('DEVINUSE', `"${this.name}" is in use`);
    if (r.errno === E.ENOENT || r.errno === E.ENXIO || r.errno === E.ENODEV) {
      return new AfError('DEVICE_MISSING', `"${this.name}": ${errnoName(r.errno)}`);
    }
    return this.fault(r);
  }

  /** The AfError for a failed call on the open drive. */
  private fault(r: ErrnoResult, writing = false, what?: string): AfError {
    const call = what ? `${r.syscall} ${what}` : r.syscall;
    if (r.errno === ENOMEDIUM) return new AfError('NO_MEDIUM', `"${this.name}" has no cartridge`);
    if (writing && (r.errno === E.EACCES || r.errno === E.EROFS || (r.errno === E.EBADF && this.readOnly))) {
      return new AfError('WRITE_PROTECTED', `"${this.name}" holds a write-protected cartridge`);
    }
    if (r.errno === E.EIO && this.fd !== undefined && !this.online()) {
      return new AfError('NO_MEDIUM', `"${this.name}" has no cartridge`);
    }
    if (r.errno === E.EBUSY) return new AfError('DEVINUSE', `"${this.name}" is in use`);
    return new AfError('DEVICE_IO', `${call} on "${this.name}" failed: ${errnoName(r.errno)}`);
  }
}
