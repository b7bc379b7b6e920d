/**
 * afbackup's parameter-file syntax, reduced to logical lines (spec §3.1).
 *
 * A physical line that ends in a backslash is glued to the next one (the backslash
 * goes away). A logical line whose first non-blank character is `#` is a comment.
 * When a logical line was glued together from two or more physical lines, every `#`
 * in it starts a comment that runs to its end; single lines keep their `#`s, because
 * values such as `Set-Cart-Command: ... #%n` may contain them. Blank logical lines are
 * dropped. Each logical line keeps the number of its first physical line (1-based)
 * so that error messages can point at the file and line.
 *
 * Gluing happens before the comment test, so commenting out the first line of a
 * continued entry comments out the whole entry.
 */
import fsp from 'node:fs/promises';
import { AfError } from '../errors.js';

export interface LogicalLine {
  /** 1-based number of the first physical line. */
  readonly line: number;
  /** 1-based number of the last physical line (equal to `line` unless continued). */
  readonly endLine: number;
  /** The text with continuation backslashes removed and comments cut off. */
  readonly text: string;
}

/** Splits parameter-file text into logical lines, dropping comments and blank lines. */
export function readParamLines(text: string): LogicalLine[] {
  const physical = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  // A final newline leaves one empty string behind; it is a blank line and is dropped below.
  const result: LogicalLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const first = i;
    let joined = '';
    let pieces = 0;
    for (;;) {
      const piece = physical[i] ?? '';
      i += 1;
      pieces += 1;
      if (piece.endsWith('\\') && i < physical.length) {
        joined += piece.slice(0, -1);
        continue;
      }
      joined += piece.endsWith('\\') ? piece.slice(0, -1) : piece;
      break;
    }
    const cleaned = cleanLogicalLine(joined, pieces > 1);
    if (cleaned !== undefined) result.push({ line: first + 1, endLine: i, text: cleaned });
  }
  return result;
}

/** Applies the comment rules to one logical line; undefined when nothing is left. */
function cleanLogicalLine(text: string, continued: boolean): string | undefined {
  if (/^\s*#/.test(text)) return undefined;
  let kept = text;
  if (continued) {
    const hash = kept.indexOf('#');
    if (hash >= 0) kept = kept.slice(0, hash);
  }
  return kept.trim() === '' ? undefined : kept;
}

/**
 * Reads a configuration file: as UTF-8 when it is valid UTF-8 (paths in it then
 * reach the file system as written), else as Latin-1, byte for byte. A file that
 * cannot be read is CONFIG_ERROR.
 */
export async function readConfigText(path: string): Promise<string> {
  try {
    const bytes = await fsp.readFile(path);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return bytes.toString('latin1');
    }
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new AfError('CONFIG_ERROR', `cannot read "${path}": ${reason}`, { cause: e });
  }
}

/** Where each key of a table was set, and the lines that set nothing or set a key again. */
export interface KeyAssignment<K> {
  found: Map<K, { value: string; line: LogicalLine }>;
  /** Lines no key recognised. */
  unknownLines: { line: number; text: string }[];
  /** Later lines that set a key again; the first setting won. */
  duplicateLines: { line: number; text: string; key: string }[];
}

/**
 * Matches the logical lines against a key table: the first line that sets a key
 * wins. With `exclusive`, a line belongs to the first key (in table order) that
 * recognises it; otherwise a line may set several keys, as in afbackup's server.
 * Lines in `taken` were claimed elsewhere and are neither matched nor unknown.
 */
export function assignKeys<K extends { readonly name: string }>(
  keys: readonly K[],
  lines: readonly LogicalLine[],
  match: (key: K, text: string) => string | undefined,
  opts: { exclusive: boolean; taken?: ReadonlySet<LogicalLine> },
): KeyAssignment<K> {
  const found = new Map<K, { value: string; line: LogicalLine }>();
  const used = new Set<LogicalLine>(opts.taken);
  const duplicateLines: KeyAssignment<K>['duplicateLines'] = [];
  for (const k of keys) {
    for (const line of lines) {
      if (opts.taken?.has(line) || (opts.exclusive && used.has(line))) continue;
      const value = match(k, line.text);
      if (value === undefined) continue;
      used.add(line);
      if (found.has(k)) duplicateLines.push({ line: line.line, text: line.text, key: k.name });
      else found.set(k, { value, line });
    }
  }
  const unknownLines = lines.filter((l) => !used.has(l)).map((l) => ({ line: l.line, text: l.text }));
  return { found, unknownLines, duplicateLines };
}

/**
 * An integer value as afbackup reads it: the first number in the text. Returns the
 * number, or the reason it cannot be used (no number, or outside min..max).
 */
export function intValue(text: string, min: number, max = Number.MAX_SAFE_INTEGER): number | { error: string } {
  const m = /-?\d+/.exec(text);
  if (!m) return { error: `"${text.trim()}" is not a number` };
  const n = Number(m[0]);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return { error: `${m[0]} is out of range (${min}${max === Number.MAX_SAFE_INTEGER ? ' or more' : `-${max}`})` };
  }
  return n;
}
