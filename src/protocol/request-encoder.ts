/**
 * Client side: turns a Request into the exact bytes afclient would send. Values that
 * do not fit their wire field are refused (AfError PROTOCOL_ERROR), never truncated.
 */
import { AfError } from '../errors.js';
import {
  CHECKACCESS_HOST_FIELD,
  CLIENTIDENT_FIELD,
  COMMAND_TABLE,
  USERIDENT_FIELD,
} from './commands.js';
import type { Request } from './request.js';
import { copyOf, join } from './bytes.js';

export interface EncodeOptions {
  /** When given, a W payload must be exactly this long. */
  commBufSize?: number;
  /** When given, an 'a' challenge must be exactly this long. */
  authLength?: 4 | 16;
}

function refuse(detail: string): never {
  throw new AfError('PROTOCOL_ERROR', detail);
}

function checkUint(what: string, n: number, bytes: number): number {
  const max = 2 ** (8 * bytes) - 1;
  if (!Number.isInteger(n) || n < 0 || n > max) refuse(`${what} ${n} does not fit in ${8 * bytes} bits`);
  return n;
}

/** A text for a NUL-padded fixed field of `size` bytes. */
function fieldText(what: string, text: Buffer, size: number): Buffer {
  if (text.length > size) refuse(`${what} is ${text.length} bytes, the field holds ${size}`);
  if (text.includes(0)) refuse(`${what} contains a NUL byte`);
  const field = Buffer.alloc(size);
  field.set(text);
  return field;
}

function withUint(code: number, n: number, bytes: number, what: string): Buffer {
  const b = Buffer.alloc(1 + bytes);
  b[0] = code;
  b.writeUIntBE(checkUint(what, n, bytes), 1, bytes);
  return b;
}

/** The bytes of one request. */
export function encodeRequest(req: Request, options: EncodeOptions = {}): Buffer {
  const one = (code: number, ...rest: Buffer[]): Buffer => join([Buffer.of(code), ...rest]);
  switch (req.name) {
    case 'UNKNOWN':
      return Buffer.of(checkUint('command byte', req.code, 1));
    case 'MALFORMED':
      return refuse('a MALFORMED request cannot be encoded');
    case 'WRITETOTAPE':
      if (options.commBufSize !== undefined && req.data.length !== options.commBufSize) {
        refuse(`W payload is ${req.data.length} bytes, the comm buffer size is ${options.commBufSize}`);
      }
      return one(COMMAND_TABLE.WRITETOTAPE.code, req.data);
    case 'SETNUMWRITEVALID':
    case 'SKIPFILES':
      return withUint(COMMAND_TABLE[req.name].code, req.count, 4, 'count');
    case 'SETCARTRIDGE':
    case 'SETRAWCARTRIDGE':
      return withUint(COMMAND_TABLE[req.name].code, req.cartridge, 3, 'cartridge number');
    case 'SETFILE':
    case 'SETRAWFILE':
      return withUint(COMMAND_TABLE[req.name].code, req.file, 4, 'file number');
    case 'SETCARTSET':
      return withUint(COMMAND_TABLE.SETCARTSET.code, req.cartSet, 3, 'cartridge set');
    case 'OSETCARTRIDGE':
      return withUint(COMMAND_TABLE.OSETCARTRIDGE.code, req.cartridge, 1, 'cartridge number');
    case 'OSETFILE':
      return withUint(COMMAND_TABLE.OSETFILE.code, req.file, 3, 'file number');
    case 'SETCOMMBUFSIZ':
      return withUint(COMMAND_TABLE.SETCOMMBUFSIZ.code, req.size, 4, 'comm buffer size');
    case 'QUERYNEEDEDTAPES':
      checkUint('client id length', req.clientId.length, 1);
      return one(COMMAND_TABLE.QUERYNEEDEDTAPES.code, Buffer.of(req.clientId.length), req.clientId);
    case 'CLIENTIDENT':
      return one(COMMAND_TABLE.CLIENTIDENT.code, fieldText('client id', req.id, CLIENTIDENT_FIELD));
    case 'USERIDENT':
      return one(
        COMMAND_TABLE.USERIDENT.code,
        fieldText('user name', req.user, USERIDENT_FIELD / 2),
        // the last byte of the host half is always NUL on the wire
        fieldText('host name', req.host, USERIDENT_FIELD / 2 - 1),
        Buffer.alloc(1),
      );
    case 'MESSAGETEXT': {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(checkUint('message length', req.text.length, 4));
      return one(COMMAND_TABLE.MESSAGETEXT.code, len, req.text);
    }
    case 'CLIENTBACKUP':
      checkUint('command length', req.command.length, 1);
      return one(COMMAND_TABLE.CLIENTBACKUP.code, Buffer.of(req.command.length, req.suppressOutput ? 1 : 0), req.command);
    case 'OCLIENTBACKUP':
      checkUint('command length', req.command.length, 1);
      return one(COMMAND_TABLE.OCLIENTBACKUP.code, Buffer.of(req.command.length), req.command);
    case 'AUTHENTICATE':
      if (options.authLength !== undefined && req.challenge.length !== options.authLength) {
        refuse(`challenge is ${req.challenge.length} bytes, the scheme uses ${options.authLength}`);
      }
      return one(COMMAND_TABLE.AUTHENTICATE.code, req.challenge);
    case 'CHECKACCESS': {
      const head = Buffer.alloc(5);
      head[0] = checkUint('access kind', req.what, 1);
      head.writeUInt32BE(checkUint('number', req.number, 4), 1);
      return one(COMMAND_TABLE.CHECKACCESS.code, head, fieldText('host name', req.host, CHECKACCESS_HOST_FIELD));
    }
    default:
      return Buffer.of(COMMAND_TABLE[req.name].code);
  }
}

/** The first bytes the client sends: its answer to the server's challenge, as is. */
export function encodeAuthResponse(response: Buffer): Buffer {
  return copyOf(response);
}

/**
 * A W request as two buffers (command byte, payload) for a vectored write, so the
 * payload is not copied on the client's data path.
 */
export function writeToTapeParts(data: Buffer, commBufSize: number): [Buffer, Buffer] {
  if (data.length !== commBufSize) refuse(`W payload is ${data.length} bytes, the comm buffer size is ${commBufSize}`);
  return [Buffer.of(COMMAND_TABLE.WRITETOTAPE.code), data];
}
