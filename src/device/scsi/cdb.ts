/**
 * Command descriptor blocks (CDBs) for the SCSI commands a tape server sends to a
 * media changer or a tape drive, built as exact byte images (SPC, SSC, SMC).
 *
 * Every builder checks its arguments and throws AfError (CHANGER_FAILED for the
 * changer commands, DEVICE_IO for the generic ones) rather than truncating a value
 * into a field that is too narrow. Multi-byte fields are big-endian. The control
 * byte (last byte) is always 0.
 */
import { AfError, type ErrorCode } from '../../errors.js';

export const OPCODE = {
  TEST_UNIT_READY: 0x00,
  REQUEST_SENSE: 0x03,
  INITIALIZE_ELEMENT_STATUS: 0x07,
  INQUIRY: 0x12,
  MODE_SENSE_6: 0x1a,
  INITIALIZE_ELEMENT_STATUS_WITH_RANGE: 0x37,
  LOG_SENSE: 0x4d,
  MODE_SENSE_10: 0x5a,
  MOVE_MEDIUM: 0xa5,
  /** MOVE MEDIUM through a tape drive's LUN ("attached" changer API). */
  MOVE_MEDIUM_ATTACHED: 0xa7,
  /** READ ELEMENT STATUS through a tape drive's LUN ("attached" changer API). */
  READ_ELEMENT_STATUS_ATTACHED: 0xb4,
  READ_ELEMENT_STATUS: 0xb8,
} as const;

/** SMC element type codes, as sent in READ ELEMENT STATUS and returned in its pages. */
export const ELEMENT_TYPE = {
  ALL: 0,
  TRANSPORT: 1,
  STORAGE: 2,
  IMPORT_EXPORT: 3,
  DATA_TRANSFER: 4,
} as const;

/** Mode page 0x1D, Element Address Assignment. */
export const PAGE_ELEMENT_ADDRESS_ASSIGNMENT = 0x1d;
/** Log page 0x2E, TapeAlert (reading it clears the flags). */
export const LOG_PAGE_TAPEALERT = 0x2e;
/** Log page 0x12, TapeAlert Response (reading it leaves the flags set). */
export const LOG_PAGE_TAPEALERT_RESPONSE = 0x12;

function check(code: ErrorCode, cmd: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AfError(code, `${cmd}: ${name} ${String(value)} is outside ${min}..${max}`);
  }
  return value;
}

const GENERIC: ErrorCode = 'DEVICE_IO';
const CHANGER: ErrorCode = 'CHANGER_FAILED';

/** TEST UNIT READY (6 bytes, all zero): is the unit ready for media access. */
export function testUnitReadyCdb(): Buffer {
  return Buffer.alloc(6);
}

/** REQUEST SENSE (6 bytes). descriptor asks for descriptor-format sense (DESC bit). */
export function requestSenseCdb(opts: { allocationLength?: number; descriptor?: boolean } = {}): Buffer {
  const alloc = check(GENERIC, 'REQUEST SENSE', 'allocation length', opts.allocationLength ?? 252, 0, 0xff);
  const cdb = Buffer.alloc(6);
  cdb[0] = OPCODE.REQUEST_SENSE;
  cdb[1] = opts.descriptor ? 0x01 : 0x00;
  cdb[4] = alloc;
  return cdb;
}

/**
 * INQUIRY (6 bytes). Without vpdPage: the standard data (default 96 bytes asked).
 * With vpdPage: that Vital Product Data page (EVPD bit set; default 255 bytes asked).
 * The allocation length is the 16-bit field of bytes 3-4 (byte 3 stays 0 up to 255,
 * which old SCSI-2 devices that read byte 4 only also understand).
 */
export function inquiryCdb(opts: { vpdPage?: number; allocationLength?: number } = {}): Buffer {
  const evpd = opts.vpdPage !== undefined;
  const page = evpd ? check(GENERIC, 'INQUIRY', 'VPD page', opts.vpdPage!, 0, 0xff) : 0;
  const alloc = check(GENERIC, 'INQUIRY', 'allocation length', opts.allocationLength ?? (evpd ? 255 : 96), 0, 0xffff);
  const cdb = Buffer.alloc(6);
  cdb[0] = OPCODE.INQUIRY;
  cdb[1] = evpd ? 0x01 : 0x00;
  cdb[2] = page;
  cdb.writeUInt16BE(alloc, 3);
  return cdb;
}

