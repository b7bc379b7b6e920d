/**
 * Splitting a configuration value into blank-separated words, shell-like.
 *
 * Double and single quotes group blanks into a word and are removed; a backslash
 * outside single quotes takes the next character literally. Every character of a
 * word remembers whether it was backslash-escaped, so that `\:` can stand for a
 * colon that is not the separator in `file:selector`. Quotes only group blanks: a
 * colon inside quotes still separates (`"/k/lab:|check %H"` is file + command).
 */
import { AfError } from '../errors.js';

export interface Word {
  /** The word with quotes and escaping backslashes removed. */
  readonly text: string;
  /** For each character of `text`: true when it was escaped with a backslash. */
  readonly escapedChars: readonly boolean[];
  /** Offsets of the word in the source text: [start, end). */
  readonly start: number;
  readonly end: number;
}

/** Splits text into words. Throws CONFIG_SYNTAX for an unterminated quote. */
export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let chars = '';
    const escaped: boolean[] = [];
    let quote: '"' | "'" | undefined;
    const add = (ch: string, isEscaped: boolean): void => {
      chars += ch;
      escaped.push(isEscaped);
    };
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quote === undefined && /\s/.test(c)) break;
      if (quote === "'") {
        if (c === "'") quote = undefined;
        else add(c, false);
      } else if (c === '\\' && i + 1 < text.length) {
        i++;
        add(text[i]!, true);
      } else if (quote === '"') {
        if (c === '"') quote = undefined;
        else add(c, false);
      } else if (c === '"' || c === "'") {
        quote = c;
      } else {
        add(c, false);
      }
    }
    if (quote !== undefined) {
      throw new AfError('CONFIG_SYNTAX', `unterminated ${quote} quote in "${text.trim()}"`);
    }
    words.push({ text: chars, escapedChars: escaped, start, end: i });
  }
  return words;
}

/**
 * Splits a word at its first colon that was not escaped: [before, after], or
 * [word, undefined] when there is none.
 */
export function splitAtColon(word: Word): [string, string | undefined] {
  for (let k = 0; k < word.text.length; k++) {
    if (word.text[k] === ':' && !word.escapedChars[k]) {
      return [word.text.slice(0, k), word.text.slice(k + 1)];
    }
  }
  return [word.text, undefined];
}
