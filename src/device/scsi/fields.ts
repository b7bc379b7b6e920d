/**
 * Bounds-checked reading of SCSI response fields: big-endian integers and padded ASCII.
 *
 * Every parser in this directory reads through these helpers, so a short or truncated
 * response becomes one AfError naming what was being read instead of a RangeError or
 * a silent zero.
 */
import { AfError, type ErrorCode } from '../../errors.js';

/** A view of one response: the buffer, the AfError code for faults and a name for messages. */
export interface Reader {
  readonly buf: Buffer;
  readonly code: ErrorCode;
  readonly what: string;
}

export function reader(buf: Buffer, code: ErrorCode, what: string): Reader {
  return { buf, code, what };
}

/** Throws unless `len` bytes from `offset` lie inside the buffer. */
export function need(r: Reader, offset: number, len: number, field: string): void {
  if (offset < 0 || offset + len > r.buf.length) {
    throw new AfError(
      r.code,
      `${r.what} is too short: ${field} needs bytes ${offset}..${offset + len - 1}, only ${r.buf.length} received`,
    );
  }
}

export function u8(r: Reader, offset: number, field: string): number {
  need(r, offset, 1, field);
  return r.buf[offset]!;
}

export function u16(r: Reader, offset: number, field: string): number {
  need(r, offset, 2, field);
  return r.buf.readUInt16BE(offset);
}

export function u24(r: Reader, offset: number, field: string): number {
  need(r, offset, 3, field);
  return r.buf.readUIntBE(offset, 3);
}

export function u32(r: Reader, offset: number, field: string): number {
  need(r, offset, 4, field);
  return r.buf.readUInt32BE(offset);
}

/** Printable ASCII of a fixed-width field, with trailing blanks and NULs removed (leading kept). */
export function text(r: Reader, offset: number, len: number, field: string): string {
  need(r, offset, len, field);
  let s = '';
  for (const b of r.buf.subarray(offset, offset + len)) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0 ? '\0' : '?';
  return s.replace(/[\s\0]+$/, '').replace(/\0/g, ' ');
}

/** Like text(), also trimming leading blanks: for identifiers such as barcodes and serials. */
export function trimmed(r: Reader, offset: number, len: number, field: string): string {
  return text(r, offset, len, field).trim();
}
