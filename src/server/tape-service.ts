/**
 * The tape service: afbackup's media policy on top of a TapeDrive (spec §5-§7).
 *
 * It knows where the next write goes (the active cartridge set's insert position,
 * read-only and precious tapes, Full and Variable Append Mode), loads cartridges
 * (Set-Cart-Command, a media changer, or the operator), labels tapes on file 0,
 * continues a stream on the next cartridge at the end of a tape and records that
 * in cartridge_order and tape_uses, and keeps tapepos and bytes_on_tape current.
 *
 * The session calls one method per protocol command and maps AfErrors to status
 * bytes; nothing here knows about sockets or wire formats.
 */
import type { Element, TapeDrive, MediaChanger } from '../device/tape-drive.js';
import { AfError, isAfError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatLabel, labelSize, parseLabel, type Label } from './label.js';
import { readTapeLabel } from './label-probe.js';
import { WriteStream, type WritePosition } from './write-stream.js';
import { ReadStream, type ReadChunk } from './read-stream.js';
import {
  cartridgeInElement,
  chooseNextCartridge,
  elementOfCartridge,
  resolveInsertPosition,
  type ChangerRecords,
  type MediaSnapshot,
  type TapeRecord,
} from './cartridge-choice.js';
import * as cartridgeLocations from '../state/cartridge-locations.js';
import * as cartridgeNames from '../state/cartridge-names.js';
import type { Inventory, Position } from './inventory.js';
import { runShell } from './shell-command.js';
import { createReadyFlag, notifyOperator, waitForReady } from './operator.js';
import { ctime } from '../state/ctime.js';
import { expandTemplate } from '../config/command-template.js';

export interface TapeConfig {
  /** The device as tapepos, labels and the status file name it. */
  deviceName: string;
  blockSize: number;
  numberOfCartridges: number;
  /** Cartridges of each set; index 0 is set 1. */
  cartridgeSets: number[][];
  maxBytesPerFile: number;
  maxBytesPerTape: (cart: number) => number;
  fullAppendMode: boolean;
  variableAppendMode: boolean;
  rejectUnlabeledTapes: boolean;
  cartInsertGracetimeSec: number;
  deviceProbeIntervalSec: number;
  devUnavailGiveUpMin: number;
  /** Shell commands; undefined where the backend positions by itself. */
  setFileCommand?: string;
  skipFilesCommand?: string;
  setCartCommand?: string;
  changeCartCommand?: string;
  eraseTapeCommand?: string;
  tapeFullCommand?: string;
  initMediaCommand?: string;
  changerDevice?: string;
  /** The server's drive in its changer (1-based; `=n` of the device spec). */
  changerDrive?: number;
  /** Slots of the changer (`#n` of the device spec), for the sequential search. */
  slots?: number;
  cartridgeHandler: boolean;
  cartReadyFlag: string;
  configPath: string;
  mailProgram?: string;
  userToInform: string;
}

export interface TapeServiceDeps {
  config: TapeConfig;
  drive: TapeDrive;
  changer?: MediaChanger;
  /** Where the changer's cartridges are recorded (cartridge_locations), kept current by the server's own loads. */
  changerRecords?: ChangerRecordKeeper;
  inventory: Inventory;
  log: Logger;
  /** Takes the device lock (waiting as configured); called before the first device access. */
  lockDevice(intent: 'r' | 'w'): Promise<void>;
  /** QUERYWRPOSITION with the device closed: take the lock if free; DEVINUSE when a writer holds it. */
  claimForQuery?(): Promise<void>;
  /** Environment for configured commands (AFBACKUPREMOTEUSER/HOST). */
  commandEnv(): Record<string, string | undefined>;
  remoteUser?: () => string | undefined;
  remoteHost?: () => string | undefined;
}

/** What the server needs of the changer records (server-context.ts gives it over the var directory). */
export interface ChangerRecordKeeper {
  /** The changer as cartridge_locations names it (the device as written, e.g. `/dev/sg9`, `vtl:lib`). */
  device: string;
  read(): Promise<ChangerRecords>;
  /** Records that `cart` is now at element `at` of the changer; null: not in the changer (the entry goes). */
  record(cart: number, at: Element | null): Promise<void>;
  /** Runs `fn` holding the Changer-Lockfile, as cart_ctl does around its moves. */
  lock<T>(fn: () => Promise<T>): Promise<T>;
}

type Mode = 'closed' | 'read' | 'write' | 'rawread' | 'rawwrite';

