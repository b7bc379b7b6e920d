/**
 * Shared plumbing for the client var files: walking the lines of a file with a
 * `fail` that throws STATE_SYNTAX naming the file, the line number and the line.
 */
import { splitLines, type Fail } from '../../state/line-model.js';
import { stateSyntax } from '../../state/state-errors.js';

export type { Fail } from '../../state/line-model.js';

/** Calls `each` for every line (1-based numbers); `fail` rejects the current line. */
export function eachLine(text: string, file: string, each: (line: string, n: number, fail: Fail) => void): void {
  splitLines(text).forEach((line, i) => {
    const fail: Fail = (what) => {
      throw stateSyntax(file, i + 1, what, line);
    };
    each(line, i + 1, fail);
  });
}

/** A whole-file failure (no line to point at), worded like the others. */
export function fileFail(file: string, line: number, what: string, text = ''): never {
  throw stateSyntax(file, line, what, text);
}

/** A signed decimal integer (afbackup writes `-1` for a default port). */
export function integer(name: string, text: string, fail: Fail): number {
  if (!/^-?\d+$/.test(text)) fail(`<${name}> "${text}" is not a number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) fail(`<${name}> "${text}" is too large`);
  return n;
}
