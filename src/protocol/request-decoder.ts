/**
 * Incremental decoder of the client->server byte stream into Requests.
 *
 * Push chunks as they arrive; next() returns one Request or null when more bytes
 * are needed. The W payload size is the comm buffer size passed to that very call,
 * because an 'l' may change it between any two commands. NUL and whitespace bytes
 * between commands are skipped without a trace, as the original server does.
 */
import { AfError } from '../errors.js';
import { ChunkQueue } from './chunk-queue.js';
import { untilNul } from './bytes.js';
import {
  COMMAND_TABLE,
  MAX_COMMBUFSIZ,
  USERIDENT_FIELD,
  commandName,
  isNoOperation,
  resolveSize,
} from './commands.js';
import type { Request } from './request.js';

export interface RequestDecoderOptions {
  /** Length of the 'a' AUTHENTICATE challenge: 16 for DES, 4 for simple. Default 16. */
  authLength?: 4 | 16;
  /** Largest 'M' text accepted; a longer length field yields MALFORMED. Default 1 MiB. */
  maxMessageLength?: number;
}

export class RequestDecoder {
  private readonly queue = new ChunkQueue();
  private readonly authLength: 4 | 16;
  private readonly maxMessageLength: number;
  private start = -1;

  constructor(options: RequestDecoderOptions = {}) {
    this.authLength = options.authLength ?? 16;
    this.maxMessageLength = options.maxMessageLength ?? 1024 * 1024;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** Bytes pushed and not yet decoded. */
  get buffered(): number {
    return this.queue.length;
  }

  /** Bytes consumed from the stream so far (decoded requests, skipped no-ops, auth response). */
  get consumed(): number {
    return this.queue.consumed;
  }

  /** Stream offset of the command byte of the request most recently returned by next(), -1 before the first. */
  get lastStart(): number {
    return this.start;
  }

  /**
   * The raw authentication response that opens the stream (16 bytes DES, 4 simple),
   * or null until that many bytes are there. No byte is skipped here.
   */
  nextAuthResponse(len: 4 | 16): Buffer | null {
    if (this.queue.length < len) return null;
    return this.queue.take(len);
  }

  /** The next request, or null when more bytes are needed. */
  next(commBufSize: number): Request | null {
    if (!Number.isInteger(commBufSize) || commBufSize < 0 || commBufSize > MAX_COMMBUFSIZ) {
      throw new AfError('NO_VALID_COMMBUFSIZ', `decoder asked for a comm buffer of ${commBufSize} bytes`);
    }
    const q = this.queue;
    while (q.length > 0 && isNoOperation(q.byteAt(0))) q.skip(1);
    if (q.length === 0) return null;

    const code = q.byteAt(0);
    const name = commandName(code);
    if (name === undefined) {
      this.start = q.consumed;
      q.skip(1);
      return { name: 'UNKNOWN', code };
    }
    const spec = COMMAND_TABLE[name].args;
    const fixed = resolveSize(spec.fixed, commBufSize, this.authLength);
    let total = 1 + fixed;
    if (q.length < total) return null;
    if (spec.variable) {
      const len = q.uintAt(1 + spec.variable.lengthAt, spec.variable.lengthSize);
      if (spec.variable.lengthSize === 4 && len > this.maxMessageLength) {
        this.start = q.consumed;
        q.skip(total);
        return { name: 'MALFORMED', code, reason: `text length ${len} exceeds the limit of ${this.maxMessageLength} bytes` };
      }
      total += len;
      if (q.length < total) return null;
    }

    this.start = q.consumed;
    if (name === 'WRITETOTAPE') {
      q.skip(1);
      return { name, data: q.take(fixed) };
    }
    // Everything else is small: take the whole command (a view when it lies in one chunk).
    const b = q.take(total);
    switch (name) {
      case 'SETNUMWRITEVALID':
      case 'SKIPFILES':
        return { name, count: b.readUInt32BE(1) };
      case 'SETCARTRIDGE':
      case 'SETRAWCARTRIDGE':
        return { name, cartridge: b.readUIntBE(1, 3) };
      case 'SETFILE':
      case 'SETRAWFILE':
        return { name, file: b.readUInt32BE(1) };
      case 'SETCARTSET':
        return { name, cartSet: b.readUIntBE(1, 3) };
      case 'OSETCARTRIDGE':
        return { name, cartridge: b[1]! };
      case 'OSETFILE':
        return { name, file: b.readUIntBE(1, 3) };
      case 'QUERYNEEDEDTAPES':
        return { name, clientId: b.subarray(2) };
      case 'CLIENTIDENT':
        return { name, id: untilNul(b.subarray(1)) };
      case 'USERIDENT':
        return {
          name,
          user: untilNul(b.subarray(1, 1 + USERIDENT_FIELD / 2)),
          // The server forces the field's last byte to NUL, so the node name has at most 127 bytes.
          host: untilNul(b.subarray(1 + USERIDENT_FIELD / 2, USERIDENT_FIELD)),
        };
      case 'SETCOMMBUFSIZ':
        return { name, size: b.readUInt32BE(1) };
      case 'MESSAGETEXT':
        return { name, text: b.subarray(5) };
      case 'CLIENTBACKUP':
        return { name, suppressOutput: b[2] !== 0, command: b.subarray(3) };
      case 'OCLIENTBACKUP':
        return { name, command: b.subarray(2) };
      case 'AUTHENTICATE':
        return { name, challenge: b.subarray(1) };
      case 'CHECKACCESS':
        return { name, what: b[1]!, number: b.readUInt32BE(2), host: untilNul(b.subarray(6)) };
      default:
        return { name };
    }
  }
}
