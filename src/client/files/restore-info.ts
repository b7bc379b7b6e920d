/**
 * The "minimum restore info": the few facts needed to find a client's index on
 * tape when everything else is lost (spec §5.4, §6.3).
 *
 * Plain form (given to the StartupInfoProgram on stdin, one line):
 *   @@@===--->>> <client id> <server> <port> <cart> <file> <start-positions copy path>
 *
 * Tape form: the INFORMATION record at the start of every full_backup stream holds
 * three copies of a checked line
 *   <PREFIX> <len> <sum> <ctime> @@@===--->>> <id> <server> <port> <cart> <file> <path> <<<---===@@@\n
 * where PREFIX is the constant below (ending in ": ", so two blanks follow the
 * colon), and <len> and <sum> (byte sum mod 256) are computed over the text from
 * <ctime> to the closing marker. Then come as many backspace bytes as those three
 * lines have bytes (newlines included), so that a listing shows only what follows:
 *   \n## Full backup at <ctime>, current number: <n>, hostname: <h> client id: <id>\n
 * Everything is Latin-1 text (one character per byte).
 */

import { quoteWord, scanWord } from '../../state/kfile.js';

export const RESTORE_INFO_PREFIX = "!#@$%&^*(_)+[;,{-<=]'.}>`/|: ";
export const OPEN_MARK = '@@@===--->>>';
export const CLOSE_MARK = '<<<---===@@@';

export interface RestoreInfo {
  readonly clientId: string;
  readonly server: string;
  /** A number, or the text of a non-numeric port (service name or socket path). */
  readonly port: number | string;
  readonly cart: number;
  readonly file: number;
  /** Path of the start-positions copy written as the stream's first entry. */
  readonly startPositionsPath: string;
}

export interface CheckedRestoreInfo {
  /** ctime() text of the backup start. */
  readonly time: string;
  readonly info: RestoreInfo;
}

const portText = (p: number | string): string => String(p);
const portValue = (t: string): number | string => (/^-?\d+$/.test(t) ? Number(t) : t);

/** A client id with blanks (or quotes) is written quoted, as in the index header. */
function fields(info: RestoreInfo): string {
  return `${quoteWord(info.clientId)} ${info.server} ${portText(info.port)} ${info.cart} ${info.file} ${info.startPositionsPath}`;
}

const FIELDS_RE = /^(\S+) (\S+) (\d+) (\d+) (.*)$/s;

function parseFields(text: string): RestoreInfo | undefined {
  const id = scanWord(text);
  if (!id || id.start !== 0 || text[id.end] !== ' ') return undefined;
  const m = FIELDS_RE.exec(text.slice(id.end + 1));
  if (!m) return undefined;
  return {
    clientId: id.word,
    server: m[1]!,
    port: portValue(m[2]!),
    cart: Number(m[3]),
    file: Number(m[4]),
    startPositionsPath: m[5]!,
  };
}

/** `@@@===--->>> <id> <server> <port> <cart> <file> <path>` (no newline). */
export function formatRestoreInfoLine(info: RestoreInfo): string {
  return `${OPEN_MARK} ${fields(info)}`;
}

/** Reads the plain form; undefined when the line is not one. Leading text before the mark is ignored. */
export function parseRestoreInfoLine(line: string): RestoreInfo | undefined {
  const at = line.indexOf(`${OPEN_MARK} `);
  if (at < 0) return undefined;
  return parseFields(line.slice(at + OPEN_MARK.length + 1));
}

/** Length and byte sum (mod 256) of a Latin-1 text. */
export function checkOf(text: string): { length: number; sum: number } {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + (text.charCodeAt(i) & 0xff)) & 0xff;
  return { length: text.length, sum };
}

/** The checked text: `<ctime> @@@===--->>> ... <<<---===@@@`. */
export function checkedText(c: CheckedRestoreInfo): string {
  return `${c.time} ${OPEN_MARK} ${fields(c.info)} ${CLOSE_MARK}`;
}

/** One checked line, with its newline. */
export function formatCheckedLine(c: CheckedRestoreInfo): string {
  const t = checkedText(c);
  const { length, sum } = checkOf(t);
  return `${RESTORE_INFO_PREFIX} ${length} ${sum} ${t}\n`;
}

const CHECKED_RE = /^ (\d+) (\d+) (.*)$/s;
const TEXT_RE = new RegExp(`^(.+?) ${OPEN_MARK.replace(/[-=>]/g, (c) => `\\${c}`)} (.*) ${CLOSE_MARK.replace(/[-=<]/g, (c) => `\\${c}`)}$`, 's');

export type CheckedParse =
  | { ok: true; value: CheckedRestoreInfo }
  | { ok: false; reason: string };

/** Reads one checked line (without its newline), verifying length and sum. */
export function parseCheckedLine(line: string): CheckedParse {
  if (!line.startsWith(RESTORE_INFO_PREFIX)) return { ok: false, reason: 'the line does not start with the restore-info prefix' };
  const m = CHECKED_RE.exec(line.slice(RESTORE_INFO_PREFIX.length));
  if (!m) return { ok: false, reason: 'expected " <length> <sum> <text>" after the prefix' };
  const text = m[3]!;
  const { length, sum } = checkOf(text);
  if (length !== Number(m[1])) return { ok: false, reason: `length ${m[1]} does not match the text (${length} bytes)` };
  if (sum !== Number(m[2])) return { ok: false, reason: `byte sum ${m[2]} does not match the text (${sum})` };
  const t = TEXT_RE.exec(text);
  const info = t ? parseFields(t[2]!) : undefined;
  if (!t || !info) return { ok: false, reason: 'the checked text is not "<time> @@@===--->>> <id> <server> <port> <cart> <file> <path> <<<---===@@@"' };
  return { ok: true, value: { time: t[1]!, info } };
}

export interface InformationHeader {
  readonly checked: CheckedRestoreInfo;
  /** `current number` of the index header. */
  readonly number: number;
  readonly hostname: string;
}

/** The payload of full_backup's INFORMATION record (what `afclient -H` receives), Latin-1. */
export function formatInformationHeader(h: InformationHeader): string {
  const line = formatCheckedLine(h.checked);
  const lines = line + line + line;
  const erase = '\b'.repeat(lines.length);
  return (
    `${lines}${erase}\n## Full backup at ${h.checked.time}, current number: ${h.number}, ` +
    `hostname: ${h.hostname} client id: ${h.checked.info.clientId}\n`
  );
}

/**
 * Every valid checked restore-info line found in a text (an INFORMATION record, a
 * tape listing, stdin of an emergency restore); damaged copies are skipped.
 */
export function findCheckedLines(text: string): CheckedRestoreInfo[] {
  const out: CheckedRestoreInfo[] = [];
  let at = text.indexOf(RESTORE_INFO_PREFIX);
  while (at >= 0) {
    const end = text.indexOf('\n', at);
    const r = parseCheckedLine(text.slice(at, end < 0 ? text.length : end));
    if (r.ok) out.push(r.value);
    at = text.indexOf(RESTORE_INFO_PREFIX, at + 1);
  }
  return out;
}

const HEADER_RE = /\n## Full backup at ([^,\n]+), current number: (\d+), hostname: (\S*) client id: ([^\n]*)\n/;

/** Reads an INFORMATION payload written by formatInformationHeader; undefined when no valid copy is in it. */
export function parseInformationHeader(payload: string): InformationHeader | undefined {
  const copies = findCheckedLines(payload);
  const m = HEADER_RE.exec(payload);
  if (copies.length === 0 || !m) return undefined;
  return { checked: copies[0]!, number: Number(m[2]), hostname: m[3]! };
}
