/**
 * The DES block cipher in plain TypeScript, written from the published standard
 * (FIPS 46-3), plus two-key triple DES (EDE) in CBC mode on top of it. This is the
 * fallback for OpenSSL builds that refuse 'des-ede-cbc'; it is slow (bit arrays)
 * but the handshake encrypts only a few blocks per connection.
 *
 * Keys are used as given: parity bits are ignored and weak keys are not rejected,
 * as afbackup requires (DES_set_key_unchecked semantics).
 */

// Tables number bits from 1 = most significant bit of the input, as the standard does.

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
  62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
  61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/** The final permutation is the inverse of IP. */
const FP = (() => {
  const inv = new Array<number>(64);
  IP.forEach((from, to) => {
    inv[from - 1] = to + 1;
  });
  return inv;
})();

/** Expansion E: each 4-bit group with the neighbouring bit on both sides (wrapping). */
const E = (() => {
  const t: number[] = [];
  for (let g = 0; g < 8; g++) {
    for (let k = -1; k <= 4; k++) t.push((((4 * g + k) % 32) + 32) % 32 + 1);
  }
  return t;
})();

const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
  2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];

const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
  10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
  14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
  23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
  44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/** The eight S-boxes, each 4 rows of 16. */
export const SBOXES: readonly (readonly number[])[] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
    0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
    15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
    3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
    13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
    13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
    1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
    13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
    3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
    14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
    11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
    10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
    4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
    13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
    6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
    1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
    2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

type Bits = Uint8Array;

function toBits(bytes: Buffer): Bits {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i++) bits[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

function fromBits(bits: Bits): Buffer {
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) out[i >> 3]! |= bits[i]! << (7 - (i & 7));
  return out;
}

function permute(bits: Bits, table: readonly number[]): Bits {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = bits[table[i]! - 1]!;
  return out;
}

function rotateLeft(half: Bits, n: number): Bits {
  const out = new Uint8Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = half[(i + n) % half.length]!;
  return out;
}

/** The 16 round keys (48 bits each) of an 8-byte key. */
export function desKeySchedule(key8: Buffer): Bits[] {
  if (key8.length !== 8) throw new RangeError(`DES key must be 8 bytes, got ${key8.length}`);
  const cd = permute(toBits(key8), PC1);
  let c = cd.subarray(0, 28) as Bits;
  let d = cd.subarray(28) as Bits;
  const keys: Bits[] = [];
  for (const s of SHIFTS) {
    c = rotateLeft(c, s);
    d = rotateLeft(d, s);
    const joined = new Uint8Array(56);
    joined.set(c, 0);
    joined.set(d, 28);
    keys.push(permute(joined, PC2));
  }
  return keys;
}

function feistel(right: Bits, roundKey: Bits): Bits {
  const x = permute(right, E);
  for (let i = 0; i < 48; i++) x[i]! ^= roundKey[i]!;
  const s = new Uint8Array(32);
  for (let box = 0; box < 8; box++) {
    const b = x.subarray(6 * box, 6 * box + 6);
    const row = (b[0]! << 1) | b[5]!;
    const col = (b[1]! << 3) | (b[2]! << 2) | (b[3]! << 1) | b[4]!;
    const v = SBOXES[box]![row * 16 + col]!;
    for (let k = 0; k < 4; k++) s[4 * box + k] = (v >> (3 - k)) & 1;
  }
  return permute(s, P);
}

/** One 8-byte block through DES with a prepared key schedule; decrypt runs the keys backwards. */
export function desBlock(schedule: Bits[], block8: Buffer, decrypt: boolean): Buffer {
  if (block8.length !== 8) throw new RangeError(`DES block must be 8 bytes, got ${block8.length}`);
  const lr = permute(toBits(block8), IP);
  let l = lr.subarray(0, 32) as Bits;
  let r = lr.subarray(32) as Bits;
  for (let round = 0; round < 16; round++) {
    const k = schedule[decrypt ? 15 - round : round]!;
    const f = feistel(r, k);
    const next = new Uint8Array(32);
    for (let i = 0; i < 32; i++) next[i] = l[i]! ^ f[i]!;
    l = r;
    r = next;
  }
  const rl = new Uint8Array(64);
  rl.set(r, 0);
  rl.set(l, 32);
  return fromBits(permute(rl, FP));
}

/**
 * Two-key triple DES (encrypt K1, decrypt K2, encrypt K1) in CBC mode without
 * padding; key16 = K1 || K2, iv 8 bytes, data a multiple of 8 bytes.
 */
export function desEdeCbcEncrypt(key16: Buffer, iv8: Buffer, data: Buffer): Buffer {
  if (key16.length !== 16) throw new RangeError(`two-key triple DES needs 16 key bytes, got ${key16.length}`);
  if (iv8.length !== 8) throw new RangeError(`CBC needs an 8-byte IV, got ${iv8.length}`);
  if (data.length % 8 !== 0) throw new RangeError(`data length ${data.length} is not a multiple of 8`);
  const k1 = desKeySchedule(key16.subarray(0, 8));
  const k2 = desKeySchedule(key16.subarray(8, 16));
  const out = Buffer.alloc(data.length);
  let chain: Buffer = iv8;
  for (let off = 0; off < data.length; off += 8) {
    const x = Buffer.alloc(8);
    for (let i = 0; i < 8; i++) x[i] = data[off + i]! ^ chain[i]!;
    const y = desBlock(k1, desBlock(k2, desBlock(k1, x, false), true), false);
    out.set(y, off);
    chain = y;
  }
  return out;
}
