/**
 * ScsiChanger: the MediaChanger contract over a SCSI medium changer node (/dev/sgN)
 * through the addon's SG_IO call, speaking SMC with the pure codecs of ../scsi.
 *
 * Each operation opens the node read-write (sg refuses MOVE MEDIUM on a read-only
 * descriptor), checks once per instance that INQUIRY says "medium changer" (type 8),
 * reads the element ranges from MODE SENSE page 0x1D and the elements from READ ELEMENT
 * STATUS (per element type, with volume tags), then moves with MOVE MEDIUM, and closes.
 * Operations of one instance run one after another.
 *
 * Errors: a missing node → DEVICE_MISSING; EBUSY → DEVINUSE; a CHECK CONDITION → CHANGER_FAILED
 * with the decoded sense ("Illegal request: medium source element empty"); transport or
 * driver errors and every other errno → CHANGER_FAILED naming the command. A device that
 * is not a changer → CHANGER_FAILED saying what it is. UNIT ATTENTION and "becoming ready"
 * are retried a few times.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AfError } from '../../errors.js';
import { errnoName, isErrno, native, type SgDirection, type SgResult } from '../../native.js';
import type { Element, MediaChanger } from '../tape-drive.js';
import {
  ELEMENT_TYPE,
  inquiryCdb,
  modeSense6Cdb,
  moveMediumCdb,
  readElementStatusCdb,
  testUnitReadyCdb,
} from '../scsi/cdb.js';
import { type ElementStatus, parseElementStatus } from '../scsi/element-status.js';
import { addressOf, elementMap, type ElementMap, toElements } from '../scsi/elements.js';
import { DEVICE_TYPE, parseInquiry } from '../scsi/inquiry.js';
import { type ElementAddressAssignment, parseElementAddressAssignment } from '../scsi/mode-page-1d.js';
import { parseSense, SENSE_KEY, senseMessage } from '../scsi/sense.js';

const E = os.constants.errno;

export interface ScsiChangerOptions {
  /** Timeout of inquiries and status reads (default 60 s). */
  timeoutMs?: number;
  /** Timeout of MOVE MEDIUM (default 15 min: a robot may first scan or wait for a drive). */
  moveTimeoutMs?: number;
  /** Pause before retrying a "not ready, becoming ready" or unit attention (default 1 s). */
  retryDelayMs?: number;
}

/** A command that ended with sense data. */
class SenseFailure extends AfError {
  constructor(
    readonly senseKey: number,
    readonly asc: number,
    readonly ascq: number,
    detail: string,
  ) {
    super('CHANGER_FAILED', detail);
  }
}

interface Snapshot {
  statuses: ElementStatus[];
  map: ElementMap;
}

export class ScsiChanger implements MediaChanger {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly moveTimeoutMs: number;
  private readonly retryDelayMs: number;
  private checked = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(devicePath: string, opts: ScsiChangerOptions = {}) {
    this.name = devicePath;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.moveTimeoutMs = opts.moveTimeoutMs ?? 15 * 60_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
  }

  inventory(): Promise<Element[]> {
    return this.serial(async (fd) => toElements((await this.snapshot(fd)).statuses));
  }

  load(slot: number, drive: number): Promise<void> {
    return this.serial(async (fd) => {
      const { statuses, map } = await this.snapshot(fd);
      const source = addressOf(map, 'slot', slot);
      const destination = addressOf(map, 'drive', drive);
      if (!this.at(statuses, source).full) throw new AfError('CHANGER_FAILED', `slot ${slot} of "${this.name}" is empty`);
      if (this.at(statuses, destination).full) throw new AfError('CHANGER_FAILED', `drive ${drive} of "${this.name}" is full`);
      await this.move(fd, map, source, destination);
    });
  }

  unload(drive: number, slot?: number): Promise<void> {
    return this.serial(async (fd) => {
      const { statuses, map } = await this.snapshot(fd);
      const source = addressOf(map, 'drive', drive);
      const d = this.at(statuses, source);
      if (!d.full) throw new AfError('CHANGER_FAILED', `drive ${drive} of "${this.name}" is empty`);
      let destination: number;
      if (slot !== undefined) {
        destination = addressOf(map, 'slot', slot);
        if (this.at(statuses, destination).full) throw new AfError('CHANGER_FAILED', `slot ${slot} of "${this.name}" is full`);
      } else {
        const home = d.sourceAddress !== undefined && map.slots.includes(d.sourceAddress) ? this.at(statuses, d.sourceAddress) : undefined;
        const target = home && !home.full ? home : statuses.filter((s) => s.type === 'storage' && !s.full).sort((a, b) => a.address - b.address)[0];
        if (!target) throw new AfError('CHANGER_FAILED', `"${this.name}" has no empty slot for the cartridge of drive ${drive}`);
        destination = target.address;
      }
      await this.move(fd, map, source, destination);
    });
  }

