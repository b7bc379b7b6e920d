/**
 * The virtual tape library: a directory that holds cartridges, slots, import/export
 * ports and drives, served through the same TapeDrive and MediaChanger interfaces as
 * real hardware. It is a full backend (what `npm start` serves, and what sites that
 * back up to disk use), with tape semantics kept exactly: block boundaries, filemarks,
 * end of data, capacity with early warning, write protection.
 *
 * Layout of a library directory (every state file is plain text, `keyword value`
 * lines, `#` comments; an administrator may read and edit them while no drive or
 * changer operation runs):
 *
 *   library.conf        capacity, early-warning, slots, drives, ports, barcode-prefix,
 *                       sync-on-close (see library-files.ts)
 *   slots               "slot <n> <barcode>|empty" and "port <n> <barcode>|empty"
 *   drives              "drive <n> block-size <s> state loaded|ejected|empty
 *                        [cartridge <barcode> from-slot <n> file <k> block <b>]"
 *   cart.<barcode>/     one directory per cartridge:
 *       data.<k>          tape file k (file 0 = the first, afbackup's label), the
 *                         blocks' bytes back to back
 *       index             "file <k> <count>x<size> … [filemark]": the block sizes of
 *                         each file, run-length coded, so reads return exactly the
 *                         blocks that were written; the index is the truth, a data
 *                         file may be longer (left over) but never needs to be shorter
 *       write-protect     present = the cartridge is write-protected
 *   drive.<n>.lck       held (flock) by the process that has drive n open
 *   changer.lck         held while the changer moves a cartridge
 *   state.lck           held for the instant slots or drives are rewritten
 *
 * Cartridges are named by barcodes of 8 characters like LTO labels: the prefix
 * (default "AF"), the cartridge number padded with zeros, "L9" (AF0001L9 for
 * cartridge 1). A new library has cartridge n in slot n. To add a cartridge by hand:
 * create `cart.<barcode>/` (an empty directory is a blank tape) and name it in a free
 * slot or port line.
 *
 * slots and drives are replaced atomically (write beside, rename) under state.lck;
 * the position of a drive is saved in drives whenever the drive is positioned and
 * when it is closed, so it survives from one server process to the next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError } from '../../errors.js';
import { FileLock, withExclusive, withShared } from '../directory/file-lock.js';
import { replaceFile, syncDirectory } from '../directory/replace-file.js';
import {
  type DriveLine,
  type LibraryConfig,
  type SlotTable,
  EMPTY_DRIVE,
  formatDrives,
  formatIndex,
  formatLibraryConf,
  formatSlots,
  isBarcode,
  makeBarcode,
  parseDrives,
  parseLibraryConf,
  parseSlots,
} from './library-files.js';
import { VirtualChanger } from './virtual-changer.js';
import { VirtualDrive } from './virtual-drive.js';

export type { LibraryConfig } from './library-files.js';

export interface CreateLibraryOptions {
  slots: number;
  /** Default 1. */
  drives?: number;
  /** Import/export ports, default 1. */
  ports?: number;
  /** Bytes per cartridge. */
  capacity: number;
  /** Bytes of the early-warning zone before the end of each cartridge. */
  earlyWarning: number;
  /** Default "AF". */
  barcodePrefix?: string;
  /** Cartridges to create, in slots 1..n (default: one per slot). */
  cartridges?: number;
  /** Default true. */
  syncOnClose?: boolean;
}

export interface OpenLibraryOptions {
  /** How long a changer operation waits for another process's move to finish before DEVINUSE (ms, default 5000). */
  changerWaitMs?: number;
}

export const LIBRARY_CONF = 'library.conf';

/** Is there a library in dir? */
export function isVirtualLibrary(dir: string): boolean {
  return fs.existsSync(path.join(dir, LIBRARY_CONF));
}

/**
 * Creates a library in dir (made if missing; it must not hold a library yet) and opens it.
 * Safe against a concurrent creator: the loser of the race gets CONFIG_ERROR.
 */
