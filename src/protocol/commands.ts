/**
 * The afbackup command table: every command byte under its afbackup name, with the
 * shape of its request arguments and of its reply (spec §1.5, §1.11).
 *
 * The decoders and encoders in this folder read sizes from this table only, so a
 * shape is stated once. Offsets are 0-based and count from the first byte AFTER
 * the command byte (requests) or from the first reply byte (replies).
 */

// --- command bytes (ASCII, spec §1.5) ---
export const WRITETOTAPE = 0x57; // 'W'
export const READFROMTAPE = 0x52; // 'R'
export const GETNUMREADVALID = 0x23; // '#'
export const SETNUMWRITEVALID = 0x26; // '&'
export const SETCARTRIDGE = 0x63; // 'c'
export const SETRAWCARTRIDGE = 0x44; // 'D'
export const SETFILE = 0x66; // 'f'
export const SETRAWFILE = 0x47; // 'G'
export const SKIPFILES = 0x53; // 'S'
export const SETCARTSET = 0x73; // 's'
export const OSETCARTRIDGE = 0x43; // 'C'
export const OSETFILE = 0x46; // 'F'
export const OPENFORREAD = 0x3c; // '<'
export const OPENFORWRITE = 0x3e; // '>'
export const OPENFORRAWREAD = 0x72; // 'r'
export const OPENFORRAWWRITE = 0x77; // 'w'
export const CLOSETAPE = 0x2a; // '*'
export const CLOSETAPEN = 0x2e; // '.'
export const ERASETAPE = 0x45; // 'E'
export const REQUESTNEWFILE = 0x6e; // 'n'
export const REQUESTNEWCART = 0x4e; // 'N'
export const QUERYPOSITION = 0x70; // 'p'
export const QUERYWRPOSITION = 0x69; // 'i'
export const QUERYRDPOSITION = 0x67; // 'g'
export const OQUERYPOSITION = 0x50; // 'P'
export const OQUERYWRPOSITION = 0x49; // 'I'
export const QUERYNUMCARTS = 0x40; // '@'
export const QUERYCARTSET = 0x71; // 'q'
export const QUERYTAPEBLOCKSIZE = 0x62; // 'b'
export const QUERYRDYFORSERV = 0x3f; // '?'
export const QUERYWRITTENTAPES = 0x54; // 'T'
export const QUERYNEEDEDTAPES = 0x25; // '%'
export const SERVERIDENT = 0x7b; // '{'
export const CLIENTIDENT = 0x21; // '!'
export const USERIDENT = 0x55; // 'U'
export const SETCOMMBUFSIZ = 0x6c; // 'l'
export const MESSAGETEXT = 0x4d; // 'M'
export const GETCURMSG = 0x6d; // 'm'
export const CLIENTBACKUP = 0x7c; // '|'
export const OCLIENTBACKUP = 0x7e; // '~'
export const SETBUFFEREDOP = 0x2b; // '+'
export const SETSERIALOP = 0x2d; // '-'
export const SETCHCARTONEOT = 0x5e; // '^'
export const SETERRORONEOT = 0x5f; // '_'
export const AUTHENTICATE = 0x61; // 'a'
export const CHECKACCESS = 0x41; // 'A'
export const GOODBYE = 0x58; // 'X'

/** The reply status byte for success. */
export const COMMAND_OK = 0;
/** Comm buffer size (payload of W, data part of the R reply) until an 'l' changes it. */
export const DEFAULT_COMMBUFSIZ = 1000;
/** Largest comm buffer size a server accepts ('l' with more gets 'l' NO_VALID_COMMBUFSIZ). */
export const MAX_COMMBUFSIZ = 65536;
/** TCP port of the single-stream service "afbackup". */
export const DEFAULT_PORT = 2988;
/** TCP port of the multi-stream service "afmbackup". */
export const DEFAULT_MULTI_PORT = 2989;
/** Size of the fixed fields. */
export const CLIENTIDENT_FIELD = 128;
export const USERIDENT_FIELD = 256;
export const SERVERIDENT_FIELD = 256;
export const RDYFORSERV_BLOCK = 512;
export const CHECKACCESS_HOST_FIELD = 256;

/**
 * A size that is not a constant: 'commbuf' is the comm buffer size in force when
 * the command is read, 'auth' the challenge length of the authentication scheme
 * (16 for DES, 4 for simple).
 */
export type SizeSpec = number | 'commbuf' | 'auth';

export interface ArgSpec {
  /** Bytes after the command byte, up to the variable part (or the whole argument). */
  readonly fixed: SizeSpec;
  /** A variable part follows the fixed bytes; its length sits at lengthAt (inside the fixed bytes), lengthSize bytes, big-endian. */
  readonly variable: { readonly lengthAt: number; readonly lengthSize: 1 | 4 } | null;
}

