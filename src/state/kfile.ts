/**
 * afbackup's key/value ("kfile") text format, read and updated the way afbackup 3.5.8
 * does it, so that files pass between the two programs unchanged.
 *
 * A line is `<key> <value>`. The key is one word; a key holding whitespace (or an
 * empty key) is written in double quotes. Reading a word: leading blanks are
 * skipped, a `"` toggles quoting and is dropped, a backslash keeps the next
 * character (and itself, unless that character is a quote). The value is the rest
 * of the line after the blanks that follow the key; afbackup only finds it when the
 * last of those blanks is a space, so writers put exactly one space there.
 *
 * Updating (insert or replace) walks the lines in order and stops
 *   - at a line with the same key: the new line takes its place;
 *   - numeric order: at the first line whose leading integer (C `%d`, blanks and a
 *     sign allowed) is >= the key's integer; a line without one counts as -2, a key
 *     without one as 2147483647;
 *   - ASCII order: at the first line (not already compared numerically) whose key
 *     is >= the new key in byte order.
 * The new line goes before the line where the walk stopped (or at the end); other
 * lines with the same key are dropped. Deleting uses the same walk with no new line.
 */
import { AfError } from '../errors.js';

export type KOrder = 'numeric' | 'ascii' | 'none';

/** Leading-integer value afbackup gives a line that does not start with a number. */
export const NON_NUMERIC_LINE = -2;
/** Leading-integer value afbackup gives a key that does not start with a number. */
export const NON_NUMERIC_KEY = 2147483647;

/** One line holding a key. `line` is 1-based; `sep` is the run of blanks between key and value. */
export interface KEntry {
  readonly key: string;
  readonly value: string;
  readonly sep: string;
  readonly line: number;
  readonly text: string;
}

/** A whole file as its lines (without their newlines). */
export interface KFile {
  readonly lines: readonly string[];
  /** False only for a file whose last line had no newline; every rewrite adds one. */
  readonly finalNewline: boolean;
}

/** The six characters C's isspace() accepts. */
export function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

function skipBlanks(text: string, at: number): number {
  while (at < text.length && isBlank(text[at])) at++;
  return at;
}

/** Reads the first word of a line; null for a blank line. `end` is just past the word. */
export function scanWord(text: string): { word: string; start: number; end: number } | null {
  const start = skipBlanks(text, 0);
  if (start >= text.length) return null;
  let word = '';
  let quoted = false;
  let i = start;
  while (i < text.length && (quoted || !isBlank(text[i]))) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) {
        word += '\\';
        i++;
        continue;
      }
      if (next !== '"') word += '\\';
      word += next;
      i += 2;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else word += ch;
    i++;
  }
  return { word, start, end: i };
}

/** Splits a line into key, separating blanks and value; null for a blank line. */
export function scanLine(text: string): { key: string; sep: string; value: string } | null {
  const w = scanWord(text);
  if (!w) return null;
  const valueAt = skipBlanks(text, w.end);
  return { key: w.word, sep: text.slice(w.end, valueAt), value: text.slice(valueAt) };
}

/** A key as afbackup writes it: in quotes when empty or holding blanks. */
export function quoteWord(word: string): string {
  if (word !== '' && ![...word].some((ch) => isBlank(ch)) && !word.includes('"')) return word;
  return `"${word.replace(/"/g, '\\"')}"`;
}

/** `<key> <value>` with the key quoted as needed; refuses keys that would not read back. */
export function entryLine(key: string, value: string): string {
  const written = quoteWord(key);
  if (key.includes('\n') || value.includes('\n') || scanWord(written)?.word !== key) {
    throw new AfError('INTERNAL', `the key "${key}" cannot be written to a key/value file`);
  }
  return `${written} ${value}`;
}

/** C `sscanf("%d")`: blanks, optional sign, at least one digit; null otherwise. */
export function leadingInt(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m) return null;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** The key of a line as afbackup compares it ('' for a blank line). */
export function keyOfLine(text: string): string {
  return scanWord(text)?.word ?? '';
}

/**
 * afbackup's insert/replace/delete walk over any list of line-like items.
 * `replacement` null deletes every line with `key`.
 */
export function placeLine<T>(
  items: readonly T[],
  textOf: (item: T) => string,
  key: string,
  replacement: T | null,
  order: KOrder,
): T[] {
  const keyNumber = leadingInt(key) ?? NON_NUMERIC_KEY;
  const out: T[] = [];
  let stoppedAt = items.length;
  let keepStopLine = false;
  for (let i = 0; i < items.length; i++) {
    const text = textOf(items[i]!);
    const lineKey = keyOfLine(text);
    if (lineKey === key) {
      stoppedAt = i;
      break;
    }
    let comparedNumerically = false;
    if (order === 'numeric') {
      const n = leadingInt(text);
      comparedNumerically = n !== null;
      if ((n ?? NON_NUMERIC_LINE) >= keyNumber) {
        stoppedAt = i;
        keepStopLine = true;
        break;
      }
    }
    if (order === 'ascii' && !comparedNumerically && lineKey >= key) {
      stoppedAt = i;
      keepStopLine = true;
      break;
    }
    out.push(items[i]!);
  }
  if (replacement !== null) out.push(replacement);
  if (stoppedAt < items.length) {
    if (keepStopLine) out.push(items[stoppedAt]!);
    for (const item of items.slice(stoppedAt + 1)) {
      if (keyOfLine(textOf(item)) !== key) out.push(item);
    }
  }
  return out;
}

export function parseKFile(text: string): KFile {
  if (text === '') return { lines: [], finalNewline: true };
  const lines = text.split('\n');
  const finalNewline = lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

export function formatKFile(file: KFile): string {
  if (file.lines.length === 0) return '';
  return file.lines.join('\n') + (file.finalNewline ? '\n' : '');
}

/** The lines that hold a key, in file order. */
export function kfileEntries(file: KFile): KEntry[] {
  const out: KEntry[] = [];
  file.lines.forEach((text, i) => {
    const s = scanLine(text);
    if (s) out.push({ key: s.key, value: s.value, sep: s.sep, line: i + 1, text });
  });
  return out;
}

/** The value of the first line with `key`, found the way afbackup finds it (the blank before the value must be a space). */
export function kfileGet(file: KFile, key: string): string | undefined {
  for (const text of file.lines) {
    const s = scanLine(text);
    if (s && s.key === key && s.sep.endsWith(' ')) return s.value;
  }
  return undefined;
}

export function kfileSet(file: KFile, key: string, value: string, order: KOrder): KFile {
  return { lines: placeLine(file.lines, (t) => t, key, entryLine(key, value), order), finalNewline: true };
}

export function kfileDelete(file: KFile, key: string): KFile {
  return { lines: placeLine(file.lines, (t) => t, key, null, 'none'), finalNewline: true };
}