export interface ModeSenseOptions {
  /** Page code, default 0x1D (element address assignment). */
  page?: number;
  subpage?: number;
  /** Disable block descriptors (DBD), default true: changers have none to give. */
  dbd?: boolean;
  /** 0 current, 1 changeable, 2 default, 3 saved values. Default 0. */
  pageControl?: number;
  allocationLength?: number;
}

function modeSenseFields(opts: ModeSenseOptions, cmd: string): { page: number; sub: number; pc: number } {
  return {
    page: check(CHANGER, cmd, 'page code', opts.page ?? PAGE_ELEMENT_ADDRESS_ASSIGNMENT, 0, 0x3f),
    sub: check(CHANGER, cmd, 'subpage code', opts.subpage ?? 0, 0, 0xff),
    pc: check(CHANGER, cmd, 'page control', opts.pageControl ?? 0, 0, 3),
  };
}

/** MODE SENSE(6): byte 1 DBD 0x08, byte 2 page control (bits 7-6) and page code, byte 3 subpage, byte 4 allocation length. */
export function modeSense6Cdb(opts: ModeSenseOptions = {}): Buffer {
  const { page, sub, pc } = modeSenseFields(opts, 'MODE SENSE(6)');
  const alloc = check(CHANGER, 'MODE SENSE(6)', 'allocation length', opts.allocationLength ?? 0xff, 0, 0xff);
  const cdb = Buffer.alloc(6);
  cdb[0] = OPCODE.MODE_SENSE_6;
  cdb[1] = opts.dbd === false ? 0x00 : 0x08;
  cdb[2] = (pc << 6) | page;
  cdb[3] = sub;
  cdb[4] = alloc;
  return cdb;
}

/** MODE SENSE(10): as MODE SENSE(6) with a 16-bit allocation length in bytes 7-8. */
export function modeSense10Cdb(opts: ModeSenseOptions = {}): Buffer {
  const { page, sub, pc } = modeSenseFields(opts, 'MODE SENSE(10)');
  const alloc = check(CHANGER, 'MODE SENSE(10)', 'allocation length', opts.allocationLength ?? 0xffff, 0, 0xffff);
  const cdb = Buffer.alloc(10);
  cdb[0] = OPCODE.MODE_SENSE_10;
  cdb[1] = opts.dbd === false ? 0x00 : 0x08;
  cdb[2] = (pc << 6) | page;
  cdb[3] = sub;
  cdb.writeUInt16BE(alloc, 7);
  return cdb;
}

export interface ReadElementStatusOptions {
  /** ELEMENT_TYPE code: 0 all, 1 transport, 2 storage, 3 import/export, 4 data transfer. */
  elementType: number;
  startingAddress: number;
  numberOfElements: number;
  /** Ask for volume tags (barcodes): VOLTAG bit 0x10 of byte 1. */
  volumeTags?: boolean;
  /** Ask for drive identifiers (serial numbers): DVCID bit 0x01 of byte 6. */
  deviceIds?: boolean;
  /** Ask for data without moving anything (CURDATA bit 0x02 of byte 6). */
  currentData?: boolean;
  /** 24-bit allocation length; default 0xFFFF, since some changers read only its low two bytes. */
  allocationLength?: number;
  /** Use opcode 0xB4, the changer addressed through a tape drive's LUN. */
  attached?: boolean;
}

/** READ ELEMENT STATUS (12 bytes). */
export function readElementStatusCdb(o: ReadElementStatusOptions): Buffer {
  const cmd = 'READ ELEMENT STATUS';
  const type = check(CHANGER, cmd, 'element type code', o.elementType, 0, 4);
  const start = check(CHANGER, cmd, 'starting element address', o.startingAddress, 0, 0xffff);
  const count = check(CHANGER, cmd, 'number of elements', o.numberOfElements, 0, 0xffff);
  const alloc = check(CHANGER, cmd, 'allocation length', o.allocationLength ?? 0xffff, 0, 0xffffff);
  const cdb = Buffer.alloc(12);
  cdb[0] = o.attached ? OPCODE.READ_ELEMENT_STATUS_ATTACHED : OPCODE.READ_ELEMENT_STATUS;
  cdb[1] = (o.volumeTags ? 0x10 : 0x00) | type;
  cdb.writeUInt16BE(start, 2);
  cdb.writeUInt16BE(count, 4);
  cdb[6] = (o.currentData ? 0x02 : 0x00) | (o.deviceIds ? 0x01 : 0x00);
  cdb.writeUIntBE(alloc, 7, 3);
  return cdb;
}

