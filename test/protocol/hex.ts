/**
 * Test helper: a naive byte builder from hand-written hex, independent of the
 * encoders under test, and the "split at every offset" chunkings of a byte string.
 */

/** Bytes from hex fragments; spaces are ignored. */
export function hx(...parts: string[]): Buffer {
  const hex = parts.join('').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`bad hex in test: ${hex.slice(0, 40)}`);
  return Buffer.from(hex, 'hex');
}

/** Hex of an ASCII/Latin-1 string. */
export function asc(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

/** Hex of n zero bytes. */
export function zeros(n: number): string {
  return '00'.repeat(n);
}

/** Hex of n copies of a byte. */
export function rep(byteHex: string, n: number): string {
  return byteHex.repeat(n);
}

/**
 * Every way of cutting `bytes` into chunks that the tests use: whole, two parts at
 * every offset, and one byte per chunk. Each chunk is a fresh copy.
 */
export function chunkings(bytes: Buffer): Buffer[][] {
  const copy = (b: Buffer): Buffer => {
    const c = Buffer.alloc(b.length);
    c.set(b);
    return c;
  };
  const out: Buffer[][] = [[copy(bytes)]];
  for (let k = 1; k < bytes.length; k++) out.push([copy(bytes.subarray(0, k)), copy(bytes.subarray(k))]);
  if (bytes.length > 2) out.push(Array.from(bytes, (b) => Buffer.of(b)));
  return out;
}
