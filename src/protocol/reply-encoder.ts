/**
 * Server side: one small function per reply shape, each returning the exact bytes
 * of the reply (fixed part, variable part, then the status byte where the shape has
 * one). Values that do not fit their wire field are refused, never truncated,
 * except the server id, which is cut to its field as the original does.
 */
import { AfError } from '../errors.js';
import { copyOf, join } from './bytes.js';
import { RDYFORSERV_BLOCK, SERVERIDENT_FIELD, STREAMER_CHANGEABLE } from './commands.js';

/** The 42-byte greeting the server writes right after accepting a connection. */
export const BANNER: Buffer = Buffer.from("afbackup 3.5.8\n\nAF's backup server ready.\n", 'latin1');

function refuse(detail: string): never {
  throw new AfError('PROTOCOL_ERROR', detail);
}

function uint(what: string, n: number, bytes: number): number {
  const max = 2 ** (8 * bytes) - 1;
  if (!Number.isInteger(n) || n < 0 || n > max) refuse(`${what} ${n} does not fit in ${8 * bytes} bits`);
  return n;
}

function st8(st: number): number {
  return uint('status byte', st, 1);
}

/** A reply that is only the status byte. */
export function status(st: number): Buffer {
  return Buffer.of(st8(st));
}

/** u32 + st ('b' block size, '#' valid bytes). */
export function u32(n: number, st: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(uint('value', n, 4), 0);
  b[4] = st8(st);
  return b;
}

/** u24 + st ('@' number of cartridges, 'q' cartridge set). */
export function u24(n: number, st: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUIntBE(uint('value', n, 3), 0, 3);
  b[3] = st8(st);
  return b;
}

/** u24 cartridge + u32 file + st ('p', 'i', 'g'). */
export function position(cartridge: number, file: number, st: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUIntBE(uint('cartridge number', cartridge, 3), 0, 3);
  b.writeUInt32BE(uint('file number', file, 4), 3);
  b[7] = st8(st);
  return b;
}

/** u8 cartridge + u24 file + st (old forms 'P', 'I'). */
export function oldPosition(cartridge: number, file: number, st: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = uint('cartridge number', cartridge, 1);
  b.writeUIntBE(uint('file number', file, 3), 1, 3);
  b[4] = st8(st);
  return b;
}

export interface RdyForServInfo {
  /** STREAMER_READY, STREAMER_BUSY, ... (low nibble of byte 0). */
  state: number;
  changeable?: boolean;
  /** afmserver only: slave state (0x08 reading, 0x09 writing, |0x100 raw). */
  slaveState?: number;
  /** afmserver only: active readers/writers. */
  active?: number;
  /** afmserver only: connections with a blocked command. */
  pending?: number;
  /** Variable Append Mode is on (byte 13, bit 0). */
  variableAppend?: boolean;
}

/** The 512-byte QUERYRDYFORSERV block (spec §1.6). */
export function rdyForServBlock(info: RdyForServInfo): Buffer {
  const b = Buffer.alloc(RDYFORSERV_BLOCK);
  b[0] = (uint('streamer state', info.state, 1) & 0x0f) | (info.changeable ? STREAMER_CHANGEABLE : 0);
  b.writeUInt32BE(uint('slave state', info.slaveState ?? 0, 4), 1);
  b.writeUInt32BE(uint('active count', info.active ?? 0, 4), 5);
  b.writeUInt32BE(uint('pending count', info.pending ?? 0, 4), 9);
  b[13] = info.variableAppend ? 1 : 0;
  return b;
}

/** 512-byte block + st ('?'); a shorter block is padded with zeros. */
export function rdyForServ(block: Buffer, st: number): Buffer {
  if (block.length > RDYFORSERV_BLOCK) refuse(`status block is ${block.length} bytes, the reply holds ${RDYFORSERV_BLOCK}`);
  const b = Buffer.alloc(RDYFORSERV_BLOCK + 1);
  b.set(block);
  b[RDYFORSERV_BLOCK] = st8(st);
  return b;
}

/** u32 length + text + st ('T', '%', 'm'). */
export function text4(text: Buffer, st: number): Buffer {
  const b = Buffer.alloc(4 + text.length + 1);
  b.writeUInt32BE(uint('text length', text.length, 4), 0);
  b.set(text, 4);
  b[4 + text.length] = st8(st);
  return b;
}

/** The GETCURMSG text: "<mtime>\n<now>\n<message file contents>" with decimal epoch seconds. */
export function curMsgText(mtime: number, now: number, contents: Buffer): Buffer {
  return join([Buffer.from(`${Math.trunc(mtime)}\n${Math.trunc(now)}\n`, 'latin1'), contents]);
}

/**
 * The GETCURMSG reply: u32 length + text + st. With st null the status byte is left
 * out, as the original server does when there is no message file (spec §1.7 bug);
 * only use that to imitate the original.
 */
export function getCurMsg(text: Buffer, st: number | null): Buffer {
  if (st !== null) return text4(text, st);
  const b = Buffer.alloc(4 + text.length);
  b.writeUInt32BE(uint('text length', text.length, 4), 0);
  b.set(text, 4);
  return b;
}

/** 256-byte NUL-terminated, NUL-padded server id + st ('{'); an id over 255 bytes is cut. */
export function serverIdent(id: Buffer, st: number): Buffer {
  const b = Buffer.alloc(SERVERIDENT_FIELD + 1);
  b.set(id.subarray(0, SERVERIDENT_FIELD - 1));
  b[SERVERIDENT_FIELD] = st8(st);
  return b;
}

/** u8 exit status + u32 output length + output + st ('|'). */
export function clientBackup(exit: number, output: Buffer, st: number): Buffer {
  const b = Buffer.alloc(5 + output.length + 1);
  b[0] = uint('exit status', exit, 1);
  b.writeUInt32BE(uint('output length', output.length, 4), 1);
  b.set(output, 5);
  b[5 + output.length] = st8(st);
  return b;
}

/** Exactly commBufSize bytes + st ('R'); shorter data is padded with zeros. */
export function readBuffer(data: Buffer, commBufSize: number, st: number): Buffer {
  if (data.length > commBufSize) refuse(`read data is ${data.length} bytes, the comm buffer holds ${commBufSize}`);
  const b = Buffer.allocUnsafe(commBufSize + 1);
  b.set(data);
  b.fill(0, data.length, commBufSize);
  b[commBufSize] = st8(st);
  return b;
}

/** The server's answer to 'a' (and the challenge it sends): the bytes alone, no status. */
export function authResponse(bytes: Buffer): Buffer {
  return copyOf(bytes);
}
