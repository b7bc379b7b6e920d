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
 */

export type ReadResult =
  /** `bytes` bytes of one block were placed at the start of the buffer. */
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
   */
  open(): Promise<void>;
  /** Flushes buffered writes (writing nothing else: no implicit filemark) and releases the drive. */
  close(): Promise<void>;

  status(): Promise<DriveStatus>;
  /** Sets the block size used by writeBlock and expected by readBlock (0 = variable). */
  setBlockSize(bytes: number): Promise<void>;

  rewind(): Promise<void>;
  /** Positions at block 0 of physical file n (0-based). Throws SETFILE_FAILED if the tape has fewer files. */
  seekFile(n: number): Promise<void>;
  /** Positions after the last file: the place to append. */
  seekEod(): Promise<void>;

  /**
   * Reads the next block into buf. A block larger than buf throws BLOCK_TOO_SMALL
   * (the st driver's ENOMEM) and the position does not move.
   */
  readBlock(buf: Buffer): Promise<ReadResult>;
  /**
   * Writes one block (the whole of data). Writing anywhere but at end of data
   * discards what followed on the tape, as a real drive does.
   */
  writeBlock(data: Buffer): Promise<WriteResult>;
  /** Writes n filemarks (default 1). */
  writeFilemarks(n?: number): Promise<void>;
  /** Erases the tape from the current position to its end. */
  erase(): Promise<void>;

  /** Rewinds and ejects the cartridge (for a changer to take it). */
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
 * another process operates the changer.
 */
export interface MediaChanger {
  readonly name: string;
  /** Every element, drives first, then slots, then ports, each in number order. */
  inventory(): Promise<Element[]>;
  /** Moves the cartridge in slot `slot` into drive `drive`. Fails if the slot is empty or the drive full. */
  load(slot: number, drive: number): Promise<void>;
  /** Moves the cartridge in drive `drive` to slot `slot` (its source slot when omitted). */
  unload(drive: number, slot?: number): Promise<void>;
  /** Moves a cartridge between two slots (or ports). */
  transfer(from: Element, to: Element): Promise<void>;
}
