/**
 * The TapeDrive interface: what the server's tape logic needs from a drive, stated
 * as a contract that every backend (virtual library drive, directory device, the
 * native st drive) must keep. test/device/drive-contract.ts checks it on each.
 *
 * Positions are physical: file 0 is the first file on the tape (afbackup puts its
 * label there), blocks count from 0 within a file.
 *
 * Tape events are values, not errors: a read yields data, a filemark or end of
 * data; a write reports the early-warning zone or end of tape. Only real faults
 * throw, and they throw AfError (DEVINUSE, NO_MEDIUM, WRITE_PROTECTED,
 * BLOCK_TOO_SMALL, DEVICE_IO, DEVICE_MISSING).
 *
 * Decisions where the contract could be read two ways (the contract suite checks them):
 * - Every method but open(), close() and status() needs the drive open; on a closed
 *   drive they throw DEVICE_IO. status() on a closed drive reports what the backend
 *   knows without claiming the drive. close() on a closed drive does nothing.
 * - open() succeeds without a cartridge (status().loaded is false); the tape
 *   operations then throw NO_MEDIUM. A cartridge loaded later (by a changer, in any
 *   process) is seen at the next operation.
 * - Block size (setBlockSize) stays with the drive until changed, across close and
 *   open (and across processes for the file-backed backends), as the st driver keeps it.
 *   Variable mode (0): one writeBlock is one block, one readBlock returns one block.
 *   Fixed mode (S > 0), as st: a write must be a whole number of S-byte blocks (else
 *   DEVICE_IO) and records that many blocks; a read returns as many whole blocks as
 *   fit in the buffer, at least one, stopping before a filemark. A zero-length write
 *   throws DEVICE_IO.
 * - status().block counts blocks within the file (S-byte blocks in fixed mode).
 */

export type ReadResult =
  /** `bytes` bytes of one block (fixed-block mode: of the whole blocks that fit) were placed at the start of the buffer. */
  | { kind: 'data'; bytes: number }
  /** A filemark was read; the position is now block 0 of the next file. */
  | { kind: 'filemark' }
  /** End of recorded data: nothing follows; the position does not move. */
  | { kind: 'eod' };

export type WriteResult =
  /** The block was written. earlyWarning: the tape is in its last stretch; finish soon. */
  | { kind: 'written'; earlyWarning: boolean }
  /** The tape is full: the block was NOT written. */
  | { kind: 'eot' };

export interface DriveStatus {
  /** A cartridge is in the drive. */
  loaded: boolean;
  writeProtected: boolean;
  /** Physical file and block number, when known. */
  file: number;
  block: number;
  /** At the beginning of the tape. */
  bot: boolean;
  /** At end of recorded data. */
  eod: boolean;
  /** Fixed block size in bytes, 0 = variable. */
  blockSize: number;
  /** Backend-specific identity of the loaded medium (barcode, directory), if any. */
  medium?: string;
}

export interface TapeDrive {
  /** What state files and messages call this drive (a device path or "vtl:<dir>"). */
  readonly name: string;

  /**
   * Claims the drive for this process. Throws DEVINUSE while another process has it
   * open, DEVICE_MISSING when the device does not exist. Does not move the tape.
   * A second open() without close() throws DEVINUSE too, whether through the same
   * object or another one in the same process (as a second open() of /dev/nst0 fails).
   */
  open(): Promise<void>;
  /**
   * Flushes buffered writes (writing nothing else: no implicit filemark) and releases the
   * drive. File-backed backends also make the data durable (fsync) unless told not to,
   * as a real drive has the data on tape once its buffer is flushed.
   */
  close(): Promise<void>;

  status(): Promise<DriveStatus>;
  /** Sets the block size used by writeBlock and expected by readBlock (0 = variable). */
  setBlockSize(bytes: number): Promise<void>;

  rewind(): Promise<void>;
  /**
   * Positions at block 0 of physical file n (0-based). n may be 0 to the number of
   * filemarks on the tape: n equal to that number is the end of data when the last file
   * has its filemark (where afbackup appends). Beyond, or negative: SETFILE_FAILED.
   */
  seekFile(n: number): Promise<void>;
  /**
   * Positions after the last file: the place to append. If the last file was left
   * without a filemark, a tape continues that file (after its last block); flat-file
   * backends have no unfinished files, so there it is the start of a new file.
   */
  seekEod(): Promise<void>;

  /**
   * Reads the next block into buf. A block larger than buf throws BLOCK_TOO_SMALL
   * (the st driver's ENOMEM) and the position does not move. At end of data (also on
   * a blank tape, and right after the blocks of a file left without a filemark) the
   * result is eod, again and again. Flat-file backends show the end of every file as
   * a filemark, so there a file left without one reads as filemark, then eod.
   */
  readBlock(buf: Buffer): Promise<ReadResult>;
  /**
   * Writes one block (the whole of data). The drive must not keep a reference to
   * `data` once the returned promise settles: the caller reuses the buffer. Writing anywhere but at end of data
   * discards what followed on the tape, as a real drive does. eot means this block did
   * not fit and was not written (a smaller one might); filemarks can still be written
   * after it. File-backed backends report a nearly full filesystem as early warning
   * and a full one as eot.
   */
  writeBlock(data: Buffer): Promise<WriteResult>;
  /**
   * Writes n filemarks (default 1). Like a write, it discards what followed the
   * position. n = 0 only flushes buffered blocks.
   */
  writeFilemarks(n?: number): Promise<void>;
  /** Erases the tape from the current position to its end; the position (now end of data) stays. */
  erase(): Promise<void>;

  /**
   * Rewinds and ejects the cartridge (for a changer to take it). Afterwards the drive
   * is empty for its tape operations (NO_MEDIUM) while a changer still sees the
   * cartridge in it; ejecting an empty drive does nothing. A directory device has no
   * cartridge to eject: it rewinds and looks at its directory (symlink) afresh.
   */
  eject(): Promise<void>;
}

/** One storage element of a changer. Numbers are 1-based, as afbackup and mtx count them. */
export interface Element {
  kind: 'drive' | 'slot' | 'ioport';
  number: number;
  full: boolean;
  /** Barcode / volume tag, when the changer reads them. */
  barcode?: string;
  /** For a full drive: the slot its cartridge came from, when known. */
  sourceSlot?: number;
}

/**
 * The MediaChanger interface: moves cartridges between slots, drives and import/export
 * ports. Faults throw AfError CHANGER_FAILED (with the reason), or DEVINUSE while
 * another process operates the changer (after a short wait for its move to end).
 *
 * Decisions: element numbers outside the changer are CHANGER_FAILED, and a failed
 * move changes nothing. A cartridge in a drive that another process holds open can
 * be unloaded only after that process ejected it (a real library refuses to pull a
 * tape the drive still holds); an empty drive can be loaded while another process
 * has it open.
 */
export interface MediaChanger {
  readonly name: string;
  /** Every element, drives first, then slots, then ports, each in number order. */
  inventory(): Promise<Element[]>;
  /** Moves the cartridge in slot `slot` into drive `drive`. Fails if the slot is empty or the drive full. */
  load(slot: number, drive: number): Promise<void>;
  /**
   * Moves the cartridge in drive `drive` to slot `slot` (its source slot when omitted;
   * the first empty slot when the source is unknown). A full target slot fails.
   */
  unload(drive: number, slot?: number): Promise<void>;
  /** Moves a cartridge between two slots (or ports). A drive element here is CHANGER_FAILED: use load/unload. */
  transfer(from: Element, to: Element): Promise<void>;
}