  transfer(from: Element, to: Element): Promise<void> {
    return this.serial(async (fd) => {
      if (from.kind === 'drive' || to.kind === 'drive') {
        throw new AfError('CHANGER_FAILED', 'transfer moves between slots and ports; use load or unload for a drive');
      }
      const { statuses, map } = await this.snapshot(fd);
      const source = addressOf(map, from.kind, from.number);
      const destination = addressOf(map, to.kind, to.number);
      const what = (e: Element): string => `${e.kind === 'ioport' ? 'import/export port' : 'slot'} ${e.number}`;
      if (!this.at(statuses, source).full) throw new AfError('CHANGER_FAILED', `${what(from)} of "${this.name}" is empty`);
      if (source === destination) return;
      if (this.at(statuses, destination).full) throw new AfError('CHANGER_FAILED', `${what(to)} of "${this.name}" is full`);
      await this.move(fd, map, source, destination);
    });
  }

  // --- the SCSI conversation ---

  /** Runs one operation with the node open, after the previous one of this instance ended. */
  private serial<T>(body: (fd: number) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const fd = this.openNode();
      try {
        if (!this.checked) {
          await this.identify(fd);
          this.checked = true;
        }
        return await body(fd);
      } finally {
        native().close(fd);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private openNode(): number {
    const r = native().open(this.name, 'rw', false);
    if (!isErrno(r)) return r;
    if (r.errno === E.EBUSY) throw new AfError('DEVINUSE', `changer "${this.name}" is in use`);
    if (r.errno === E.ENOENT || r.errno === E.ENXIO || r.errno === E.ENODEV) {
      throw new AfError('DEVICE_MISSING', `changer "${this.name}": ${errnoName(r.errno)}`);
    }
    throw new AfError('CHANGER_FAILED', `cannot open "${this.name}": ${errnoName(r.errno)}`);
  }

  /** INQUIRY: the node must be a medium changer. */
  private async identify(fd: number): Promise<void> {
    const data = await this.command(fd, 'INQUIRY', inquiryCdb({ allocationLength: 96 }), 'in', Buffer.alloc(96));
    const inq = parseInquiry(data);
    if (inq.deviceType !== DEVICE_TYPE.MEDIUM_CHANGER || inq.qualifier !== 0) {
      const who = [inq.vendor, inq.product].filter(Boolean).join(' ');
      const att = inq.attachedChanger ? ' (it reports an attached changer, which is not supported)' : '';
      throw new AfError(
        'CHANGER_FAILED',
        `"${this.name}" is a ${inq.deviceTypeName}${who ? ` (${who})` : ''}, not a medium changer (peripheral type 8)${att}`,
      );
    }
  }

  private async snapshot(fd: number): Promise<Snapshot> {
    const ranges = await this.elementRanges(fd);
    const statuses: ElementStatus[] = [];
    const kinds: [number, keyof ElementAddressAssignment][] = [
      [ELEMENT_TYPE.TRANSPORT, 'transport'],
      [ELEMENT_TYPE.STORAGE, 'storage'],
      [ELEMENT_TYPE.IMPORT_EXPORT, 'importExport'],
      [ELEMENT_TYPE.DATA_TRANSFER, 'dataTransfer'],
    ];
    for (const [type, key] of kinds) {
      const range = ranges[key];
      if (range.count === 0) continue;
      statuses.push(...(await this.readElements(fd, type, range.first, range.count)));
    }
    return { statuses, map: elementMap(statuses) };
  }

  private async elementRanges(fd: number): Promise<ElementAddressAssignment> {
    const data = await this.command(fd, 'MODE SENSE', modeSense6Cdb({ allocationLength: 0xff }), 'in', Buffer.alloc(0xff));
    return parseElementAddressAssignment(data, 6);
  }

  /** READ ELEMENT STATUS for one type, with volume tags; without them when the changer refuses. */
  private async readElements(fd: number, type: number, first: number, count: number): Promise<ElementStatus[]> {
    let volumeTags = true;
    let alloc = 0xffff;
    for (let attempt = 0; attempt < 4; attempt++) {
      const cdb = readElementStatusCdb({ elementType: type, startingAddress: first, numberOfElements: count, volumeTags, allocationLength: alloc });
      let data: Buffer;
      try {
        data = await this.command(fd, 'READ ELEMENT STATUS', cdb, 'in', Buffer.alloc(alloc));
      } catch (e) {
        // Some changers refuse VOLTAG (no barcode reader): ask again without it.
        if (volumeTags && e instanceof SenseFailure && e.senseKey === SENSE_KEY.ILLEGAL_REQUEST) {
          volumeTags = false;
          continue;
        }
        throw e;
      }
      const report = parseElementStatus(data);
      if (report.truncated && alloc < 0xffffff) {
        alloc = Math.min(0xffffff, 8 + report.byteCount);
        continue;
      }
      return report.elements;
    }
    throw new AfError('CHANGER_FAILED', `READ ELEMENT STATUS on "${this.name}" did not give a complete report`);
  }

  private async move(fd: number, map: ElementMap, source: number, destination: number): Promise<void> {
    await this.command(fd, 'MOVE MEDIUM', moveMediumCdb({ transport: map.transport, source, destination }), 'none', null, this.moveTimeoutMs);
  }

  private at(statuses: readonly ElementStatus[], address: number): ElementStatus {
    const s = statuses.find((x) => x.address === address);
    if (!s) throw new AfError('CHANGER_FAILED', `"${this.name}" did not report element 0x${address.toString(16)}`);
    return s;
  }

  /**
   * Issues one command; returns the bytes transferred in (for 'in'). A CHECK CONDITION
   * throws SenseFailure (CHANGER_FAILED); UNIT ATTENTION and "becoming ready" are retried.
   */
  private async command(fd: number, what: string, cdb: Buffer, dir: SgDirection, data: Buffer | null, timeoutMs = this.timeoutMs): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const r = await native().sgioAsync(fd, cdb, dir, data, timeoutMs, 64);
      if (isErrno(r)) {
        if (r.errno === E.EBUSY) throw new AfError('DEVINUSE', `changer "${this.name}" is busy (${what})`);
        throw new AfError('CHANGER_FAILED', `${what} on "${this.name}": ${r.syscall} failed with ${errnoName(r.errno)}`);
      }
      const fault = this.fault(what, r);
      if (!fault) return data ? data.subarray(0, data.length - Math.max(0, r.resid)) : Buffer.alloc(0);
      const retry =
        fault instanceof SenseFailure &&
        (fault.senseKey === SENSE_KEY.UNIT_ATTENTION || (fault.senseKey === SENSE_KEY.NOT_READY && fault.asc === 0x04 && fault.ascq === 0x01));
      if (!retry || attempt >= 5) throw fault;
      if (fault.senseKey !== SENSE_KEY.UNIT_ATTENTION) await sleep(this.retryDelayMs);
    }
  }

