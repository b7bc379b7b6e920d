/**
 * READ ELEMENT STATUS response parsing (SMC): the state of every element a changer
 * reported, one value per element descriptor.
 *
 * Layout: an 8-byte data header (first address 0-1, number of elements 2-3, byte
 * count of report 5-7), then per element type a page: an 8-byte page header (type
 * code 0, flags 1 with PVOLTAG 0x80 and AVOLTAG 0x40, descriptor length 2-3, byte
 * count of descriptors 5-7) followed by descriptors of that length. A descriptor:
 * address 0-1; flags 2 (FULL 0x01, IMPEXP 0x02, EXCEPT 0x04, ACCESS 0x08, EXENAB
 * 0x10, INENAB 0x20); ASC 4, ASCQ 5; for drives byte 6 (ID VALID 0x20, LU VALID 0x10,
 * LUN bits 2-0) and byte 7 (SCSI id); byte 9 SVALID 0x80, INVERT 0x40; source address
 * 10-11; from byte 12 the 36-byte primary volume tag if PVOLTAG, then the alternate one
 * if AVOLTAG; then, for drives asked with DVCID, an identifier (code set 0, type 1,
 * length 3, identifier from 4).
 *
 * The descriptor length is always taken from the page header, never assumed. When the
 * report was cut short by the allocation length, whole descriptors that arrived are
 * returned and `truncated` says more exist (ask again with a larger allocation).
 */
import { AfError } from '../../errors.js';
import { reader, trimmed, u8, u16, u24, type Reader } from './fields.js';

export type ElementType = 'transport' | 'storage' | 'importExport' | 'dataTransfer';

const TYPE_BY_CODE: Readonly<Record<number, ElementType>> = {
  1: 'transport',
  2: 'storage',
  3: 'importExport',
  4: 'dataTransfer',
};

export interface VolumeTag {
  /** The volume identifier (barcode), blanks trimmed. */
  barcode: string;
  /** The volume sequence number (bytes 34-35 of the tag). */
  sequence: number;
}

export interface ElementStatus {
  type: ElementType;
  address: number;
  full: boolean;
  /** The element is in an abnormal state; asc/ascq say why. */
  except: boolean;
  /** The transport can reach the element. */
  access: boolean;
  asc: number;
  ascq: number;
  /** Import/export elements: the medium was put in by an operator (IMPEXP), and the directions enabled. */
  importExport?: { placedByOperator: boolean; importEnabled: boolean; exportEnabled: boolean };
  /** Address of the element the medium came from, when the changer knows it (SVALID). */
  sourceAddress?: number;
  invert: boolean;
  primaryVolumeTag?: VolumeTag;
  alternateVolumeTag?: VolumeTag;
  /** Drives: SCSI target id and LUN, when reported valid. */
  scsiId?: number;
  lun?: number;
  /** Drives asked with DVCID: the device identifier (serial number or vendor/product/serial). */
  identifier?: string;
}

export interface ElementStatusReport {
  firstAddress: number;
  numberOfElements: number;
  /** Bytes of element status data the changer had (after the 8-byte header). */
  byteCount: number;
  /** The buffer did not hold the whole report. */
  truncated: boolean;
  /** Elements in the order the changer reported them. */
  elements: ElementStatus[];
}

const TAG_LENGTH = 36;

function volumeTag(r: Reader, at: number): VolumeTag | undefined {
  const barcode = trimmed(r, at, 32, 'volume identifier');
  if (barcode === '') return undefined;
  return { barcode, sequence: u16(r, at + 34, 'volume sequence number') };
}

function descriptor(r: Reader, type: ElementType, at: number, len: number, pvol: boolean, avol: boolean): ElementStatus {
  const b = r.buf;
  const flags = u8(r, at + 2, 'element flags');
  const e: ElementStatus = {
    type,
    address: u16(r, at, 'element address'),
    full: (flags & 0x01) !== 0,
    except: (flags & 0x04) !== 0,
    access: (flags & 0x08) !== 0,
    asc: len > 4 ? b[at + 4]! : 0,
    ascq: len > 5 ? b[at + 5]! : 0,
    invert: len > 9 && (b[at + 9]! & 0x40) !== 0,
  };
  if (type === 'importExport') {
    e.importExport = {
      placedByOperator: (flags & 0x02) !== 0,
      exportEnabled: (flags & 0x10) !== 0,
      importEnabled: (flags & 0x20) !== 0,
    };
  }
  if (type === 'dataTransfer' && len > 7) {
    const b6 = b[at + 6]!;
    if (b6 & 0x20) e.scsiId = b[at + 7]!;
    if (b6 & 0x10) e.lun = b6 & 0x07;
  }
  if (len >= 12 && (b[at + 9]! & 0x80) !== 0) e.sourceAddress = u16(r, at + 10, 'source element address');
  let p = 12;
  if (pvol && p + TAG_LENGTH <= len) {
    const tag = volumeTag(r, at + p);
    if (tag) e.primaryVolumeTag = tag;
    p += TAG_LENGTH;
  }
  if (avol && p + TAG_LENGTH <= len) {
    const tag = volumeTag(r, at + p);
    if (tag) e.alternateVolumeTag = tag;
    p += TAG_LENGTH;
  }
  if (type === 'dataTransfer' && p + 4 <= len) {
    const codeSet = b[at + p]! & 0x0f;
    const idLen = b[at + p + 3]!;
    if (idLen > 0 && p + 4 + idLen <= len) {
      const id = b.subarray(at + p + 4, at + p + 4 + idLen);
      e.identifier = codeSet === 1 ? id.toString('hex').toUpperCase() : trimmed(r, at + p + 4, idLen, 'device identifier');
    }
  }
  return e;
}

/** Parses READ ELEMENT STATUS data. Throws CHANGER_FAILED when the data contradict themselves. */
export function parseElementStatus(buf: Buffer): ElementStatusReport {
  const r = reader(buf, 'CHANGER_FAILED', 'Element status data');
  const firstAddress = u16(r, 0, 'first element address');
  const numberOfElements = u16(r, 2, 'number of elements');
  const byteCount = u24(r, 5, 'byte count of report');
  const end = Math.min(buf.length, 8 + byteCount);
  let truncated = 8 + byteCount > buf.length;
  const elements: ElementStatus[] = [];
  let p = 8;
  while (p < end) {
    if (p + 8 > end) {
      truncated = true;
      break;
    }
    const code = u8(r, p, 'element type code') & 0x0f;
    const type = TYPE_BY_CODE[code];
    if (!type) throw new AfError('CHANGER_FAILED', `Element status data: unknown element type code ${code} at byte ${p}`);
    const pageFlags = u8(r, p + 1, 'page flags');
    const len = u16(r, p + 2, 'element descriptor length');
    const pageBytes = u24(r, p + 5, 'byte count of descriptor data');
    if (len < 4 && pageBytes > 0) {
      throw new AfError('CHANGER_FAILED', `Element status data: descriptor length ${len} is too small at byte ${p}`);
    }
    const pageEnd = p + 8 + pageBytes;
    let d = p + 8;
    for (; len > 0 && d + len <= Math.min(pageEnd, end); d += len) {
      elements.push(descriptor(r, type, d, len, (pageFlags & 0x80) !== 0, (pageFlags & 0x40) !== 0));
    }
    if (pageEnd > end) {
      truncated = true;
      break;
    }
    p = pageEnd;
  }
  return { firstAddress, numberOfElements, byteCount, truncated, elements };
}
