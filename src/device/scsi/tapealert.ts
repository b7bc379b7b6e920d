/**
 * TapeAlert: the 64 standard health flags of a tape drive, decoded from a LOG SENSE
 * response of page 0x2E (one log parameter per flag) or page 0x12 (all 64 flags in one
 * 8-byte bit field).
 *
 * Page 0x2E: 4-byte log page header (byte 0 page code in bits 5-0, bytes 2-3 page
 * length), then per flag a parameter: code (2 bytes, 1..64), control byte, length
 * byte (1), and a value byte whose bit 0 is the flag. Page 0x12: one parameter 0x0000
 * of 8 bytes; flag 1 is the most significant bit of its first byte.
 * Reading page 0x2E clears the flags in the drive; page 0x12 leaves them.
 */
import { AfError } from '../../errors.js';
import { reader, u8, u16, need } from './fields.js';

/** I: informational, W: warning, C: critical (as the TapeAlert specification grades them). */
export type TapeAlertSeverity = 'info' | 'warning' | 'critical';

export interface TapeAlertFlag {
  /** 1..64 */
  code: number;
  name: string;
  severity: TapeAlertSeverity;
}

const I = 'info' as const;
const W = 'warning' as const;
const C = 'critical' as const;

/** Names and grades of flags 1..64, in order. */
const TABLE: readonly (readonly [string, TapeAlertSeverity])[] = [
  ['Read warning', W],
  ['Write warning', W],
  ['Hard error', W],
  ['Media', C],
  ['Read failure', C],
  ['Write failure', C],
  ['Media life', W],
  ['Not data grade', W],
  ['Write protect', C],
  ['No removal', I],
  ['Cleaning media', I],
  ['Unsupported format', I],
  ['Recoverable mechanical cartridge failure', C],
  ['Unrecoverable mechanical cartridge failure', C],
  ['Memory chip in cartridge failure', W],
  ['Forced eject', C],
  ['Read only format', W],
  ['Tape directory corrupted on load', W],
  ['Nearing media life', I],
  ['Clean now', C],
  ['Clean periodic', W],
  ['Expired cleaning media', C],
  ['Invalid cleaning tape', C],
  ['Retension requested', W],
  ['Dual-port interface error', W],
  ['Cooling fan failure', W],
  ['Power supply failure', W],
  ['Power consumption', W],
  ['Drive maintenance', W],
  ['Hardware A', C],
  ['Hardware B', C],
  ['Interface', W],
  ['Eject media', C],
  ['Microcode update fail', W],
  ['Drive humidity', W],
  ['Drive temperature', W],
  ['Drive voltage', W],
  ['Predictive failure', C],
  ['Diagnostics required', W],
  ['Obsolete (40)', I],
  ['Obsolete (41)', I],
  ['Obsolete (42)', I],
  ['Obsolete (43)', I],
  ['Obsolete (44)', I],
  ['Obsolete (45)', I],
  ['Obsolete (46)', I],
  ['Reserved (47)', I],
  ['Reserved (48)', I],
  ['Diminished native capacity', I],
  ['Lost statistics', W],
  ['Tape directory invalid at unload', W],
  ['Tape system area write failure', C],
  ['Tape system area read failure', C],
  ['No start of data', C],
  ['Loading failure', C],
  ['Unrecoverable unload failure', C],
  ['Automation interface failure', C],
  ['Firmware failure', W],
  ['WORM medium integrity check failed', W],
  ['WORM medium overwrite attempted', W],
  ['Reserved (61)', I],
  ['Reserved (62)', I],
  ['Reserved (63)', I],
  ['Reserved (64)', I],
];

/** All 64 flags, index i holding flag i + 1. */
export const TAPEALERT_FLAGS: readonly TapeAlertFlag[] = TABLE.map(([name, severity], i) => ({ code: i + 1, name, severity }));

/** The flag with this code (1..64). */
export function tapeAlertFlag(code: number): TapeAlertFlag {
  const f = TAPEALERT_FLAGS[code - 1];
  if (!f) throw new AfError('DEVICE_IO', `TapeAlert flag ${code} is outside 1..64`);
  return f;
}

export interface TapeAlertReport {
  /** The log page the flags came from: 0x2E or 0x12. */
  page: number;
  /** Bit (code - 1) set for each active flag. */
  mask: bigint;
  /** Active flags in code order. */
  active: TapeAlertFlag[];
}

function report(page: number, mask: bigint): TapeAlertReport {
  const active = TAPEALERT_FLAGS.filter((f) => (mask >> BigInt(f.code - 1)) & 1n);
  return { page, mask, active };
}

/** Decodes a LOG SENSE response for page 0x2E or 0x12. */
export function parseTapeAlert(buf: Buffer): TapeAlertReport {
  const r = reader(buf, 'DEVICE_IO', 'TapeAlert log page');
  const page = u8(r, 0, 'page code') & 0x3f;
  const length = u16(r, 2, 'page length');
  const end = Math.min(buf.length, 4 + length);
  let mask = 0n;
  if (page === 0x2e) {
    for (let p = 4; p + 4 <= end; ) {
      const code = u16(r, p, 'parameter code');
      const len = u8(r, p + 3, 'parameter length');
      if (p + 4 + len > end) break;
      if (code >= 1 && code <= 64 && len >= 1 && (buf[p + 4]! & 0x01) !== 0) mask |= 1n << BigInt(code - 1);
      p += 4 + len;
    }
    return report(page, mask);
  }
  if (page === 0x12) {
    for (let p = 4; p + 4 <= end; ) {
      const code = u16(r, p, 'parameter code');
      const len = u8(r, p + 3, 'parameter length');
      if (code === 0 && len >= 8) {
        need(r, p + 4, 8, 'TapeAlert flags');
        const bits = buf.readBigUInt64BE(p + 4);
        // Flag 1 is the top bit: reverse into our bit (code - 1) order.
        for (let i = 0; i < 64; i++) if ((bits >> BigInt(63 - i)) & 1n) mask |= 1n << BigInt(i);
      }
      p += 4 + len;
    }
    return report(page, mask);
  }
  throw new AfError('DEVICE_IO', `TapeAlert log page: the drive returned page 0x${page.toString(16)}`);
}