export function createVirtualLibrary(dir: string, opts: CreateLibraryOptions, open: OpenLibraryOptions = {}): VirtualLibrary {
  const root = path.resolve(dir);
  const cfg: LibraryConfig = {
    capacity: opts.capacity,
    earlyWarning: opts.earlyWarning,
    slots: opts.slots,
    drives: opts.drives ?? 1,
    ports: opts.ports ?? 1,
    barcodePrefix: opts.barcodePrefix ?? 'AF',
    syncOnClose: opts.syncOnClose ?? true,
  };
  checkConfig(cfg);
  const carts = opts.cartridges ?? cfg.slots;
  if (!Number.isInteger(carts) || carts < 0 || carts > cfg.slots) {
    throw new AfError('CONFIG_ERROR', `cannot put ${carts} cartridges into ${cfg.slots} slots`);
  }
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new AfError('CONFIG_ERROR', `cannot create the virtual library directory "${root}": ${(e as Error).message}`);
  }
  withExclusive(path.join(root, 'state.lck'), () => {
    if (isVirtualLibrary(root)) throw new AfError('CONFIG_ERROR', `"${root}" already holds a virtual library`);
    const table: SlotTable = { slots: new Array(cfg.slots).fill(null), ports: new Array(cfg.ports).fill(null) };
    for (let n = 1; n <= carts; n++) {
      const bc = makeBarcode(cfg.barcodePrefix, n);
      makeCartridge(root, bc);
      table.slots[n - 1] = bc;
    }
    replaceFile(path.join(root, 'slots'), formatSlots(table), true);
    replaceFile(path.join(root, 'drives'), formatDrives(Array.from({ length: cfg.drives }, () => ({ ...EMPTY_DRIVE }))), true);
    // library.conf last: its presence means the library is complete.
    replaceFile(path.join(root, LIBRARY_CONF), formatLibraryConf(cfg), true);
    syncDirectory(root);
  });
  return openVirtualLibrary(root, open);
}

/** Opens the library in dir. DEVICE_MISSING when there is none. */
export function openVirtualLibrary(dir: string, opts: OpenLibraryOptions = {}): VirtualLibrary {
  const root = path.resolve(dir);
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, LIBRARY_CONF), 'utf8');
  } catch {
    throw new AfError('DEVICE_MISSING', `no virtual library in "${root}" (${LIBRARY_CONF} is missing)`);
  }
  const cfg = parseLibraryConf(text, path.join(root, LIBRARY_CONF));
  return new VirtualLibrary(root, cfg, opts);
}

function checkConfig(c: LibraryConfig): void {
  const bad = (what: string): never => {
    throw new AfError('CONFIG_ERROR', `virtual library: ${what}`);
  };
  if (!Number.isSafeInteger(c.capacity) || c.capacity <= 0) bad(`capacity ${c.capacity} is not a positive number of bytes`);
  if (!Number.isSafeInteger(c.earlyWarning) || c.earlyWarning < 0 || c.earlyWarning >= c.capacity) {
    bad(`early warning ${c.earlyWarning} must be at least 0 and less than the capacity`);
  }
  if (!Number.isInteger(c.slots) || c.slots < 1) bad(`${c.slots} slots: at least one is needed`);
  if (!Number.isInteger(c.drives) || c.drives < 1) bad(`${c.drives} drives: at least one is needed`);
  if (!Number.isInteger(c.ports) || c.ports < 0) bad(`${c.ports} ports is not a count`);
  if (!/^[A-Z0-9]{0,5}$/.test(c.barcodePrefix)) bad(`barcode prefix "${c.barcodePrefix}" is not 0-5 characters of A-Z and 0-9`);
}

function makeCartridge(root: string, barcode: string): void {
  const dir = path.join(root, `cart.${barcode}`);
  fs.mkdirSync(dir, { recursive: true });
  const index = path.join(dir, 'index');
  if (!fs.existsSync(index)) replaceFile(index, formatIndex(barcode, []));
}

export class VirtualLibrary {
  readonly dir: string;
  readonly config: Readonly<LibraryConfig>;
  readonly changer: VirtualChanger;
  private readonly drives = new Map<number, VirtualDrive>();

  /** Use openVirtualLibrary or createVirtualLibrary. */
  constructor(dir: string, config: LibraryConfig, opts: OpenLibraryOptions = {}) {
    this.dir = dir;
    this.config = Object.freeze({ ...config });
    this.changer = new VirtualChanger(this, opts.changerWaitMs ?? 5000);
  }

  /** "vtl:<dir>" */
  get name(): string {
    return `vtl:${this.dir}`;
  }

  /** Drive n (1-based). The same object each time for this library object. */
  drive(n = 1): VirtualDrive {
    if (!Number.isInteger(n) || n < 1 || n > this.config.drives) {
      throw new AfError('DEVICE_MISSING', `${this.name} has no drive ${n} (it has ${this.config.drives})`);
    }
    let d = this.drives.get(n);
    if (!d) {
      d = new VirtualDrive(this, n);
      this.drives.set(n, d);
    }
    return d;
  }