/**
 * How the reply to a command is interpreted. Each kind has one encoder function in
 * reply-encoder.ts and one variant of Reply in reply-decoder.ts.
 */
export type ReplyKind =
  | 'status' //          st
  | 'u32' //             u32 + st
  | 'u24' //             u24 + st
  | 'position' //        u24 cartridge + u32 file + st
  | 'oldPosition' //     u8 cartridge + u24 file + st
  | 'rdyForServ' //      512-byte block + st
  | 'text' //            u32 length + bytes + st
  | 'serverIdent' //     256 bytes NUL-padded + st
  | 'clientBackup' //    u8 exit + u32 length + bytes + st
  | 'readBuffer' //      commbuf bytes + st
  | 'authResponse'; //   auth-length bytes, no st

export interface ReplySpec {
  readonly kind: ReplyKind;
  /** Bytes before any variable part (excluding the status byte). */
  readonly fixed: SizeSpec;
  /** A variable part follows; its u32 big-endian length sits at lengthAt inside the fixed bytes. */
  readonly variable: { readonly lengthAt: number } | null;
  /** A status byte ends the reply. */
  readonly status: boolean;
}

export interface CommandSpec {
  readonly code: number;
  readonly args: ArgSpec;
  readonly reply: ReplySpec;
}

const noArgs: ArgSpec = { fixed: 0, variable: null };
const fixedArgs = (n: number): ArgSpec => ({ fixed: n, variable: null });

const replyOf = (kind: ReplyKind): ReplySpec => {
  switch (kind) {
    case 'status': return { kind, fixed: 0, variable: null, status: true };
    case 'u32': return { kind, fixed: 4, variable: null, status: true };
    case 'u24': return { kind, fixed: 3, variable: null, status: true };
    case 'position': return { kind, fixed: 7, variable: null, status: true };
    case 'oldPosition': return { kind, fixed: 4, variable: null, status: true };
    case 'rdyForServ': return { kind, fixed: RDYFORSERV_BLOCK, variable: null, status: true };
    case 'text': return { kind, fixed: 4, variable: { lengthAt: 0 }, status: true };
    case 'serverIdent': return { kind, fixed: SERVERIDENT_FIELD, variable: null, status: true };
    case 'clientBackup': return { kind, fixed: 5, variable: { lengthAt: 1 }, status: true };
    case 'readBuffer': return { kind, fixed: 'commbuf', variable: null, status: true };
    case 'authResponse': return { kind, fixed: 'auth', variable: null, status: false };
  }
};

const cmd = (code: number, args: ArgSpec, reply: ReplyKind): CommandSpec => ({ code, args, reply: replyOf(reply) });