/** Fills a configured command's %-letters (values come from the server, not from clients). */
const expand = (tpl: string, vars: Record<string, string | number | undefined>): string =>
  expandTemplate(tpl, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v === undefined ? undefined : String(v)])));

export class TapeService {
  private mode: Mode = 'closed';
  private driveOpen = false;
  /** Cartridge known to be in the drive in this process (label checked), or null. */
  private loaded: number | null = null;
  private loadedLabel: Label | null = null;
  /** The last label probe found no medium at all (as opposed to a blank one). */
  private noMedium = false;
  /** Cartridge/file selected by SETCARTRIDGE/SETFILE for the next open. */
  private selectedCart: number | null = null;
  private selectedFile = 1;
  /** Physical file for raw opens (SETRAWFILE), or null to use selectedFile. */
  private rawPhysFile: number | null = null;
  private blockSize: number;
  activeSet = 1;
  changeCartOnEot = true;
  readonly writtenThisSession = new Set<number>();
  private writer: WriteStream | null = null;
  private reader: ReadStream | null = null;
  private readCart: number | null = null;
  /** Cartridges the current read stream has been on. */
  private visited = new Set<number>();
  private lastReadValid = 0;
  private crossedFilemark = false;

  constructor(private readonly d: TapeServiceDeps) {
    this.blockSize = d.config.blockSize;
  }

  get isOpen(): boolean {
    return this.mode !== 'closed';
  }
  get currentBlockSize(): number {
    return this.blockSize;
  }
  get openMode(): Mode {
    return this.mode;
  }
  get lastValid(): number {
    return this.lastReadValid;
  }

  private get cfg(): TapeConfig {
    return this.d.config;
  }

  setCartridgeSet(set: number): void {
    if (set < 1 || set > this.cfg.cartridgeSets.length) throw new AfError('NO_VALID_CARTSET', `set ${set}`);
    this.activeSet = set;
  }

  private setCartridges(): number[] {
    return this.cfg.cartridgeSets[this.activeSet - 1] ?? [];
  }

  /** Takes the device lock; the drive itself is opened lazily by io(). */
  private async ensureDrive(intent: 'r' | 'w'): Promise<void> {
    await this.d.lockDevice(intent);
  }

  /** The drive, opened for this process on first use. */
  private async io(): Promise<TapeDrive> {
    if (!this.driveOpen) {
      await this.d.drive.open();
      this.driveOpen = true;
    }
    return this.d.drive;
  }

  /** Lets go of the drive so that the next io() sees a medium that a command swapped. */
  private async releaseDrive(): Promise<void> {
    if (!this.driveOpen) return;
    this.driveOpen = false;
    await this.d.drive.close();
  }

  // ---------------------------------------------------------------- positions

  async writePosition(): Promise<Position> {
    if (this.writer) {
      const p = this.writer.position;
      return { cart: p.cartridge, file: p.file };
    }
    // Like afbackup: take the device lock (kept until the end); a writer elsewhere means DEVINUSE.
    await this.d.claimForQuery?.();
    const pos = await this.d.inventory.insertPosition(this.activeSet);
    if (pos) return pos;
    const first = this.setCartridges()[0] ?? 1;
    return { cart: first, file: 1 };
  }

  async position(): Promise<Position> {
    if (this.writer) return { cart: this.writer.position.cartridge, file: this.writer.position.file };
    if (this.reader && this.readCart !== null) return { cart: this.readCart, file: this.reader.file };
    if (this.selectedCart !== null) return { cart: this.selectedCart, file: this.selectedFile };
    const drive = await this.d.inventory.drivePosition(this.cfg.deviceName);
    if (drive) return drive;
    return { cart: this.setCartridges()[0] ?? 1, file: 1 };
  }

  // ---------------------------------------------------------------- selection

