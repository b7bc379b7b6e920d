/**
 * Client side: incremental decoder of the server->client byte stream. Replies carry
 * no tag, so the caller says which shape it expects next (replyShapeFor derives it
 * from the pending command and the comm buffer size); next() returns the decoded
 * reply or null when more bytes are needed. A stream that cannot be a valid reply
 * throws AfError PROTOCOL_ERROR.
 */
import { AfError } from '../errors.js';
import { ChunkQueue } from './chunk-queue.js';
import {
  COMMAND_TABLE,
  RDYFORSERV_BLOCK,
  SERVERIDENT_FIELD,
  STREAMER_CHANGEABLE,
  type CommandName,
} from './commands.js';
import { untilNul } from './bytes.js';

/** What the next reply looks like. */
export type ReplyShape =
  /** The greeting: bytes up to and including "AF's backup server ready.\n". */
  | { kind: 'banner' }
  /** `size` bytes and no status byte: the server challenge, the answer to 'a'. */
  | { kind: 'raw'; size: number }
  | { kind: 'status' }
  | { kind: 'u32' }
  | { kind: 'u24' }
  | { kind: 'position' }
  | { kind: 'oldPosition' }
  | { kind: 'rdyForServ' }
  | { kind: 'text' }
  | { kind: 'serverIdent' }
  | { kind: 'clientBackup' }
  | { kind: 'readBuffer'; size: number };

export type Reply =
  | { kind: 'banner'; text: Buffer; version: string | null }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'status'; status: number }
  | { kind: 'u32'; value: number; status: number }
  | { kind: 'u24'; value: number; status: number }
  | { kind: 'position'; cartridge: number; file: number; status: number }
  | { kind: 'oldPosition'; cartridge: number; file: number; status: number }
  | { kind: 'rdyForServ'; block: Buffer; status: number }
  | { kind: 'text'; text: Buffer; status: number }
  | { kind: 'serverIdent'; id: Buffer; status: number }
  | { kind: 'clientBackup'; exit: number; output: Buffer; status: number }
  | { kind: 'readBuffer'; data: Buffer; status: number };

export type ReplyOf<K extends Reply['kind']> = Extract<Reply, { kind: K }>;

const GREETING = Buffer.from("AF's backup server ready.\n", 'latin1');
/** The original client gives up on a greeting longer than this. */
export const MAX_BANNER = 1000;

/**
 * The reply shape of a command: 'W' and friends answer a status byte, 'R' a comm
 * buffer, 'a' the bare response of authLength bytes, and so on (spec §1.5).
 */
export function replyShapeFor(name: CommandName, opts: { commBufSize: number; authLength: 4 | 16 }): ReplyShape {
  const kind = COMMAND_TABLE[name].reply.kind;
  switch (kind) {
    case 'readBuffer':
      return { kind, size: opts.commBufSize };
    case 'authResponse':
      return { kind: 'raw', size: opts.authLength };
    default:
      return { kind };
  }
}

/**
 * The version word after "afbackup" on the same line of a greeting, or null when
 * there is none (the original client then assumes 3.2.3).
 */
export function bannerVersion(text: Buffer): string | null {
  const m = /afbackup[ \t]+([^\s]+)/.exec(text.toString('latin1'));
  return m ? m[1]! : null;
}

export interface ReplyDecoderOptions {
  /** Largest variable part accepted ('T', '%', 'm', '|'); more throws PROTOCOL_ERROR. Default 16 MiB. */
  maxTextLength?: number;
}

export class ReplyDecoder {
  private readonly queue = new ChunkQueue();
  private readonly maxTextLength: number;

  constructor(options: ReplyDecoderOptions = {}) {
    this.maxTextLength = options.maxTextLength ?? 16 * 1024 * 1024;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  get buffered(): number {
    return this.queue.length;
  }

  get consumed(): number {
    return this.queue.consumed;
  }

  /** The next reply of the given shape, or null when more bytes are needed. */
  next(shape: ReplyShape): Reply | null {
    const q = this.queue;
    switch (shape.kind) {
      case 'banner': {
        const at = q.indexOf(GREETING, MAX_BANNER);
        if (at < 0) {
          if (q.length >= MAX_BANNER) throw new AfError('PROTOCOL_ERROR', `no afbackup greeting in the first ${MAX_BANNER} bytes`);
          return null;
        }
        const text = q.take(at + GREETING.length);
        return { kind: 'banner', text, version: bannerVersion(text) };
      }
      case 'raw':
        return q.length < shape.size ? null : { kind: 'raw', bytes: q.take(shape.size) };
      case 'text':
      case 'clientBackup': {
        const lengthAt = shape.kind === 'text' ? 0 : 1;
        const head = lengthAt + 4;
        if (q.length < head) return null;
        const len = q.uintAt(lengthAt, 4);
        if (len > this.maxTextLength) {
          throw new AfError('PROTOCOL_ERROR', `reply text length ${len} exceeds the limit of ${this.maxTextLength} bytes`);
        }
        if (q.length < head + len + 1) return null;
        const b = q.take(head + len + 1);
        const status = b[head + len]!;
        const text = b.subarray(head, head + len);
        return shape.kind === 'text'
          ? { kind: 'text', text, status }
          : { kind: 'clientBackup', exit: b[0]!, output: text, status };
      }
      case 'readBuffer': {
        if (q.length < shape.size + 1) return null;
        const data = q.take(shape.size);
        return { kind: 'readBuffer', data, status: q.take(1)[0]! };
      }
      default: {
        const size = FIXED_SIZE[shape.kind];
        if (q.length < size + 1) return null;
        const b = q.take(size + 1);
        const status = b[size]!;
        switch (shape.kind) {
          case 'status':
            return { kind: 'status', status };
          case 'u32':
            return { kind: 'u32', value: b.readUInt32BE(0), status };
          case 'u24':
            return { kind: 'u24', value: b.readUIntBE(0, 3), status };
          case 'position':
            return { kind: 'position', cartridge: b.readUIntBE(0, 3), file: b.readUInt32BE(3), status };
          case 'oldPosition':
            return { kind: 'oldPosition', cartridge: b[0]!, file: b.readUIntBE(1, 3), status };
          case 'rdyForServ':
            return { kind: 'rdyForServ', block: b.subarray(0, size), status };
          case 'serverIdent':
            return { kind: 'serverIdent', id: untilNul(b.subarray(0, size)), status };
        }
      }
    }
  }
}

const FIXED_SIZE = {
  status: 0,
  u32: 4,
  u24: 3,
  position: 7,
  oldPosition: 4,
  rdyForServ: RDYFORSERV_BLOCK,
  serverIdent: SERVERIDENT_FIELD,
} as const;

export interface RdyForServFields {
  /** Low nibble of byte 0: STREAMER_READY, STREAMER_BUSY, ... */
  state: number;
  changeable: boolean;
  slaveState: number;
  active: number;
  pending: number;
  variableAppend: boolean;
}

/** The fields of a 512-byte QUERYRDYFORSERV block (spec §1.6). */
export function parseRdyForServ(block: Buffer): RdyForServFields {
  if (block.length < 14) throw new AfError('PROTOCOL_ERROR', `status block of ${block.length} bytes is too short`);
  return {
    state: block[0]! & 0x0f,
    changeable: (block[0]! & STREAMER_CHANGEABLE) !== 0,
    slaveState: block.readUInt32BE(1),
    active: block.readUInt32BE(5),
    pending: block.readUInt32BE(9),
    variableAppend: (block[13]! & 1) !== 0,
  };
}