  /** The drive object for n if this library object made one (the changer coordinates with it). */
  existingDrive(n: number): VirtualDrive | undefined {
    return this.drives.get(n);
  }

  /**
   * Adds a blank cartridge with this barcode (its directory is created unless it
   * exists) into an empty slot or port.
   */
  addCartridge(barcode: string, where: { kind: 'slot' | 'ioport'; number: number }): void {
    if (!isBarcode(barcode)) throw new AfError('CHANGER_FAILED', `"${barcode}" is not a barcode`);
    this.updateState((table, drives) => {
      const known = [...table.slots, ...table.ports, ...drives.map((d) => d.cartridge)];
      if (known.includes(barcode)) throw new AfError('CHANGER_FAILED', `cartridge ${barcode} is already in the library`);
      const list = where.kind === 'slot' ? table.slots : table.ports;
      const i = where.number - 1;
      if (!Number.isInteger(where.number) || i < 0 || i >= list.length) {
        throw new AfError('CHANGER_FAILED', `there is no ${where.kind === 'slot' ? 'slot' : 'port'} ${where.number}`);
      }
      if (list[i] !== null) throw new AfError('CHANGER_FAILED', `${where.kind === 'slot' ? 'slot' : 'port'} ${where.number} is full`);
      makeCartridge(this.dir, barcode);
      list[i] = barcode;
      return { slots: true };
    });
  }

  // --- for the drives and the changer of this library ---

  cartridgeDir(barcode: string): string {
    return path.join(this.dir, `cart.${barcode}`);
  }

  driveLockPath(n: number): string {
    return path.join(this.dir, `drive.${n}.lck`);
  }

  changerLockPath(): string {
    return path.join(this.dir, 'changer.lck');
  }

  private get stateLock(): string {
    return path.join(this.dir, 'state.lck');
  }

  private readSlotsFile(): SlotTable {
    return parseSlots(this.readText('slots'), this.config, path.join(this.dir, 'slots'));
  }

  private readDrivesFile(): DriveLine[] {
    return parseDrives(this.readText('drives'), this.config.drives, path.join(this.dir, 'drives'));
  }

  private readText(name: string): string {
    try {
      return fs.readFileSync(path.join(this.dir, name), 'utf8');
    } catch (e) {
      throw new AfError('STATE_IO', `cannot read "${path.join(this.dir, name)}": ${(e as Error).message}`);
    }
  }

  /** The saved line of drive n (no lock needed: the file is only ever replaced whole). */
  readDriveLine(n: number): DriveLine {
    return this.readDrivesFile()[n - 1];
  }

  /** Slots, ports and drives as one consistent picture. */
  readState(): { table: SlotTable; drives: DriveLine[] } {
    return withShared(this.stateLock, () => ({ table: this.readSlotsFile(), drives: this.readDrivesFile() }));
  }

  /**
   * Lock, reload, change, replace: fn changes the tables in place and says which
   * files to write. Moves write durably (fsync), position updates do not.
   */
  updateState(fn: (table: SlotTable, drives: DriveLine[]) => { slots?: boolean; drives?: boolean; durable?: boolean } | void): void {
    withExclusive(this.stateLock, () => {
      const table = this.readSlotsFile();
      const drives = this.readDrivesFile();
      const what = fn(table, drives);
      if (!what) return;
      const durable = what.durable ?? true;
      try {
        if (what.drives) replaceFile(path.join(this.dir, 'drives'), formatDrives(drives), durable);
        if (what.slots) replaceFile(path.join(this.dir, 'slots'), formatSlots(table), durable);
        if (durable) syncDirectory(this.dir);
      } catch (e) {
        throw new AfError('STATE_IO', `cannot update the virtual library state in "${this.dir}": ${(e as Error).message}`, { cause: e });
      }
    });
  }

  /** Changes drive n's line, if fn returns a new one. */
  updateDriveLine(n: number, fn: (line: DriveLine) => DriveLine | undefined, durable = false): void {
    this.updateState((_t, drives) => {
      const next = fn(drives[n - 1]);
      if (!next) return;
      drives[n - 1] = next;
      return { drives: true, durable };
    });
  }

  /** Tries to take drive n's lock for a changer move (undefined: a process has the drive open). */
  tryDriveLock(n: number): FileLock | undefined {
    try {
      return FileLock.tryExclusive(this.driveLockPath(n));
    } catch (e) {
      throw new AfError('CHANGER_FAILED', `cannot lock drive ${n}: ${(e as Error).message}`, { cause: e });
    }
  }
}
