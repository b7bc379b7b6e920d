/**
 * The changer of the virtual tape library: moves cartridges between slots, drives and
 * import/export ports by rewriting the library's `slots` and `drives` files.
 *
 * - Every move holds `changer.lck` (flock); while another process moves, an operation
 *   waits up to changerWaitMs and then fails with DEVINUSE. Moves in one process are
 *   queued.
 * - A move involving drive n also takes `drive.<n>.lck`, as afbackup's cart_ctl takes
 *   the device lock. A drive that another process has open can still be loaded when
 *   empty, and unloaded once that process ejected the cartridge; an unload of a
 *   cartridge still in use fails ("medium removal prevented", as on a real library).
 *   The drive objects of this same library object are simply asked to eject first.
 * - Faults are CHANGER_FAILED with the reason: empty source, full destination, no
 *   such element, cartridge in use.
 */
import { AfError } from '../../errors.js';
import type { Element, MediaChanger } from '../tape-drive.js';
import { FileLock } from '../directory/file-lock.js';
import { EMPTY_DRIVE } from './library-files.js';
import type { VirtualLibrary } from './library.js';

export class VirtualChanger implements MediaChanger {
  readonly name: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly lib: VirtualLibrary,
    private readonly waitMs: number,
  ) {
    this.name = lib.name;
  }

  async inventory(): Promise<Element[]> {
    const { table, drives } = this.lib.readState();
    const out: Element[] = [];
    drives.forEach((d, i) => {
      const e: Element = { kind: 'drive', number: i + 1, full: d.cartridge !== null };
      if (d.cartridge !== null) {
        e.barcode = d.cartridge;
        if (d.fromSlot !== null) e.sourceSlot = d.fromSlot;
      }
      out.push(e);
    });
    table.slots.forEach((b, i) => out.push(element('slot', i + 1, b)));
    table.ports.forEach((b, i) => out.push(element('ioport', i + 1, b)));
    return out;
  }

  async load(slot: number, drive: number): Promise<void> {
    this.checkNumber('slot', slot);
    this.checkNumber('drive', drive);
    await this.move(() =>
      this.withDrive(drive, 'load', () =>
        this.lib.updateState((table, drives) => {
          const barcode = table.slots[slot - 1];
          if (barcode === null) throw failed(`slot ${slot} is empty`);
          const d = drives[drive - 1];
          if (d.cartridge !== null) throw failed(`drive ${drive} is full (cartridge ${d.cartridge})`);
          table.slots[slot - 1] = null;
          drives[drive - 1] = { ...d, state: 'loaded', cartridge: barcode, fromSlot: slot, file: 0, block: 0 };
          return { slots: true, drives: true };
        }),
      ),
    );
  }

  async unload(drive: number, slot?: number): Promise<void> {
    this.checkNumber('drive', drive);
    if (slot !== undefined) this.checkNumber('slot', slot);
    await this.move(() =>
      this.withDrive(drive, 'unload', () =>
        this.lib.updateState((table, drives) => {
          const d = drives[drive - 1];
          if (d.cartridge === null) throw failed(`drive ${drive} is empty`);
          let to = slot ?? d.fromSlot ?? undefined;
          if (to === undefined || to > table.slots.length) {
            const free = table.slots.indexOf(null);
            if (free < 0) throw failed(`no empty slot to unload drive ${drive} into`);
            to = free + 1;
          }
          if (table.slots[to - 1] !== null) throw failed(`slot ${to} is full (cartridge ${table.slots[to - 1]})`);
          table.slots[to - 1] = d.cartridge;
          drives[drive - 1] = { ...EMPTY_DRIVE, blockSize: d.blockSize };
          return { slots: true, drives: true };
        }),
      ),
    );
  }

  async transfer(from: Element, to: Element): Promise<void> {
    for (const e of [from, to]) {
      if (e.kind === 'drive') throw failed('transfer moves between slots and ports; use load and unload for drives');
      this.checkNumber(e.kind, e.number);
    }
    await this.move(async () =>
      this.lib.updateState((table) => {
        const src = from.kind === 'slot' ? table.slots : table.ports;
        const dst = to.kind === 'slot' ? table.slots : table.ports;
        const barcode = src[from.number - 1];
        if (barcode === null) throw failed(`${label(from)} is empty`);
        if (src === dst && from.number === to.number) return;
        if (dst[to.number - 1] !== null) throw failed(`${label(to)} is full (cartridge ${dst[to.number - 1]})`);
        src[from.number - 1] = null;
        dst[to.number - 1] = barcode;
        return { slots: true };
      }),
    );
  }

  // --- internals ---

  private checkNumber(kind: Element['kind'], n: number): void {
    const c = this.lib.config;
    const max = kind === 'drive' ? c.drives : kind === 'slot' ? c.slots : c.ports;
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw failed(`there is no ${kind === 'ioport' ? 'import/export port' : kind} ${n} (the library has ${max})`);
    }
  }

  /** Runs op holding changer.lck, after the operations queued before it in this process. */
  private move(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      const lock = await this.takeChangerLock();
      try {
        await op();
      } finally {
        lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async takeChangerLock(): Promise<FileLock> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      let lock: FileLock | undefined;
      try {
        lock = FileLock.tryExclusive(this.lib.changerLockPath());
      } catch (e) {
        throw failed(`cannot lock the changer: ${(e as Error).message}`);
      }
      if (lock) return lock;
      if (Date.now() >= deadline) throw new AfError('DEVINUSE', `${this.name}: another process is operating the changer`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Runs a move touching drive n with the drive's cooperation: an open drive object of
   * this library object is asked to eject (for an unload); otherwise the drive lock is
   * taken, and if another process holds it, only what that process cannot mind is
   * allowed (loading an empty drive, taking out an ejected cartridge).
   */
  private async withDrive(n: number, what: 'load' | 'unload', op: () => void): Promise<void> {
    const mine = this.lib.existingDrive(n);
    if (mine?.isOpen()) {
      if (what === 'unload') await mine.eject();
      op();
      return;
    }
    const lock = this.lib.tryDriveLock(n);
    try {
      if (!lock && what === 'unload') {
        const line = this.lib.readDriveLine(n);
        if (line.cartridge !== null && line.state !== 'ejected') {
          throw failed(`drive ${n} is in use by another process and has not ejected cartridge ${line.cartridge}`);
        }
      }
      op();
    } finally {
      lock?.release();
    }
  }
}

function element(kind: 'slot' | 'ioport', number: number, barcode: string | null): Element {
  return barcode === null ? { kind, number, full: false } : { kind, number, full: true, barcode };
}

function label(e: Element): string {
  return `${e.kind === 'ioport' ? 'port' : 'slot'} ${e.number}`;
}

function failed(why: string): AfError {
  return new AfError('CHANGER_FAILED', why);
}
