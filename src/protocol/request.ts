/**
 * The Request type: one decoded client command, tagged by its afbackup name, with
 * its arguments as JS values (numbers) and Buffers (payloads and texts, kept as
 * raw bytes because afbackup never says which character set they are in).
 */
import type { CommandName } from './commands.js';

/** Commands that carry no argument bytes. */
export type NoArgCommandName =
  | 'READFROMTAPE'
  | 'GETNUMREADVALID'
  | 'OPENFORREAD'
  | 'OPENFORWRITE'
  | 'OPENFORRAWREAD'
  | 'OPENFORRAWWRITE'
  | 'CLOSETAPE'
  | 'CLOSETAPEN'
  | 'ERASETAPE'
  | 'REQUESTNEWFILE'
  | 'REQUESTNEWCART'
  | 'QUERYPOSITION'
  | 'QUERYWRPOSITION'
  | 'QUERYRDPOSITION'
  | 'OQUERYPOSITION'
  | 'OQUERYWRPOSITION'
  | 'QUERYNUMCARTS'
  | 'QUERYCARTSET'
  | 'QUERYTAPEBLOCKSIZE'
  | 'QUERYRDYFORSERV'
  | 'QUERYWRITTENTAPES'
  | 'SERVERIDENT'
  | 'GETCURMSG'
  | 'SETBUFFEREDOP'
  | 'SETSERIALOP'
  | 'SETCHCARTONEOT'
  | 'SETERRORONEOT'
  | 'GOODBYE';

export const NO_ARG_COMMANDS: readonly NoArgCommandName[] = [
  'READFROMTAPE', 'GETNUMREADVALID', 'OPENFORREAD', 'OPENFORWRITE', 'OPENFORRAWREAD', 'OPENFORRAWWRITE',
  'CLOSETAPE', 'CLOSETAPEN', 'ERASETAPE', 'REQUESTNEWFILE', 'REQUESTNEWCART', 'QUERYPOSITION',
  'QUERYWRPOSITION', 'QUERYRDPOSITION', 'OQUERYPOSITION', 'OQUERYWRPOSITION', 'QUERYNUMCARTS',
  'QUERYCARTSET', 'QUERYTAPEBLOCKSIZE', 'QUERYRDYFORSERV', 'QUERYWRITTENTAPES', 'SERVERIDENT',
  'GETCURMSG', 'SETBUFFEREDOP', 'SETSERIALOP', 'SETCHCARTONEOT', 'SETERRORONEOT', 'GOODBYE',
];

export type Request =
  | { name: NoArgCommandName }
  /** 'W': exactly comm-buffer-size bytes (a zero-copy view of the received chunk where possible). */
  | { name: 'WRITETOTAPE'; data: Buffer }
  /** '&': the next W carries only `count` valid bytes. */
  | { name: 'SETNUMWRITEVALID'; count: number }
  /** 'c': u24 cartridge number (a secondary label number is accepted). */
  | { name: 'SETCARTRIDGE'; cartridge: number }
  /** 'D': u24 cartridge number (only the primary label number is accepted). */
  | { name: 'SETRAWCARTRIDGE'; cartridge: number }
  /** 'f': u32 logical file number (label not counted). */
  | { name: 'SETFILE'; file: number }
  /** 'G': u32 physical file number (1 = the label). */
  | { name: 'SETRAWFILE'; file: number }
  /** 'S': u32 number of files to skip. */
  | { name: 'SKIPFILES'; count: number }
  /** 's': u24 cartridge set, 1-based. */
  | { name: 'SETCARTSET'; cartSet: number }
  /** 'C': old 8-bit cartridge number. */
  | { name: 'OSETCARTRIDGE'; cartridge: number }
  /** 'F': old 24-bit file number. */
  | { name: 'OSETFILE'; file: number }
  /** '%': client id (1-byte length on the wire; the server refuses more than 128). */
  | { name: 'QUERYNEEDEDTAPES'; clientId: Buffer }
  /** '!': the 128-byte field up to its first NUL. */
  | { name: 'CLIENTIDENT'; id: Buffer }
  /** 'U': login name (bytes 0-127) and node name (bytes 128-254), each up to its first NUL. */
  | { name: 'USERIDENT'; user: Buffer; host: Buffer }
  /** 'l': u32 as sent; the server decides whether it is acceptable. */
  | { name: 'SETCOMMBUFSIZ'; size: number }
  /** 'M': u32 length + text. */
  | { name: 'MESSAGETEXT'; text: Buffer }
  /** '|': 1-byte length, suppress-output flag byte (non-zero = suppress), command text. */
  | { name: 'CLIENTBACKUP'; suppressOutput: boolean; command: Buffer }
  /** '~': 1-byte length + command text for system(). */
  | { name: 'OCLIENTBACKUP'; command: Buffer }
  /** 'a': the client's challenge (16 bytes DES, 4 bytes simple). */
  | { name: 'AUTHENTICATE'; challenge: Buffer }
  /** 'A': what ('c' or 's' as a byte), u32 number, 256-byte host field up to its first NUL. */
  | { name: 'CHECKACCESS'; what: number; number: number; host: Buffer }
  /** A byte that is no command and no no-op; one byte was consumed. */
  | { name: 'UNKNOWN'; code: number }
  /** A command whose length field is beyond what the decoder accepts; the stream is out of step afterwards. */
  | { name: 'MALFORMED'; code: number; reason: string };

export type RequestName = Request['name'];

/** Narrows a Request to the variant with the given name. */
export type RequestOf<N extends RequestName> = Extract<Request, { name: N }>;

/** True for the requests that are real commands (not UNKNOWN or MALFORMED). */
export function isCommandRequest(req: Request): req is Extract<Request, { name: CommandName }> {
  return req.name !== 'UNKNOWN' && req.name !== 'MALFORMED';
}
