/**
 * The texts that start a backup run (spec §5.4, §6.2):
 *
 *  - the index lines of the run: `<host>%<port>!<cart>.<file>:` and the header
 *    `## Full backup at <ctime>, current number: <n>, hostname: <h> client id: <id>`
 *    (`Incremental` for incr_backup), after an empty line unless the run starts
 *    a new index;
 *  - the minimum restore info `@@@===--->>> <id> <host> <port> <cart> <file> <copy>`;
 *  - the header afclient writes as the stream's INFORMATION record (`-H-`, its
 *    first stdin line, C-escaped): three checked restore-info lines, as many
 *    backspaces as they have bytes, then `\n` and the index header line with its
 *    newline.
 * Pure; all text is Latin-1.
 */
import { escapeName } from '../escape.js';
import { formatCheckedLine, formatRestoreInfoLine, type RestoreInfo } from '../files/restore-info.js';
import { quoteWord } from '../../state/kfile.js';

export interface RunHeaderInput {
  readonly mode: 'full' | 'incremental';
  /** ctime() text of now. */
  readonly time: string;
  readonly number: number;
  readonly hostname: string;
  readonly clientId: string;
  readonly host: string;
  /** The port actually used (the default port as a number when none was configured). */
  readonly port: number | string;
  readonly cart: number;
  readonly file: number;
}

/** The `## ...` header line (no newline); a client id with blanks is quoted. */
export function headerLine(h: RunHeaderInput): string {
  const kind = h.mode === 'incremental' ? 'Incremental' : 'Full';
  return `## ${kind} backup at ${h.time}, current number: ${h.number}, hostname: ${h.hostname} client id: ${quoteWord(h.clientId)}`;
}

/** The run's lines for the index, each with its newline; `leadingEmpty` adds the separating empty line. */
export function indexRunHeader(h: RunHeaderInput, leadingEmpty: boolean): string {
  return `${leadingEmpty ? '\n' : ''}${h.host}%${h.port}!${h.cart}.${h.file}:\n${headerLine(h)}\n`;
}

export function restoreInfo(h: RunHeaderInput, startPositionsCopy: string): RestoreInfo {
  return { clientId: h.clientId, server: h.host, port: h.port, cart: h.cart, file: h.file, startPositionsPath: startPositionsCopy };
}

/** The line given to the StartupInfoProgram (no newline). */
export function minimumRestoreInfo(h: RunHeaderInput, startPositionsCopy: string): string {
  return formatRestoreInfoLine(restoreInfo(h, startPositionsCopy));
}

/** The raw INFORMATION text (before escaping). */
export function informationText(h: RunHeaderInput, startPositionsCopy: string): string {
  const line = formatCheckedLine({ time: h.time, info: restoreInfo(h, startPositionsCopy) });
  const three = line + line + line;
  return `${three}${'\b'.repeat(three.length)}\n${headerLine(h)}\n`;
}

/** The first stdin line for `afclient -H-`: the INFORMATION text, escaped, with its newline. */
export function headerStdinLine(h: RunHeaderInput, startPositionsCopy: string): Buffer {
  return Buffer.concat([escapeName(Buffer.from(informationText(h, startPositionsCopy), 'latin1')), Buffer.of(0x0a)]);
}

/** The name under which the start-positions copy is fed: its type gets the "do not verify" bit. */
export const NO_VERIFY_PREFIX = '//./..';

export function noVerifyName(copyPath: string): Buffer {
  return Buffer.from(NO_VERIFY_PREFIX + copyPath, 'latin1');
}