export interface MoveMediumOptions {
  /** Address of the medium transport (robot arm); 0 lets the changer pick its default. */
  transport: number;
  source: number;
  destination: number;
  /** Turn the medium over (double-sided media): INVERT bit of byte 10. */
  invert?: boolean;
  /** Use opcode 0xA7, the changer addressed through a tape drive's LUN. */
  attached?: boolean;
}

/** MOVE MEDIUM (12 bytes): transport in bytes 2-3, source 4-5, destination 6-7. */
export function moveMediumCdb(o: MoveMediumOptions): Buffer {
  const cmd = 'MOVE MEDIUM';
  const transport = check(CHANGER, cmd, 'transport element address', o.transport, 0, 0xffff);
  const source = check(CHANGER, cmd, 'source element address', o.source, 0, 0xffff);
  const destination = check(CHANGER, cmd, 'destination element address', o.destination, 0, 0xffff);
  const cdb = Buffer.alloc(12);
  cdb[0] = o.attached ? OPCODE.MOVE_MEDIUM_ATTACHED : OPCODE.MOVE_MEDIUM;
  cdb.writeUInt16BE(transport, 2);
  cdb.writeUInt16BE(source, 4);
  cdb.writeUInt16BE(destination, 6);
  cdb[10] = o.invert ? 0x01 : 0x00;
  return cdb;
}

/** INITIALIZE ELEMENT STATUS (6 bytes): the changer re-inventories every element (barcode scan). */
export function initializeElementStatusCdb(): Buffer {
  const cdb = Buffer.alloc(6);
  cdb[0] = OPCODE.INITIALIZE_ELEMENT_STATUS;
  return cdb;
}

/**
 * INITIALIZE ELEMENT STATUS WITH RANGE (10 bytes): byte 1 RANGE bit 0x01 (and FAST 0x02),
 * starting address in bytes 2-3, number of elements in bytes 6-7.
 */
export function initializeElementStatusRangeCdb(o: { startingAddress: number; numberOfElements: number; fast?: boolean }): Buffer {
  const cmd = 'INITIALIZE ELEMENT STATUS WITH RANGE';
  const start = check(CHANGER, cmd, 'starting element address', o.startingAddress, 0, 0xffff);
  const count = check(CHANGER, cmd, 'number of elements', o.numberOfElements, 0, 0xffff);
  const cdb = Buffer.alloc(10);
  cdb[0] = OPCODE.INITIALIZE_ELEMENT_STATUS_WITH_RANGE;
  cdb[1] = 0x01 | (o.fast ? 0x02 : 0x00);
  cdb.writeUInt16BE(start, 2);
  cdb.writeUInt16BE(count, 6);
  return cdb;
}

export interface LogSenseOptions {
  /** Log page, default 0x2E (TapeAlert). */
  page?: number;
  subpage?: number;
  /** 0 threshold, 1 cumulative (default), 2 default threshold, 3 default cumulative values. */
  pageControl?: number;
  parameterPointer?: number;
  allocationLength?: number;
}

/** LOG SENSE (10 bytes): byte 2 page control (bits 7-6) and page, byte 3 subpage, 5-6 parameter pointer, 7-8 allocation length. */
export function logSenseCdb(o: LogSenseOptions = {}): Buffer {
  const cmd = 'LOG SENSE';
  const page = check(GENERIC, cmd, 'page code', o.page ?? LOG_PAGE_TAPEALERT, 0, 0x3f);
  const sub = check(GENERIC, cmd, 'subpage code', o.subpage ?? 0, 0, 0xff);
  const pc = check(GENERIC, cmd, 'page control', o.pageControl ?? 1, 0, 3);
  const ptr = check(GENERIC, cmd, 'parameter pointer', o.parameterPointer ?? 0, 0, 0xffff);
  const alloc = check(GENERIC, cmd, 'allocation length', o.allocationLength ?? 0x0200, 0, 0xffff);
  const cdb = Buffer.alloc(10);
  cdb[0] = OPCODE.LOG_SENSE;
  cdb[2] = (pc << 6) | page;
  cdb[3] = sub;
  cdb.writeUInt16BE(ptr, 5);
  cdb.writeUInt16BE(alloc, 7);
  return cdb;
}
