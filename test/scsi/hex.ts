// Test helper: golden bytes written as annotated hex, independent of the code under test.
/**
 * hex(): bytes from hex text; `#` starts a comment that runs to the next `|` or the end of
 * the line, and blanks, newlines and `|` are ignored, so a page can be written one
 * annotated field per line (or per `|`-separated group).
 * ascii(): the hex of a space-padded ASCII field of a fixed width.
 */
export function hex(annotated: string): Buffer {
  const digits = annotated
    .split('\n')
    .map((l) => l.replace(/#[^|]*/g, ''))
    .join('')
    .replace(/[\s|]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}

export function ascii(s: string, width: number, pad = ' '): string {
  if (s.length > width) throw new Error(`"${s}" is wider than ${width}`);
  let out = '';
  for (const ch of s.padEnd(width, pad)) out += ch.charCodeAt(0).toString(16).padStart(2, '0');
  return out;
}

/** A 36-byte volume tag field: 32 bytes of barcode padded with blanks, 2 reserved, 2 sequence bytes. */
export function volTag(barcode: string, sequence = 0): string {
  return ascii(barcode, 32) + '0000' + sequence.toString(16).padStart(4, '0');
}
