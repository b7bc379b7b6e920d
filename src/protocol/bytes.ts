/**
 * Buffer helpers the protocol code shares: reading NUL-padded fixed fields, and
 * copying or joining Buffers through Uint8Array.set, which type-checks with any
 * pairing of TypeScript lib and @types/node (Buffer.concat and buf.copy do not
 * with TypeScript 6 and @types/node 20.9).
 */

/** The part of a fixed field before its first NUL, as a view (no copy). */
export function untilNul(field: Buffer): Buffer {
  const end = field.indexOf(0);
  return end < 0 ? field : field.subarray(0, end);
}

/** A plain Uint8Array view of the same bytes (no copy), for APIs typed on Uint8Array. */
export function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** A fresh copy of the bytes. */
export function copyOf(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  out.set(b);
  return out;
}

/** The parts one after the other in one new Buffer. */
export function join(parts: readonly Buffer[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
