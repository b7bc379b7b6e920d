/**
 * The client index file (`<IndexFilePart><num>`, decompressed) as a typed list of
 * lines that formats back to the very same bytes (spec §6.2).
 *
 * Each line is one of
 *   entry    `[<server>%<port>!]<cart>.<file>[|<uid>][~<mtime>]: <escaped name>`
 *   section  `<server>%<port>!<cart>.<file>:`   (start of a run, before its header)
 *   header   `## Full backup at <ctime>, current number: <n>, hostname: <h> client id: <id>`
 *            (or `## Incremental backup at ...`)
 *   comment  any other line starting with `#`
 *   empty    an empty line (written before every appended run)
 *   error    anything else: afclient error text that ended up in the index.
 * Text is handled as Latin-1 so every byte survives; names stay Buffers. A parsed
 * line remembers its source text and is written back unchanged; a line built by a
 * caller (no source) is written in the canonical form.
 */
import { escapeName, unescapeName } from '../escape.js';
import { sourceOf, withSource } from '../../state/line-model.js';

/** Where a tape entry starts. `server`/`port` are absent when the line has no `<server>%<port>!`. */
export interface IndexPosition {
  readonly server?: string;
  /** A number, or the text of a non-numeric port (a Unix socket path). */
  readonly port?: number | string;
  readonly cart: number;
  readonly file: number;
}

export interface IndexEntry extends IndexPosition {
  readonly kind: 'entry';
  readonly uid?: number;
  readonly mtime?: number;
  /** The name as it stands in the line (escaped). */
  readonly escapedName: Buffer;
  /** The name's bytes. */
  readonly name: Buffer;
}

export interface IndexSection extends IndexPosition {
  readonly kind: 'section';
}

export type BackupKind = 'full' | 'incremental';

export interface IndexHeader {
  readonly kind: 'header';
  readonly backup: BackupKind;
  /** ctime() text of the backup start. */
  readonly time: string;
  readonly number: number;
  readonly hostname: string;
  readonly clientId: string;
}

export interface IndexComment {
  readonly kind: 'comment';
  /** The whole line, `#` included. */
  readonly text: string;
}

export interface IndexEmpty {
  readonly kind: 'empty';
}

export interface IndexErrorLine {
  readonly kind: 'error';
  readonly text: string;
}

export type IndexLine = IndexEntry | IndexSection | IndexHeader | IndexComment | IndexEmpty | IndexErrorLine;

export interface IndexFile {
  readonly lines: readonly IndexLine[];
  /** False when the last line had no newline. */
  readonly finalNewline: boolean;
}

const POSITION = String.raw`(?:([^%\s]+)%([^!\s]+)!)?(\d+)\.(\d+)`;
const ENTRY_RE = new RegExp(String.raw`^${POSITION}(?:\|(\d+))?(?:~(-?\d+))?: (.*)$`, 's');
const SECTION_RE = new RegExp(String.raw`^${POSITION}:$`);
const HEADER_RE = /^## (Full|Incremental) backup at ([^,]+), current number: (\d+), hostname: (\S*) client id: (.*)$/s;

function positionOf(m: RegExpExecArray): IndexPosition {
  const [, server, port, cart, file] = m;
  const pos: { server?: string; port?: number | string; cart: number; file: number } = {
    cart: Number(cart),
    file: Number(file),
  };
  if (server !== undefined) {
    pos.server = server;
    pos.port = /^\d+$/.test(port!) ? Number(port) : port!;
  }
  return pos;
}

/** Parses one line (Latin-1 text without its newline). */
export function parseIndexLine(text: string): IndexLine {
  let line: IndexLine;
  let m: RegExpExecArray | null;
  if (text === '') line = { kind: 'empty' };
  else if ((m = HEADER_RE.exec(text))) {
    line = {
      kind: 'header',
      backup: m[1] === 'Full' ? 'full' : 'incremental',
      time: m[2]!,
      number: Number(m[3]),
      hostname: m[4]!,
      clientId: m[5]!,
    };
  } else if (text.startsWith('#')) line = { kind: 'comment', text };
  else if ((m = SECTION_RE.exec(text))) line = { kind: 'section', ...positionOf(m) };
  else if ((m = ENTRY_RE.exec(text))) {
    const escapedName = Buffer.from(m[7]!, 'latin1');
    line = {
      kind: 'entry',
      ...positionOf(m),
      ...(m[5] !== undefined ? { uid: Number(m[5]) } : {}),
      ...(m[6] !== undefined ? { mtime: Number(m[6]) } : {}),
      escapedName,
      name: unescapeName(escapedName),
    };
  } else line = { kind: 'error', text };
  return withSource(line, text);
}

