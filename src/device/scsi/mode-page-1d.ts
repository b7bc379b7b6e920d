/**
 * The Element Address Assignment mode page (0x1D): where a changer's robot arms,
 * slots, import/export ports and drives lie in its element address space.
 *
 * The page follows a mode parameter header (4 bytes for MODE SENSE(6), 8 for
 * MODE SENSE(10)) and any block descriptors. In the page: byte 0 page code (bits 5-0),
 * byte 1 page length (0x12), then four big-endian (first address, count) pairs:
 * transport at 2-5, storage at 6-9, import/export at 10-13, data transfer at 14-17.
 */
import { AfError } from '../../errors.js';
import { reader, u8, u16, need } from './fields.js';

export interface ElementRange {
  /** Address of the first element of this type. */
  first: number;
  /** Number of elements of this type. */
  count: number;
}

export interface ElementAddressAssignment {
  transport: ElementRange;
  storage: ElementRange;
  importExport: ElementRange;
  dataTransfer: ElementRange;
}

/** Parses MODE SENSE data holding page 0x1D; `cdbSize` tells which header precedes it. */
export function parseElementAddressAssignment(buf: Buffer, cdbSize: 6 | 10 = 6): ElementAddressAssignment {
  const r = reader(buf, 'CHANGER_FAILED', 'Element address assignment page');
  const header = cdbSize === 6 ? 4 : 8;
  const blockDescriptors = cdbSize === 6 ? u8(r, 3, 'block descriptor length') : u16(r, 6, 'block descriptor length');
  const p = header + blockDescriptors;
  const code = u8(r, p, 'page code') & 0x3f;
  if (code !== 0x1d) {
    throw new AfError('CHANGER_FAILED', `Element address assignment page: the changer returned page 0x${code.toString(16)}`);
  }
  const length = u8(r, p + 1, 'page length');
  if (length < 16) throw new AfError('CHANGER_FAILED', `Element address assignment page: page length ${length} is below 16`);
  need(r, p, 18, 'element ranges');
  const range = (at: number): ElementRange => ({ first: u16(r, p + at, 'first address'), count: u16(r, p + at + 2, 'count') });
  return { transport: range(2), storage: range(6), importExport: range(10), dataTransfer: range(14) };
}
