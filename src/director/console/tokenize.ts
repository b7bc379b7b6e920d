/**
 * One idea: split one bconsole-style command line into words.
 *
 *   status scheduler days=3 job="fileserver backup" yes
 *
 * A word is either bare (`status`, `yes`) or `key=value`. Values may be quoted with
 * "..." or '...'; inside double quotes `\"` and `\\` stand for `"` and `\`. A quoted
 * word standing alone is a bare word that may hold blanks (restore patterns). Keys and
 * bare words are compared without regard to case (they are returned in lower case,
 * with the text as typed kept for messages); values keep their case. Errors are
 * USAGE errors that name the offending text and its column (1-based).
 */
import { AfError } from '../../errors.js';

export interface Word {
  /** Lower-cased keyword or key. */
  readonly key: string;
  /** The value after `=`, or undefined for a bare word. */
  readonly value?: string;
  /** The word as typed (for messages). */
  readonly text: string;
  /** 1-based column where the word starts. */
  readonly col: number;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

function bad(what: string, text: string, col: number): AfError {
  return new AfError('USAGE', `${what} at column ${col}: "${text}"`);
}

/** Reads a quoted value starting at `i` (on the quote); returns the value and the index after it. */
function readQuoted(line: string, i: number): { value: string; next: number } {
  const q = line[i]!;
  let out = '';
  let j = i + 1;
  while (j < line.length) {
    const c = line[j]!;
    if (c === q) return { value: out, next: j + 1 };
    if (c === '\\' && q === '"' && (line[j + 1] === '"' || line[j + 1] === '\\')) {
      out += line[j + 1];
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
  throw bad('unterminated quote', line.slice(i), i + 1);
}

/** The words of one command line (empty for a blank line or a `#` comment line). */
export function tokenize(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  if (/^\s*#/.test(line)) return words;
  while (i < line.length) {
    if (isBlank(line[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let key = '';
    while (i < line.length && !isBlank(line[i]!) && line[i] !== '=' && line[i] !== '"' && line[i] !== "'") key += line[i++];
    if (key === '' && (line[i] === '"' || line[i] === "'")) {
      // A quoted word on its own: a bare word that may hold blanks (for restore's patterns).
      const q = readQuoted(line, i);
      i = q.next;
      if (i < line.length && !isBlank(line[i]!)) throw bad('a blank must follow the closing quote', line.slice(start).split(/\s/)[0]!, start + 1);
      words.push({ key: q.value.toLowerCase(), text: q.value, col: start + 1 });
      continue;
    }
    if (key === '') throw bad('a key is missing before "="', line.slice(start).split(/\s/)[0]!, start + 1);
    if (line[i] === '"' || line[i] === "'") throw bad('a quote must follow "="', line.slice(start).split(/\s/)[0]!, start + 1);
    if (line[i] !== '=') {
      words.push({ key: key.toLowerCase(), text: key, col: start + 1 });
      continue;
    }
    i++; // the '='
    let value = '';
    if (line[i] === '"' || line[i] === "'") {
      const q = readQuoted(line, i);
      value = q.value;
      i = q.next;
      if (i < line.length && !isBlank(line[i]!)) throw bad('a blank must follow the closing quote', line.slice(start).split(/\s/)[0]!, start + 1);
    } else {
      while (i < line.length && !isBlank(line[i]!)) {
        if (line[i] === '"' || line[i] === "'") throw bad('a quote inside a value needs the whole value quoted', line.slice(start).split(/\s/)[0]!, start + 1);
        value += line[i++];
      }
    }
    words.push({ key: key.toLowerCase(), value, text: line.slice(start, i), col: start + 1 });
  }
  return words;
}

/**
 * The words of a command given as separate arguments (`afconsole run job=x yes`): the
 * shell has already done the quoting, so each argument is one word, split at its
 * first `=` only.
 */
export function wordsFromArgv(argv: readonly string[]): Word[] {
  let col = 1;
  return argv.map((a) => {
    const at = col;
    col += a.length + 1;
    const eq = a.indexOf('=');
    if (eq === 0) throw bad('a key is missing before "="', a, at);
    if (eq < 0) return { key: a.toLowerCase(), text: a, col: at };
    return { key: a.slice(0, eq).toLowerCase(), value: a.slice(eq + 1), text: a, col: at };
  });
}