/** Every command, keyed by its afbackup name. */
export const COMMAND_TABLE = {
  WRITETOTAPE: cmd(WRITETOTAPE, { fixed: 'commbuf', variable: null }, 'status'),
  READFROMTAPE: cmd(READFROMTAPE, noArgs, 'readBuffer'),
  GETNUMREADVALID: cmd(GETNUMREADVALID, noArgs, 'u32'),
  SETNUMWRITEVALID: cmd(SETNUMWRITEVALID, fixedArgs(4), 'status'),
  SETCARTRIDGE: cmd(SETCARTRIDGE, fixedArgs(3), 'status'),
  SETRAWCARTRIDGE: cmd(SETRAWCARTRIDGE, fixedArgs(3), 'status'),
  SETFILE: cmd(SETFILE, fixedArgs(4), 'status'),
  SETRAWFILE: cmd(SETRAWFILE, fixedArgs(4), 'status'),
  SKIPFILES: cmd(SKIPFILES, fixedArgs(4), 'status'),
  SETCARTSET: cmd(SETCARTSET, fixedArgs(3), 'status'),
  OSETCARTRIDGE: cmd(OSETCARTRIDGE, fixedArgs(1), 'status'),
  OSETFILE: cmd(OSETFILE, fixedArgs(3), 'status'),
  OPENFORREAD: cmd(OPENFORREAD, noArgs, 'status'),
  OPENFORWRITE: cmd(OPENFORWRITE, noArgs, 'status'),
  OPENFORRAWREAD: cmd(OPENFORRAWREAD, noArgs, 'status'),
  OPENFORRAWWRITE: cmd(OPENFORRAWWRITE, noArgs, 'status'),
  CLOSETAPE: cmd(CLOSETAPE, noArgs, 'status'),
  CLOSETAPEN: cmd(CLOSETAPEN, noArgs, 'status'),
  ERASETAPE: cmd(ERASETAPE, noArgs, 'status'),
  REQUESTNEWFILE: cmd(REQUESTNEWFILE, noArgs, 'status'),
  REQUESTNEWCART: cmd(REQUESTNEWCART, noArgs, 'status'),
  QUERYPOSITION: cmd(QUERYPOSITION, noArgs, 'position'),
  QUERYWRPOSITION: cmd(QUERYWRPOSITION, noArgs, 'position'),
  QUERYRDPOSITION: cmd(QUERYRDPOSITION, noArgs, 'position'),
  OQUERYPOSITION: cmd(OQUERYPOSITION, noArgs, 'oldPosition'),
  OQUERYWRPOSITION: cmd(OQUERYWRPOSITION, noArgs, 'oldPosition'),
  QUERYNUMCARTS: cmd(QUERYNUMCARTS, noArgs, 'u24'),
  QUERYCARTSET: cmd(QUERYCARTSET, noArgs, 'u24'),
  QUERYTAPEBLOCKSIZE: cmd(QUERYTAPEBLOCKSIZE, noArgs, 'u32'),
  QUERYRDYFORSERV: cmd(QUERYRDYFORSERV, noArgs, 'rdyForServ'),
  QUERYWRITTENTAPES: cmd(QUERYWRITTENTAPES, noArgs, 'text'),
  QUERYNEEDEDTAPES: cmd(QUERYNEEDEDTAPES, { fixed: 1, variable: { lengthAt: 0, lengthSize: 1 } }, 'text'),
  SERVERIDENT: cmd(SERVERIDENT, noArgs, 'serverIdent'),
  CLIENTIDENT: cmd(CLIENTIDENT, fixedArgs(CLIENTIDENT_FIELD), 'status'),
  USERIDENT: cmd(USERIDENT, fixedArgs(USERIDENT_FIELD), 'status'),
  SETCOMMBUFSIZ: cmd(SETCOMMBUFSIZ, fixedArgs(4), 'status'),
  MESSAGETEXT: cmd(MESSAGETEXT, { fixed: 4, variable: { lengthAt: 0, lengthSize: 4 } }, 'status'),
  GETCURMSG: cmd(GETCURMSG, noArgs, 'text'),
  CLIENTBACKUP: cmd(CLIENTBACKUP, { fixed: 2, variable: { lengthAt: 0, lengthSize: 1 } }, 'clientBackup'),
  OCLIENTBACKUP: cmd(OCLIENTBACKUP, { fixed: 1, variable: { lengthAt: 0, lengthSize: 1 } }, 'status'),
  SETBUFFEREDOP: cmd(SETBUFFEREDOP, noArgs, 'status'),
  SETSERIALOP: cmd(SETSERIALOP, noArgs, 'status'),
  SETCHCARTONEOT: cmd(SETCHCARTONEOT, noArgs, 'status'),
  SETERRORONEOT: cmd(SETERRORONEOT, noArgs, 'status'),
  AUTHENTICATE: cmd(AUTHENTICATE, { fixed: 'auth', variable: null }, 'authResponse'),
  CHECKACCESS: cmd(CHECKACCESS, fixedArgs(1 + 4 + CHECKACCESS_HOST_FIELD), 'status'),
  GOODBYE: cmd(GOODBYE, noArgs, 'status'),
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;

export const COMMAND_NAMES = Object.keys(COMMAND_TABLE) as CommandName[];

/** Command name for each byte value; undefined for bytes that are no command. */
const nameByCode: (CommandName | undefined)[] = new Array<CommandName | undefined>(256).fill(undefined);
for (const name of COMMAND_NAMES) nameByCode[COMMAND_TABLE[name].code] = name;

export function commandName(code: number): CommandName | undefined {
  return nameByCode[code & 0xff];
}

/** NUL and the isspace() bytes (0x09-0x0d, 0x20) are no-ops that get no reply. */
export function isNoOperation(code: number): boolean {
  return code === 0x00 || code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Resolves a SizeSpec for the comm buffer size and auth length in force. */
export function resolveSize(size: SizeSpec, commBufSize: number, authLength: number): number {
  if (size === 'commbuf') return commBufSize;
  if (size === 'auth') return authLength;
  return size;
}

// --- QUERYRDYFORSERV block, byte 0 (spec §1.6) ---
export const STREAMER_UNKNOWN = 0;
export const STREAMER_READY = 1;
export const STREAMER_UNLOADED = 2;
export const STREAMER_BUSY = 3;
export const STREAMER_DEVINUSE = 4;
export const STREAMER_UNAVAIL = 5;
/** Flag bit in byte 0: a cartridge handler can change cartridges. */
export const STREAMER_CHANGEABLE = 0x10;
