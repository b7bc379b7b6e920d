/**
 * afbackup's C-style escaping of file names, byte for byte (spec §6.1).
 *
 * afclient reads names one per line (from stdin, `-T` files and the index) and
 * writes them in listings and index lines in this form, so a name may hold any
 * byte, even a newline. Escaping turns a backslash into `\\`, a double quote into
 * `\"`, a newline into `\n`, a TAB into `\t` and every other control byte (below
 * 0x20, and 0x7F) into a three-digit octal `\ooo`. Bytes from 0x80 up pass through
 * unchanged: the index keeps a Latin-1 `é` as the raw byte 0xE9.
 *
 * Unescaping also understands the other C letters (`\a \b \f \r \v`) and octal runs
 * of one to three digits (values above 0xFF keep their low eight bits). A backslash
 * before any other byte stands for that byte; a backslash at the very end stays.
 * Names are Buffers throughout, never decoded as UTF-8.
 */

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** Escape letters written for the bytes that have one. */
const LETTER_FOR: ReadonlyMap<number, number> = new Map([
  [0x0a, 0x6e], // \n
  [0x09, 0x74], // \t
  [BACKSLASH, BACKSLASH],
  [QUOTE, QUOTE],
]);

/** Bytes the letters stand for when reading. */
const BYTE_FOR: ReadonlyMap<number, number> = new Map([
  [0x6e, 0x0a], // n
  [0x74, 0x09], // t
  [0x72, 0x0d], // r
  [0x62, 0x08], // b
  [0x66, 0x0c], // f
  [0x76, 0x0b], // v
  [0x61, 0x07], // a
]);

const isOctal = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x37;

/** True when `byte` is written as an escape sequence. */
export function needsEscape(byte: number): boolean {
  return LETTER_FOR.has(byte) || byte < 0x20 || byte === 0x7f;
}

/** The escaped form of a name. */
export function escapeName(name: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of name) {
    const letter = LETTER_FOR.get(b);
    if (letter !== undefined) {
      out.push(BACKSLASH, letter);
    } else if (b < 0x20 || b === 0x7f) {
      const oct = b.toString(8).padStart(3, '0');
      out.push(BACKSLASH, oct.charCodeAt(0), oct.charCodeAt(1), oct.charCodeAt(2));
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out);
}

/** The name an escaped text stands for. */
export function unescapeName(text: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const b = text[i]!;
    if (b !== BACKSLASH || i + 1 >= text.length) {
      out.push(b);
      i++;
      continue;
    }
    const next = text[i + 1]!;
    if (isOctal(next)) {
      let value = 0;
      let j = i + 1;
      while (j < text.length && j < i + 4 && isOctal(text[j])) {
        value = value * 8 + (text[j]! - 0x30);
        j++;
      }
      out.push(value & 0xff);
      i = j;
      continue;
    }
    out.push(BYTE_FOR.get(next) ?? next);
    i += 2;
  }
  return Buffer.from(out);
}

/** escapeName for a Latin-1 string (one character per byte). */
export function escapeLatin1(name: string): string {
  return escapeName(Buffer.from(name, 'latin1')).toString('latin1');
}

/** unescapeName for a Latin-1 string (one character per byte). */
export function unescapeLatin1(text: string): string {
  return unescapeName(Buffer.from(text, 'latin1')).toString('latin1');
}