/** Parses a whole decompressed index. A string is taken as Latin-1. */
export function parseIndex(data: Buffer | string): IndexFile {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  if (text === '') return withSource({ lines: [], finalNewline: true }, text);
  const parts = text.split('\n');
  const finalNewline = parts[parts.length - 1] === '';
  if (finalNewline) parts.pop();
  return withSource({ lines: parts.map(parseIndexLine), finalNewline }, text);
}

function positionText(p: IndexPosition): string {
  const prefix = p.server !== undefined ? `${p.server}%${p.port ?? ''}!` : '';
  return `${prefix}${p.cart}.${p.file}`;
}

/** The canonical text of a line (Latin-1). Entries are written from `name` unless `escapedName` is given alone. */
export function formatIndexLine(line: IndexLine): string {
  const source = sourceOf(line);
  if (source !== undefined) return source;
  switch (line.kind) {
    case 'empty':
      return '';
    case 'comment':
    case 'error':
      return line.text;
    case 'section':
      return `${positionText(line)}:`;
    case 'header':
      return `## ${line.backup === 'full' ? 'Full' : 'Incremental'} backup at ${line.time}, current number: ${line.number}, hostname: ${line.hostname} client id: ${line.clientId}`;
    case 'entry': {
      const uid = line.uid !== undefined ? `|${line.uid}` : '';
      const mtime = line.mtime !== undefined ? `~${line.mtime}` : '';
      return `${positionText(line)}${uid}${mtime}: ${escapeName(line.name).toString('latin1')}`;
    }
  }
}

/** The index as bytes; an untouched parsed index comes back byte for byte. */
export function formatIndex(index: IndexFile): Buffer {
  const source = sourceOf(index);
  if (source !== undefined) return Buffer.from(source, 'latin1');
  if (index.lines.length === 0) return Buffer.alloc(0);
  const body = index.lines.map(formatIndexLine).join('\n') + (index.finalNewline ? '\n' : '');
  return Buffer.from(body, 'latin1');
}

/** A new entry line; `name` is the raw name (it is escaped when written). */
export function makeEntry(pos: IndexPosition & { uid?: number; mtime?: number; name: Uint8Array }): IndexEntry {
  const name = Buffer.from(pos.name);
  const { name: _omit, ...rest } = pos;
  void _omit;
  return { kind: 'entry', ...rest, name, escapedName: escapeName(name) };
}

/** An entry together with the header of the run it belongs to (undefined before the first header). */
export interface IndexedEntry {
  readonly entry: IndexEntry;
  readonly header: IndexHeader | undefined;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** All entries in file order, each with its run's header. */
export function indexEntries(index: IndexFile): IndexedEntry[] {
  const out: IndexedEntry[] = [];
  let header: IndexHeader | undefined;
  index.lines.forEach((l, i) => {
    if (l.kind === 'header') header = l;
    else if (l.kind === 'entry') out.push({ entry: l, header, line: i + 1 });
  });
  return out;
}

/** The error-text lines (what afbackup prints to stderr when it rescans the index). */
export function indexErrors(index: IndexFile): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  index.lines.forEach((l, i) => {
    if (l.kind === 'error') out.push({ line: i + 1, text: l.text });
  });
  return out;
}

/** The index with one more run appended: an empty line first unless the index is empty. */
export function appendRun(index: IndexFile, run: readonly IndexLine[]): IndexFile {
  const lead: IndexLine[] = index.lines.length > 0 ? [{ kind: 'empty' }] : [];
  return { lines: [...index.lines, ...lead, ...run], finalNewline: true };
}