  async setCartridge(cart: number, primaryOnly: boolean): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is open');
    if (cart < 1 || cart > this.cfg.numberOfCartridges) throw new AfError('NO_VALID_CARTRIDGE', `cartridge ${cart}`);
    await this.ensureDrive('r');
    await this.loadCartridge(cart, { forWrite: false, primaryOnly });
    this.selectedCart = cart;
    this.selectedFile = 1;
    this.rawPhysFile = null;
  }

  async setFile(file: number): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is open');
    if (file < 1 || file > 0x7fffffff) throw new AfError('NO_VALID_FILENUM', `file ${file}`);
    await this.ensureDrive('r');
    await this.runPositionCommand(this.cfg.setFileCommand, file);
    this.selectedFile = file;
    this.rawPhysFile = null;
  }

  /** SETRAWFILE: absolute physical file, 1 = the label. */
  async setRawFile(file: number): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is open');
    if (file < 1 || file > 0x7fffffff) throw new AfError('NO_VALID_FILENUM', `file ${file}`);
    await this.ensureDrive('r');
    await this.runPositionCommand(this.cfg.setFileCommand, file);
    this.rawPhysFile = file - 1;
  }

  async skipFiles(n: number): Promise<void> {
    await this.ensureDrive('r');
    const count = this.crossedFilemark && n > 0 ? n - 1 : n;
    if (this.cfg.skipFilesCommand) {
      await this.releaseDrive();
      const r = await runShell(expand(this.cfg.skipFilesCommand, { n: count, m: count - 1, d: this.cfg.deviceName }), { env: this.d.commandEnv() });
      if (r.code !== 0) throw new AfError('CONFIG_ERROR', `SkipFiles-Command exited with ${r.code}`);
    }
    if (this.rawPhysFile !== null) this.rawPhysFile += count;
    else this.selectedFile += count;
    this.crossedFilemark = false;
  }

  private async runPositionCommand(cmd: string | undefined, file: number): Promise<void> {
    if (!cmd) return;
    // The command opens the device itself (mt, a wrapper): let go of it meanwhile.
    await this.releaseDrive();
    for (let attempt = 1; ; attempt++) {
      const r = await runShell(expand(cmd, { n: file, m: file - 1, d: this.cfg.deviceName }), { env: this.d.commandEnv() });
      if (r.code === 0) return;
      this.d.log.warn({ cmd, code: r.code, attempt }, 'SetFile-Command failed');
      if (attempt >= 3) throw new AfError('SETFILE_FAILED', `SetFile-Command exited with ${r.code}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  // ---------------------------------------------------------------- loading

  /** Reads the label on file 0; null when the tape has none (or no tape is in). Leaves the tape rewound. */
  private async readLabel(): Promise<Label | null> {
    let label: Label | null;
    this.noMedium = false;
    try {
      label = await this.probeLabel();
    } catch (e) {
      if (isAfError(e, 'DEVICE_MISSING') || isAfError(e, 'NO_MEDIUM')) {
        this.noMedium = true;
        return null;
      }
      throw e;
    }
    const drive = this.d.drive;
    this.blockSize = label?.blockSize ?? this.cfg.blockSize;
    await drive.setBlockSize(this.blockSize);
    if (label) await this.d.inventory.addBlockSize(this.blockSize);
    return label;
  }

  /** Tries the configured, the ever used and the usual block sizes until a first block reads. */
  private async probeLabel(): Promise<Label | null> {
    const drive = await this.io();
    return (await readTapeLabel(drive, [this.cfg.blockSize, ...(await this.d.inventory.blockSizes())])).label;
  }

  private labelMatches(label: Label | null, cart: number, primaryOnly: boolean): boolean {
    if (!label) return false;
    if (label.cartridge === cart) return true;
    if (!primaryOnly && label.secondCartridge === cart) {
      this.d.log.warn({ cart, label: label.cartridge }, 'accepting the tape by its second cartridge number');
      return true;
    }
    return false;
  }

  /** Brings cartridge `cart` into the drive and checks its label (unless it is to be labelled). */
  private async loadCartridge(cart: number, o: { forWrite: boolean; primaryOnly: boolean; labelling?: boolean }): Promise<void> {
    if (this.loaded === cart) return;
    const strict = o.primaryOnly || o.forWrite;
    // A process that did not load the tape itself first checks what is in the drive.
    if (this.loaded === null) {
      const believed = await this.d.inventory.drivePosition(this.cfg.deviceName);
      const label = await this.readLabel();
      if (this.labelMatches(label, cart, strict)) return this.loadedOk(cart, label);
      // An unlabelled tape where this cartridge (or, on a new installation, nothing) is recorded is ours to label.
      if ((believed === null || believed.cart === cart) && !label && !this.noMedium && o.labelling) return this.loadedOk(cart, null);
    }
    for (let round = 0; ; round++) {
      await this.moveCartridgeIn(cart, o.forWrite, round);
      const label = await this.readLabel();
      if (this.labelMatches(label, cart, strict)) return this.loadedOk(cart, label);
      if (!label && !this.noMedium && o.labelling) return this.loadedOk(cart, null);
      if (this.cfg.setCartCommand || this.d.changer) {
        const found = label ? `cartridge ${label.cartridge}` : 'an unlabelled tape';
        throw new AfError('CHANGECART_FAILED', `wanted cartridge ${cart}, the drive holds ${found}`);
      }
      // Manual handling: ask again ("your previous try failed"); askOperator gives up in time.
    }
  }

  private async loadedOk(cart: number, label: Label | null): Promise<void> {
    this.loaded = cart;
    this.loadedLabel = label;
    await this.d.inventory.setDrivePosition(this.cfg.deviceName, { cart, file: 1 });
  }

  private async moveCartridgeIn(cart: number, forWrite: boolean, round: number): Promise<void> {
    const c = this.cfg;
    const vars = { n: cart, m: cart - 1, d: c.deviceName, D: c.changerDevice ?? '' };
    // Whoever moves the medium (a command, the changer, the operator), the drive looks afresh afterwards.
    await this.releaseDrive();
    if (c.setCartCommand) {
      const deadline = Date.now() + c.devUnavailGiveUpMin * 60_000;
      for (;;) {
        const r = await runShell(expand(c.setCartCommand, vars), { env: this.d.commandEnv() });
        if (r.code === 0) break;
        this.d.log.warn({ code: r.code, output: r.output.toString('latin1') }, 'Set-Cart-Command failed');
        if (c.devUnavailGiveUpMin > 0 && Date.now() > deadline) throw new AfError('CHANGECART_FAILED', `Set-Cart-Command exited with ${r.code}`);
        await new Promise((res) => setTimeout(res, 2000));
      }
    } else if (this.d.changer) {
      await this.changerLoad(cart);
    } else if (c.cartridgeHandler && c.changeCartCommand && round === 0) {
      if (await this.sequentialLoad(cart, forWrite)) return;
      await this.askOperator(cart, forWrite, round);
    } else {
      await this.askOperator(cart, forWrite, round);
    }
    this.loaded = null;
    if (c.cartInsertGracetimeSec > 0 && !this.d.changer) await new Promise((res) => setTimeout(res, c.cartInsertGracetimeSec * 1000));
    if (c.initMediaCommand) await runShell(expand(c.initMediaCommand, vars), { env: this.d.commandEnv() });
  }

  /**
   * Loads through the MediaChanger of the backup device (no Set-Cart-Command): finds
   * the cartridge as cart_ctl does (cartridge-choice.ts elementOfCartridge), puts a
   * cartridge that is in the drive back (ejected first, as a library wants it), loads,
   * and keeps cartridge_locations current. The Changer-Lockfile is held meanwhile.
   */
  private async changerLoad(cart: number): Promise<void> {
    const changer = this.d.changer!;
    const rec = this.d.changerRecords;
    const name = rec?.device ?? changer.name;
    const driveNo = this.cfg.changerDrive ?? 1;
    const run = rec ? <T>(fn: () => Promise<T>) => rec.lock(fn) : <T>(fn: () => Promise<T>) => fn();
    await run(async () => {
      const records = rec ? await rec.read() : { locations: cartridgeLocations.empty(), names: cartridgeNames.empty() };
      const inv = await changer.inventory();
      const drive = inv.find((e) => e.kind === 'drive' && e.number === driveNo);
      if (!drive) throw new AfError('CHANGECART_FAILED', `the changer ${name} has no drive ${driveNo}`);
      const inDrive = cartridgeInElement(drive, records, name);
      if (drive.full && inDrive === cart) {
        await rec?.record(cart, drive);
        return;
      }
      const from = elementOfCartridge(cart, inv, records, name);
      if (!from) throw new AfError('CHANGECART_FAILED', `cartridge ${cart} is not in the changer ${name}`);
      if (from.kind === 'drive') throw new AfError('CHANGECART_FAILED', `cartridge ${cart} is in drive ${from.number} of ${name}, not in this server's drive ${driveNo}`);
      if (from.kind !== 'slot') throw new AfError('CHANGECART_FAILED', `cartridge ${cart} is in load port ${from.number} of ${name}; put it into a slot (cart_ctl -m)`);
      await this.releaseDrive();
      if (drive.full) {
        await this.ejectForChanger();
        await changer.unload(driveNo);
        if (inDrive !== null && rec) {
          const after = await changer.inventory();
          const back =
            after.find((e) => e.kind === 'slot' && e.full && drive.barcode !== undefined && e.barcode === drive.barcode) ??
            (drive.sourceSlot !== undefined ? after.find((e) => e.kind === 'slot' && e.number === drive.sourceSlot && e.full) : undefined);
          await rec.record(inDrive, back ?? null);
        }
      }
      await changer.load(from.number, driveNo);
      await rec?.record(cart, { ...drive, full: true });
      this.d.log.info({ cartridge: cart, slot: from.number, drive: driveNo, changer: name }, 'cartridge loaded by the changer');
    });
  }

  /** Takes the tape out of the drive before the changer pulls it (a library refuses while the drive holds it). */
  private async ejectForChanger(): Promise<void> {
    try {
      await this.d.drive.open();
      try {
        await this.d.drive.eject();
      } finally {
        await this.d.drive.close();
      }
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message }, 'could not eject the tape before unloading it');
    }
  }

  /**
   * A stacker without random access (Cartridge-Handler set, no Set-Cart-Command):
   * Change-Cart-Command advances to the next cartridge until the wanted label shows
   * up, at most once round the magazine (twice when a copy's second number will do).
   */
  private async sequentialLoad(cart: number, forWrite: boolean): Promise<boolean> {
    const c = this.cfg;
    const tries = (c.slots ?? c.numberOfCartridges) * (forWrite ? 1 : 2);
    for (let i = 0; i < tries; i++) {
      const label = await this.readLabel();
      if (this.labelMatches(label, cart, forWrite || i < tries / 2)) return true;
      await this.releaseDrive();
      const r = await runShell(expand(c.changeCartCommand!, { d: c.deviceName, D: c.changerDevice ?? '', c: label?.cartridge ?? 0, b: (label?.cartridge ?? 1) - 1, n: cart, m: cart - 1, N: c.numberOfCartridges }), {
        env: this.d.commandEnv(),
      });
      if (r.code !== 0) throw new AfError('CHANGECART_FAILED', `Change-Cart-Command exited with ${r.code}`);
      if (c.cartInsertGracetimeSec > 0) await new Promise((res) => setTimeout(res, c.cartInsertGracetimeSec * 1000));
    }
    return false;
  }

  private async askOperator(cart: number, forWrite: boolean, round: number): Promise<void> {
    const c = this.cfg;
    createReadyFlag(c.cartReadyFlag);
    if (c.changeCartCommand) await runShell(expand(c.changeCartCommand, { d: c.deviceName, c: this.loaded ?? 0, n: cart, N: c.numberOfCartridges }), { env: this.d.commandEnv() });
    const purpose = forWrite ? 'for writing' : 'for reading';
    await notifyOperator(
      {
        mailProgram: c.mailProgram,
        userToInform: c.userToInform,
        remoteUser: this.d.remoteUser?.(),
        remoteHost: this.d.remoteHost?.(),
        writeClientMessage: (t) => this.d.inventory.writeClientMessage(t),
        log: this.d.log,
      },
      `${round > 0 ? 'Your previous try failed. ' : ''}Please insert cartridge number ${cart} ${purpose} into the device ${c.deviceName}.\n` +
        `Then run cartready on the server, or send the server message CartridgeReady (afclient -M CartridgeReady).\n`,
    );
    await this.d.inventory.setStatus(`Waiting for cartridge ${cart} ${purpose}.`);
    const ok = await waitForReady(c.cartReadyFlag, {
      intervalMs: Math.max(c.deviceProbeIntervalSec, 1) * 1000,
      giveUpMs: c.devUnavailGiveUpMin * 60_000,
    });
    if (!ok) throw new AfError('DEVNOTREADY', `nobody inserted cartridge ${cart}`);
  }

  // ---------------------------------------------------------------- writing

  private async snapshot(): Promise<MediaSnapshot> {
    const inv = this.d.inventory;
    return {
      setCartridges: this.setCartridges(),
      readonly: await inv.readonlyTapes(),
      precious: await inv.preciousTapes(),
      writtenThisSession: this.writtenThisSession,
      tapes: await inv.tapes(),
      fullAppendMode: this.cfg.fullAppendMode,
    };
  }

  /** Loads the target cartridge and positions for writing; labels it when starting at file 1. */
  private async prepareWrite(cart: number, file: number): Promise<WritePosition> {
    await this.loadCartridge(cart, { forWrite: true, primaryOnly: true, labelling: file === 1 });
    if (file === 1) {
      if (this.loadedLabel === null && this.cfg.rejectUnlabeledTapes) {
        throw new AfError('OPENWR_FAILED', `cartridge ${cart} has no label and Reject-Unlabeled-Tapes is set`);
      }
      await this.eraseTape();
      const drive = await this.io();
      await drive.rewind();
      const label = formatLabel({ cartridge: cart, labelingTime: ctime(new Date()), blockSize: this.cfg.blockSize });
      await drive.setBlockSize(label.length);
      const r = await drive.writeBlock(label);
      if (r.kind === 'eot') throw new AfError('WRITE_FAILED', `no room for the label on cartridge ${cart}`);
      await drive.writeFilemarks(1);
      this.blockSize = this.cfg.blockSize;
      await drive.setBlockSize(this.blockSize);
      await this.d.inventory.addBlockSize(this.blockSize);
      const rec: TapeRecord = { bytes: label.length, files: 0, full: false, lastWrite: nowSec() };
      await this.d.inventory.setTape(cart, rec);
      this.loadedLabel = parseLabel(label);
      return { cartridge: cart, file: 1, bytesOnTape: label.length };
    }
    await (await this.io()).seekFile(file);
    const rec = (await this.d.inventory.tapes()).get(cart);
    return { cartridge: cart, file, bytesOnTape: rec?.bytes ?? labelSize(this.blockSize) };
  }

  private async eraseTape(): Promise<void> {
    if (this.cfg.eraseTapeCommand) {
      const r = await runShell(expand(this.cfg.eraseTapeCommand, { d: this.cfg.deviceName }), { env: this.d.commandEnv() });
      if (r.code !== 0) throw new AfError('ERASETAPE_FAILED', `Erase-Tape-Command exited with ${r.code}`);
      // The command changed the medium behind the drive's back: look at it afresh.
      await this.releaseDrive();
      return;
    }
    const drive = await this.io();
    await drive.rewind();
    await drive.erase();
  }

  async openForWrite(raw: boolean): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is already open');
    await this.ensureDrive('w');
    let start: WritePosition;
    if (raw) {
      const cart = this.selectedCart ?? this.loaded ?? (await this.position()).cart;
      const phys = this.rawPhysFile ?? this.selectedFile;
      await this.loadCartridge(cart, { forWrite: true, primaryOnly: false, labelling: true });
      await (await this.io()).setBlockSize(this.blockSize);
      if (phys === 0) await (await this.io()).rewind();
      else await (await this.io()).seekFile(phys);
      start = { cartridge: cart, file: phys, bytesOnTape: 0 };
      this.mode = 'rawwrite';
    } else {
      const recorded = await this.d.inventory.insertPosition(this.activeSet);
      if (!recorded) this.d.log.warn({ set: this.activeSet }, 'no insert position recorded for this set, starting at its first cartridge, file 1');
      let target = recorded ? { cartridge: recorded.cart, file: recorded.file } : { cartridge: this.setCartridges()[0] ?? 1, file: 1 };
      const snap = await this.snapshot();
      if (this.cfg.variableAppendMode) target = (await this.variableAppendTarget(snap)) ?? target;
      const resolved = resolveInsertPosition(snap, target);
      if (!resolved) throw new AfError('REQNEWCART_FAILED', `no writable cartridge in set ${this.activeSet}`);
      start = await this.prepareWrite(resolved.cartridge, resolved.file);
      this.mode = 'write';
    }
    this.writtenThisSession.add(start.cartridge);
    this.writer = new WriteStream(
      this.d.drive,
      start,
      {
        blockSize: this.blockSize,
        maxBytesPerFile: raw ? Infinity : Math.max(this.cfg.maxBytesPerFile, this.blockSize),
        maxBytesPerTape: raw ? () => Infinity : this.cfg.maxBytesPerTape,
        trailingZeroBlock: !raw,
      },
      { onEndOfTape: (full) => this.endOfTape(full, raw) },
    );
    await this.d.inventory.setStatus(`Device ${this.cfg.deviceName} is open for writing on cartridge ${start.cartridge}, file ${start.file}.`);
  }

  /** Variable Append Mode: use the suitable cartridge already in the drive. */
  private async variableAppendTarget(snap: MediaSnapshot): Promise<{ cartridge: number; file: number } | null> {
    const label = await this.readLabel().catch(() => null);
    if (!label) return null;
    const cart = label.cartridge;
    const rec = snap.tapes.get(cart);
    if (!snap.setCartridges.includes(cart) || snap.readonly.has(cart) || rec?.full) return null;
    this.loaded = cart;
    this.loadedLabel = label;
    const overwrite = !snap.precious.has(cart) && !snap.writtenThisSession.has(cart);
    return { cartridge: cart, file: overwrite ? 1 : (rec?.files ?? 0) + 1 };
  }

  private async endOfTape(full: WritePosition, raw: boolean): Promise<WritePosition | null> {
    const rec: TapeRecord = { bytes: full.bytesOnTape, files: full.file, full: true, lastWrite: nowSec() };
    await this.d.inventory.countTapeFull(full.cartridge, rec);
    this.d.log.info({ cart: full.cartridge, bytes: full.bytesOnTape }, 'cartridge is full');
    if (this.cfg.tapeFullCommand) {
      await runShell(expand(this.cfg.tapeFullCommand, { c: full.cartridge, n: 1, d: this.cfg.deviceName, D: this.cfg.changerDevice ?? '', C: this.cfg.configPath }), {
        env: this.d.commandEnv(),
      });
    }
    if (raw || !this.changeCartOnEot) return null;
    const next = chooseNextCartridge(await this.snapshot(), full.cartridge);
    if (!next) throw new AfError('REQNEWCART_FAILED', 'no more free tapes');
    await this.d.drive.writeFilemarks(1).catch(() => undefined);
    const pos = await this.prepareWrite(next.cartridge, next.file);
    this.writtenThisSession.add(next.cartridge);
    await this.d.inventory.setSuccessor(full.cartridge, { cart: pos.cartridge, file: pos.file });
    this.d.log.info({ from: full.cartridge, to: pos.cartridge, file: pos.file }, 'continuing on the next cartridge');
    return pos;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.writer || (this.mode !== 'write' && this.mode !== 'rawwrite')) throw new AfError('DEVNOTOPENWR');
    await this.writer.write(data);
  }

  setNumWriteValid(n: number): void {
    if (!this.writer) throw new AfError('DEVNOTOPENWR');
    this.writer.setNextValid(n);
  }

  requestNewFile(): void {
    this.writer?.requestNewFile();
  }

  /** REQUESTNEWCART: the set's next write starts on a fresh cartridge. */
  async requestNewCartridge(): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is open');
    await this.ensureDrive('w');
    const pos = await this.writePosition();
    if (pos.file === 1) return;
    const tapes = await this.d.inventory.tapes();
    const rec = tapes.get(pos.cart) ?? { bytes: 0, files: pos.file - 1, full: false, lastWrite: nowSec() };
    await this.d.inventory.countTapeFull(pos.cart, { ...rec, full: true });
    const next = chooseNextCartridge(await this.snapshot(), pos.cart);
    if (!next || next.file !== 1) throw new AfError('REQNEWCART_FAILED', 'no free cartridge');
    await this.d.inventory.setInsertPosition(this.activeSet, { cart: next.cartridge, file: 1 });
  }

  // ---------------------------------------------------------------- reading

  async openForRead(raw: boolean): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is already open');
    await this.ensureDrive('r');
    const cart = this.selectedCart ?? this.loaded ?? (await this.d.inventory.drivePosition(this.cfg.deviceName))?.cart ?? this.setCartridges()[0] ?? 1;
    try {
      if (raw) {
        if (this.loaded !== cart) await this.loadCartridge(cart, { forWrite: false, primaryOnly: false, labelling: true });
      } else {
        await this.loadCartridge(cart, { forWrite: false, primaryOnly: false });
      }
    } catch (e) {
      if (isAfError(e, 'CHANGECART_FAILED')) throw new AfError('OPENRD_FAILED', e.detail);
      throw e;
    }
    const phys = raw && this.rawPhysFile !== null ? this.rawPhysFile : this.selectedFile;
    await (await this.io()).setBlockSize(this.blockSize);
    try {
      if (phys === 0) await (await this.io()).rewind();
      else await (await this.io()).seekFile(phys);
    } catch (e) {
      if (isAfError(e, 'SETFILE_FAILED')) throw new AfError('OPENRD_FAILED', `cartridge ${cart} has no file ${phys}`);
      throw e;
    }
    this.readCart = cart;
    this.visited = new Set([cart]);
    this.reader = new ReadStream(this.d.drive, phys, { blockSize: this.blockSize, raw, errorOnEot: !this.changeCartOnEot }, {
      onNextFile: () => {
        this.crossedFilemark = true;
      },
      onEndOfCartridge: () => this.followCartridgeOrder(),
    });
    if (!raw && !(await this.reader.hasData())) {
      this.reader = null;
      throw new AfError('OPENRD_FAILED', `no data at cartridge ${cart}, file ${phys}`);
    }
    this.mode = raw ? 'rawread' : 'read';
    this.crossedFilemark = false;
    await this.d.inventory.setStatus(`Device ${this.cfg.deviceName} is open for reading on cartridge ${cart}, file ${phys}.`);
  }

  /** At the end of a cartridge's data: go on where the stream went on when it was written. */
  private async followCartridgeOrder(): Promise<boolean> {
    if (this.readCart === null || !this.reader) return false;
    const next = await this.d.inventory.successor(this.readCart);
    if (!next || next.cart === 0) return false;
    // cartridge_order may run in a circle after tapes were reused: each cartridge once per stream.
    if (this.visited.has(next.cart)) return false;
    this.visited.add(next.cart);
    try {
      await this.loadCartridge(next.cart, { forWrite: false, primaryOnly: false });
      await (await this.io()).seekFile(next.file);
    } catch (e) {
      this.d.log.warn({ err: e, next }, 'cannot continue reading on the next cartridge');
      return false;
    }
    this.readCart = next.cart;
    this.reader.moveTo(next.file);
    return true;
  }

  async read(n: number): Promise<ReadChunk> {
    if (!this.reader || (this.mode !== 'read' && this.mode !== 'rawread')) throw new AfError('DEVNOTOPENRD');
    const chunk = await this.reader.read(n);
    this.lastReadValid = chunk.valid;
    return chunk;
  }

  // ---------------------------------------------------------------- closing

  async close(rewind: boolean): Promise<void> {
    const mode = this.mode;
    this.mode = 'closed';
    if (mode === 'write' || mode === 'rawwrite') {
      const w = this.writer!;
      this.writer = null;
      try {
        await w.finish();
      } catch (e) {
        throw new AfError('CLOSE_FAILED', (e as Error).message, { cause: e });
      }
      const end = w.position;
      if (mode === 'write') {
        await this.d.inventory.setTape(end.cartridge, { bytes: end.bytesOnTape, files: end.file, full: false, lastWrite: nowSec() });
        await this.d.inventory.setInsertPosition(this.activeSet, { cart: end.cartridge, file: end.file + 1 });
      }
      this.selectedCart = end.cartridge;
      this.selectedFile = end.file + 1;
      // The next raw write goes on behind the file just closed, not over it.
      if (mode === 'rawwrite') this.rawPhysFile = end.file + 1;
    } else if (mode === 'read' || mode === 'rawread') {
      const r = this.reader!;
      this.reader = null;
      if (this.readCart !== null) this.selectedCart = this.readCart;
      // The next open (or SKIPFILES) goes on from where the reading stopped.
      this.selectedFile = r.file;
      if (mode === 'rawread') this.rawPhysFile = r.file;
    }
    if (rewind && this.driveOpen && this.loaded !== null) {
      await this.d.drive.rewind();
      if (this.loaded !== null) await this.d.inventory.setDrivePosition(this.cfg.deviceName, { cart: this.loaded, file: 1 });
    }
    if (mode !== 'closed') await this.d.inventory.setStatus(`Device ${this.cfg.deviceName} is closed, idle.`);
  }

  /** ERASETAPE: run Erase-Tape-Command (nothing when none is configured). */
  async erase(): Promise<void> {
    if (this.isOpen) throw new AfError('DEVINUSE', 'the device is open');
    await this.ensureDrive('w');
    if (this.cfg.eraseTapeCommand) await this.eraseTape();
  }

  /** Releases the drive at the end of the connection. */
  async shutdown(): Promise<void> {
    if (this.isOpen) {
      try {
        await this.close(true);
      } catch (e) {
        this.d.log.error({ err: e }, 'closing the tape at the end of the session failed');
      }
    }
    if (this.driveOpen) {
      this.driveOpen = false;
      await this.d.drive.close().catch((e: unknown) => this.d.log.error({ err: e }, 'releasing the drive failed'));
    }
  }

  /** Cartridges written in this session. */
  writtenCartridges(): number[] {
    return [...this.writtenThisSession].sort((a, b) => a - b);
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
