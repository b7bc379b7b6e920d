/**
 * Sense data decoding: what went wrong with a SCSI command, as sense key, ASC and
 * ASCQ plus a readable message, from either fixed-format (0x70/0x71) or
 * descriptor-format (0x72/0x73) sense data.
 *
 * Fixed format: byte 0 VALID 0x80 and response code; byte 2 FILEMARK 0x80, EOM 0x40,
 * ILI 0x20 and the sense key (bits 3-0); bytes 3-6 information; byte 7 additional
 * length; byte 12 ASC; byte 13 ASCQ. Descriptor format: byte 1 sense key, byte 2 ASC,
 * byte 3 ASCQ, byte 7 additional length, descriptors from byte 8 (type 0x00 carries
 * the information field, type 0x04 the FILEMARK/EOM/ILI bits).
 */
import { AfError } from '../../errors.js';
import { reader, u8, u32 } from './fields.js';

export const SENSE_KEY = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  VENDOR_SPECIFIC: 0x9,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
} as const;

const KEY_NAMES: readonly string[] = [
  'No sense',
  'Recovered error',
  'Not ready',
  'Medium error',
  'Hardware error',
  'Illegal request',
  'Unit attention',
  'Data protect',
  'Blank check',
  'Vendor specific',
  'Copy aborted',
  'Aborted command',
  'Equal (obsolete)',
  'Volume overflow',
  'Miscompare',
  'Reserved',
];

/** Readable text for the ASC/ASCQ pairs a tape server meets; key = ASC << 8 | ASCQ. */
const ASC_TEXT: ReadonlyMap<number, string> = new Map([
  [0x0000, 'no additional sense information'],
  [0x0001, 'filemark detected'],
  [0x0002, 'end of partition or medium detected'],
  [0x0004, 'beginning of partition or medium detected'],
  [0x0005, 'end of data detected'],
  [0x0017, 'cleaning requested'],
  [0x0400, 'logical unit not ready'],
  [0x0401, 'logical unit is becoming ready'],
  [0x0402, 'logical unit not ready, initializing command required'],
  [0x0403, 'logical unit not ready, manual intervention required'],
  [0x0c00, 'write error'],
  [0x1100, 'unrecovered read error'],
  [0x1400, 'recorded entity not found'],
  [0x1501, 'mechanical positioning error'],
  [0x1a00, 'parameter list length error'],
  [0x2000, 'invalid command operation code'],
  [0x2101, 'invalid element address'],
  [0x2400, 'invalid field in CDB'],
  [0x2500, 'logical unit not supported'],
  [0x2600, 'invalid field in parameter list'],
  [0x2700, 'write protected'],
  [0x2800, 'not ready to ready change, medium may have changed'],
  [0x2801, 'import or export element accessed'],
  [0x2900, 'power on, reset, or bus device reset occurred'],
  [0x2a01, 'mode parameters changed'],
  [0x3000, 'incompatible medium installed'],
  [0x3003, 'cleaning cartridge installed'],
  [0x3a00, 'medium not present'],
  [0x3a02, 'medium not present, tray open'],
  [0x3b0d, 'medium destination element full'],
  [0x3b0e, 'medium source element empty'],
  [0x3b11, 'medium magazine not accessible'],
  [0x3b12, 'medium magazine removed'],
  [0x3b13, 'medium magazine inserted'],
  [0x3b14, 'medium magazine locked'],
  [0x3b15, 'medium magazine unlocked'],
  [0x3b1a, 'data transfer element removed'],
  [0x4400, 'internal target failure'],
  [0x5300, 'media load or eject failed'],
  [0x5302, 'medium removal prevented'],
  [0x5d00, 'failure prediction threshold exceeded'],
  [0x8302, 'element not installed (vendor specific)'],
  [0x8304, 'element not installed (vendor specific)'],
]);

export interface SenseData {
  format: 'fixed' | 'descriptor';
  responseCode: number;
  /** False for deferred errors (0x71, 0x73): they belong to an earlier command. */
  current: boolean;
  senseKey: number;
  asc: number;
  ascq: number;
  filemark: boolean;
  eom: boolean;
  ili: boolean;
  /** The information field, when marked valid. */
  information?: number;
  /** "Illegal request: medium destination element full", or key name and hex codes when unknown. */
  message: string;
}

export function senseKeyName(key: number): string {
  return KEY_NAMES[key & 0x0f]!;
}

/** Readable text of an ASC/ASCQ pair, or undefined when the table does not know it. */
export function ascText(asc: number, ascq: number): string | undefined {
  return ASC_TEXT.get(((asc & 0xff) << 8) | (ascq & 0xff));
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** The one-line message for a sense key with its ASC/ASCQ. */
export function senseMessage(senseKey: number, asc: number, ascq: number): string {
  const name = senseKeyName(senseKey);
  if (asc === 0 && ascq === 0) return name;
  return `${name}: ${ascText(asc, ascq) ?? `additional sense code ${hex(asc)}/${hex(ascq)}`}`;
}

/** Decodes sense data of either format. Throws DEVICE_IO for anything that is not sense data. */
export function parseSense(buf: Buffer): SenseData {
  const r = reader(buf, 'DEVICE_IO', 'Sense data');
  const responseCode = u8(r, 0, 'response code') & 0x7f;
  if (responseCode === 0x70 || responseCode === 0x71) {
    const b2 = u8(r, 2, 'sense key');
    const senseKey = b2 & 0x0f;
    const additional = buf.length > 7 ? buf[7]! : 0;
    // ASC and ASCQ lie beyond byte 7 only when the device says it sent them.
    const asc = additional >= 5 && buf.length > 12 ? buf[12]! : 0;
    const ascq = additional >= 6 && buf.length > 13 ? buf[13]! : 0;
    const out: SenseData = {
      format: 'fixed',
      responseCode,
      current: responseCode === 0x70,
      senseKey,
      asc,
      ascq,
      filemark: (b2 & 0x80) !== 0,
      eom: (b2 & 0x40) !== 0,
      ili: (b2 & 0x20) !== 0,
      message: senseMessage(senseKey, asc, ascq),
    };
    if ((buf[0]! & 0x80) !== 0 && buf.length >= 7) out.information = u32(r, 3, 'information');
    return out;
  }
  if (responseCode === 0x72 || responseCode === 0x73) {
    const senseKey = u8(r, 1, 'sense key') & 0x0f;
    const asc = u8(r, 2, 'ASC');
    const ascq = u8(r, 3, 'ASCQ');
    const out: SenseData = {
      format: 'descriptor',
      responseCode,
      current: responseCode === 0x72,
      senseKey,
      asc,
      ascq,
      filemark: false,
      eom: false,
      ili: false,
      message: senseMessage(senseKey, asc, ascq),
    };
    const end = Math.min(buf.length, 8 + (buf.length > 7 ? buf[7]! : 0));
    for (let p = 8; p + 2 <= end; ) {
      const type = buf[p]!;
      const len = buf[p + 1]!;
      if (p + 2 + len > end) break;
      if (type === 0x00 && len >= 0x0a && (buf[p + 2]! & 0x80) !== 0) {
        const value = buf.readBigUInt64BE(p + 4);
        out.information = value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
      } else if (type === 0x04 && len >= 2) {
        const flags = buf[p + 3]!;
        out.filemark = (flags & 0x80) !== 0;
        out.eom = (flags & 0x40) !== 0;
        out.ili = (flags & 0x20) !== 0;
      }
      p += 2 + len;
    }
    return out;
  }
  throw new AfError('DEVICE_IO', `Sense data: unknown response code 0x${hex(responseCode)}`);
}
