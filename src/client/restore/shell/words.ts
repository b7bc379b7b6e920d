/**
 * Splitting a restore-shell command line (bytes) into words: blanks separate;
 * double or single quotes group blanks into a word; outside single quotes a
 * backslash escapes the next byte, with the C forms of the index (`\n`, `\t`,
 * `\ooo`, ...) so that any name can be typed, e.g. `caf\351.txt` for a Latin-1
 * name. An unterminated quote ends at the end of the line. Pure.
 */
import { unescapeName } from '../../escape.js';

export function splitCommandLine(line: Buffer): Buffer[] {
  const words: Buffer[] = [];
  let cur: number[] | null = null;
  let quote = 0;
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    if (quote === 0 && (b === 0x20 || b === 0x09 || b === 0x0d)) {
      if (cur) words.push(Buffer.from(cur));
      cur = null;
      continue;
    }
    cur ??= [];
    if (quote !== 0 && b === quote) {
      quote = 0;
      continue;
    }
    if (quote === 0 && (b === 0x22 || b === 0x27)) {
      quote = b;
      continue;
    }
    if (b === 0x5c && quote !== 0x27 && i + 1 < line.length) {
      let j = i + 1;
      if (line[j]! >= 0x30 && line[j]! <= 0x37) {
        while (j < line.length && j < i + 4 && line[j]! >= 0x30 && line[j]! <= 0x37) j++;
      } else j++;
      cur.push(...unescapeName(line.subarray(i, j)));
      i = j - 1;
      continue;
    }
    cur.push(b);
  }
  if (cur) words.push(Buffer.from(cur));
  return words;
}