  /** The error a finished SG_IO request stands for, or undefined when the command succeeded. */
  private fault(what: string, r: SgResult): AfError | undefined {
    const driverError = r.driverStatus & 0x0f;
    if (r.status === 0 && r.hostStatus === 0 && (driverError === 0 || driverError === 0x08) && r.senseLen === 0) return undefined;
    if (r.senseLen > 0) {
      let sense;
      try {
        sense = parseSense(r.sense);
      } catch {
        sense = undefined;
      }
      if (sense) {
        // Recovered errors and "no sense" with GOOD status are successes.
        if (r.status === 0 && r.hostStatus === 0 && sense.senseKey <= SENSE_KEY.RECOVERED_ERROR) return undefined;
        return new SenseFailure(sense.senseKey, sense.asc, sense.ascq, `${what} on "${this.name}": ${sense.message}`);
      }
    }
    if (r.status === 0x08) return new AfError('DEVINUSE', `changer "${this.name}" is busy (${what})`);
    if (r.status === 0x18) return new AfError('DEVINUSE', `changer "${this.name}" is reserved by another initiator (${what})`);
    const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
    if (r.status === 0x02) return new SenseFailure(0, 0, 0, `${what} on "${this.name}": check condition without sense data (${senseMessage(0, 0, 0)})`);
    return new AfError(
      'CHANGER_FAILED',
      `${what} on "${this.name}" failed: status ${hex(r.status)}, host status ${hex(r.hostStatus)}, driver status ${hex(r.driverStatus)}`,
    );
  }

  /** TEST UNIT READY: whether the changer answers and is ready (used by tools and tests). */
  ready(): Promise<boolean> {
    return this.serial(async (fd) => {
      try {
        await this.command(fd, 'TEST UNIT READY', testUnitReadyCdb(), 'none', null);
        return true;
      } catch (e) {
        if (e instanceof SenseFailure) return false;
        throw e;
      }
    });
  }
}
