/**
 * One idea: cut the text of one director configuration file into the pieces of the
 * Bareos-like resource syntax, remembering the file, line and column of each piece.
 *
 * The scanner has two modes, chosen by the parser:
 *   - next(): structure tokens — bare words, quoted strings, `{`, `}`, `=`, `;`, line
 *     ends, `@include` lines and the end of the file;
 *   - value(): everything after `key =` up to the end of the line, a `;`, a `}` or a
 *     `#` comment, so that values such as `Full 1st sun at 23:05` or
 *     `root@host = all, !skipped` come back whole.
 * Quoted strings ("...") may hold `\"`, `\\`, `\n` and `\t`; any other backslash pair
 * stands for the second character. A string never spans lines. `#` starts a comment
 * anywhere outside quotes.
 */
import { AfError } from '../../errors.js';

export interface SourcePos {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export type TokenKind = 'word' | 'string' | '{' | '}' | '=' | ';' | 'newline' | 'include' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Word text, unescaped string text, include path; the symbol itself otherwise. */
  readonly text: string;
  readonly pos: SourcePos;
}

export interface ValueText {
  /** The value with quotes removed and escapes resolved; unquoted parts trimmed at both ends. */
  readonly text: string;
  /** True when the whole value was one quoted string. */
  readonly quoted: boolean;
  readonly pos: SourcePos;
}

/** `"<file>" line N: <what>, near "<word>"` as CONFIG_SYNTAX. */
export function confError(pos: { file: string; line: number }, what: string, near: string): AfError {
  return new AfError('CONFIG_SYNTAX', `"${pos.file}" line ${pos.line}: ${what}, near "${near}"`);
}

const WORD_STOP = new Set([' ', '\t', '\r', '\n', '{', '}', '=', ';', '#', '"']);

export class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  /** True while nothing but blanks came since the last line end: `@` starts an include here. */
  private atLineStart = true;

  constructor(private readonly text: string, readonly file: string) {}

  private pos(at = this.i): SourcePos {
    return { file: this.file, line: this.line, col: at - this.lineStart + 1 };
  }

  private skipBlanksAndComment(): void {
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === ' ' || c === '\t' || c === '\r') { this.i++; continue; }
      if (c === '#') {
        while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
      }
      return;
    }
  }

  private newline(): Token {
    const pos = this.pos();
    this.i++;
    this.line++;
    this.lineStart = this.i;
    this.atLineStart = true;
    return { kind: 'newline', text: '\n', pos };
  }

  /** Reads a quoted string starting at the opening quote. */
  private quoted(): string {
    const start = this.pos();
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= this.text.length || this.text[this.i] === '\n') {
        throw confError(start, 'string is not closed before the end of the line', this.text.slice(start.col - 1 + this.lineStart, this.i).slice(0, 40));
      }
      const c = this.text[this.i]!;
      if (c === '"') { this.i++; return out; }
      if (c === '\\' && this.i + 1 < this.text.length && this.text[this.i + 1] !== '\n') {
        const e = this.text[this.i + 1]!;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
  }

  /** The scanner's place, for one token of look-ahead with reset(). */
  mark(): { i: number; line: number; lineStart: number; atLineStart: boolean } {
    return { i: this.i, line: this.line, lineStart: this.lineStart, atLineStart: this.atLineStart };
  }

  reset(m: ReturnType<Lexer['mark']>): void {
    ({ i: this.i, line: this.line, lineStart: this.lineStart, atLineStart: this.atLineStart } = m);
  }

  /** The next structure token. */
  next(): Token {
    this.skipBlanksAndComment();
    if (this.i >= this.text.length) return { kind: 'eof', text: 'end of file', pos: this.pos() };
    const c = this.text[this.i]!;
    if (c === '\n') return this.newline();
    const first = this.atLineStart;
    this.atLineStart = false;
    const pos = this.pos();
    if (c === '{' || c === '}' || c === '=' || c === ';') {
      this.i++;
      return { kind: c, text: c, pos };
    }
    if (c === '"') return { kind: 'string', text: this.quoted(), pos };
    if (c === '@' && first) {
      this.i++;
      const v = this.restOfLine();
      if (v.text === '') throw confError(pos, '"@" needs a file name to include', '@');
      return { kind: 'include', text: v.text, pos };
    }
    let j = this.i;
    while (j < this.text.length && !WORD_STOP.has(this.text[j]!)) j++;
    const text = this.text.slice(this.i, j);
    this.i = j;
    return { kind: 'word', text, pos };
  }

  /** The value after `=`: up to a line end, `;`, `}` or comment (which are left for next()). */
  value(): ValueText {
    this.skipBlanksAndComment();
    return this.restOfLine();
  }

  private restOfLine(): ValueText {
    while (this.i < this.text.length && (this.text[this.i] === ' ' || this.text[this.i] === '\t')) this.i++;
    const pos = this.pos();
    let out = '';
    let pieces = 0;
    let onlyQuoted = true;
    let pendingBlank = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === '\n' || c === ';' || c === '}' || c === '#') break;
      if (c === '"') {
        out += pendingBlank + this.quoted();
        pendingBlank = '';
        pieces++;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        pendingBlank += c === '\r' ? '' : c;
        this.i++;
        continue;
      }
      if (c === '{') throw confError(pos, 'a "{" cannot appear inside a value (quote it)', '{');
      out += pendingBlank + c;
      pendingBlank = '';
      onlyQuoted = false;
      this.i++;
    }
    return { text: out, quoted: onlyQuoted && pieces === 1, pos };
  }
}
