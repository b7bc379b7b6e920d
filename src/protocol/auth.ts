/**
 * The two afbackup authentication schemes (spec §1.3): the key derivations, the
 * function E() both sides apply to a challenge, and an Authenticator that makes,
 * answers and checks challenges. In both schemes the rule is: response = E(bytes
 * received). Which scheme is used is configuration; nothing on the wire says so.
 */
import crypto from 'node:crypto';
import { AfError } from '../errors.js';
import { copyOf, join, view } from './bytes.js';
import { desEdeCbcEncrypt } from './des.js';

export type AuthScheme = 'des' | 'simple';

/** Challenge and response length: 16 bytes for DES, 4 for simple. */
export function challengeLength(scheme: AuthScheme): 4 | 16 {
  return scheme === 'des' ? 16 : 4;
}

/** A key file shorter than this is not used (the original falls back to its compiled-in key). */
export const MIN_KEY_FILE = 5;
/** DES mode reads at most this many bytes of the key file. */
export const MAX_DES_KEY_MATERIAL = 99;

/**
 * The key material a scheme takes from a key file's raw bytes: DES the first 99
 * bytes up to the first NUL (a trailing newline counts), simple the first 5 bytes.
 * Null when the file is shorter than 5 bytes, so the caller can decide what to use.
 */
export function keyMaterialFromFile(scheme: AuthScheme, bytes: Buffer): Buffer | null {
  if (bytes.length < MIN_KEY_FILE) return null;
  if (scheme === 'simple') return copyOf(bytes.subarray(0, MIN_KEY_FILE));
  const head = bytes.subarray(0, MAX_DES_KEY_MATERIAL);
  const nul = head.indexOf(0);
  return copyOf(nul < 0 ? head : head.subarray(0, nul));
}

// ------------------------------------------------------------------ DES scheme

/**
 * The 16-byte DES key (K1 || K2) of a key string (spec §1.3.2). Only the low six
 * bits of each byte count; a byte is emitted when the low byte of the running
 * value is unchanged by adding the next character, which is data dependent and
 * must stay exactly so. An empty string stands for 99 'Z' bytes.
 */
export function desKey(material: Buffer): Buffer {
  const s = material.length > 0 ? material : Buffer.alloc(MAX_DES_KEY_MATERIAL, 0x5a);
  const key = Buffer.alloc(16, 0x5a);
  let out = 0;
  let acc = s[0]! % 64;
  let mult = 64;
  for (let i = 1; i < s.length && out < 16; i++) {
    let nxt = (acc + mult * (s[i]! % 64)) >>> 0;
    mult = (mult * 64) >>> 0;
    if ((nxt & 0xff) === (acc & 0xff) && mult >= 256) {
      key[out++] = acc & 0xff;
      if (out === 16) break;
      mult = Math.floor(mult / 256);
      nxt = Math.floor(nxt / 256);
    }
    acc = nxt;
  }
  while (out < 16 && acc !== 0) {
    key[out++] = acc & 0xff;
    acc = Math.floor(acc / 256);
  }
  return key;
}

/** The string the DES IV is derived from. */
const IV_SOURCE = "Albi's encryption initialization string";

/** 16 bytes derived from IV_SOURCE by a running XOR that starts at 0xDF; the first 8 are the IV. */
export function deriveDesIv(): Buffer {
  const iv = Buffer.alloc(16);
  let m = 0xdf;
  for (let i = 0; i < 16; i++) {
    m ^= IV_SOURCE.charCodeAt(i);
    iv[i] = m;
  }
  return iv;
}

/** The CBC IV of E() in DES mode (9ef290f9dead8de8). */
export const DES_IV: Buffer = deriveDesIv().subarray(0, 8);

function checkDesArgs(key16: Buffer, x16: Buffer): void {
  if (key16.length !== 16) throw new AfError('KEYFILE', `DES key must be 16 bytes, got ${key16.length}`);
  if (x16.length !== 16) throw new AfError('AUTHENTICATION', `DES challenge must be 16 bytes, got ${x16.length}`);
}

/** E() through OpenSSL's two-key triple DES in CBC mode; throws if OpenSSL refuses the cipher. */
export function desEOpenSsl(key16: Buffer, x16: Buffer): Buffer {
  checkDesArgs(key16, x16);
  const cipher = crypto.createCipheriv('des-ede-cbc', view(key16), view(DES_IV));
  cipher.setAutoPadding(false);
  return join([cipher.update(view(x16)), cipher.final()]);
}

/** E() through the pure TypeScript DES. */
export function desEPure(key16: Buffer, x16: Buffer): Buffer {
  checkDesArgs(key16, x16);
  return desEdeCbcEncrypt(key16, DES_IV, x16);
}

/** Whether this Node's OpenSSL offers des-ede-cbc (OpenSSL 3 may keep it in the legacy provider). */
export const OPENSSL_HAS_DES_EDE: boolean = (() => {
  try {
    desEOpenSsl(Buffer.alloc(16), Buffer.alloc(16));
    return true;
  } catch {
    return false;
  }
})();

/** E() of DES mode: 3DES-EDE2-CBC with the fixed IV over exactly 16 bytes. */
export function desE(key16: Buffer, x16: Buffer): Buffer {
  return OPENSSL_HAS_DES_EDE ? desEOpenSsl(key16, x16) : desEPure(key16, x16);
}

// --------------------------------------------------------------- simple scheme

function buildTable(size: number, f: (a: number) => number): Uint16Array {
  const t = new Uint16Array(size);
  for (let a = 0; a < size; a++) t[a] = Math.trunc(f(a));
  return t;
}

const LOW = Math.PI / 8;
const HIGH = (3 * Math.PI) / 8;

/** S: a sine-shaped map of 13 bits onto 13 bits. */
export const SIMPLE_S: Uint16Array = buildTable(8192, (a) =>
  ((Math.sin((a / 8192) * (HIGH - LOW) + LOW) - Math.sin(LOW)) / (Math.sin(HIGH) - Math.sin(LOW))) * 8192,
);

/** L: a logarithm-shaped map of 9 bits onto 9 bits. */
export const SIMPLE_L: Uint16Array = buildTable(512, (a) =>
  ((Math.log((a / 512) * 4 + 8) - Math.log(8)) / (Math.log(12) - Math.log(8))) * 512,
);

/** Q: a square-root-shaped map of 5 bits onto 0..32 (Q(0) = 32 reaches into bit 23). */
export const SIMPLE_Q: Uint16Array = buildTable(32, (a) => (4 - Math.sqrt((a / 32) * 7 + 9)) * 32);

/** The 32-bit key of simple mode from the first five bytes of the material (spec §1.3.4). */
export function simpleKey(material: Buffer): number {
  let k = 0;
  for (const b of material.subarray(0, MIN_KEY_FILE)) k = (k * 96 + ((b & 0x7f) - 32)) >>> 0;
  return k;
}

/** E() of simple mode over exactly 4 bytes (big-endian u32 in, u32 out). */
export function simpleE(key: number, x4: Buffer): Buffer {
  if (x4.length !== 4) throw new AfError('AUTHENTICATION', `simple challenge must be 4 bytes, got ${x4.length}`);
  const v = (x4.readUInt32BE(0) ^ key) >>> 0;
  const a = v & 0x1f;
  const out =
    SIMPLE_S[(v >>> 5) & 0x1fff]! |
    (((a * a * a) & 0x1f) << 13) |
    (SIMPLE_Q[(v >>> 27) & 0x1f]! << 18) |
    (SIMPLE_L[(v >>> 18) & 0x1ff]! << 23);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(out >>> 0);
  return b;
}

// --------------------------------------------------------------- both schemes

export interface AuthenticatorOptions {
  /** Source of random bytes for challenges (tests inject a fixed one). Default crypto.randomBytes. */
  randomBytes?: (n: number) => Buffer;
}

/**
 * One side's view of the handshake for a scheme and key material. A null material
 * means no usable key: DES then derives from the empty string (99 'Z' bytes) and
 * simple uses key value 0, as afclient does with a missing key file.
 */
export class Authenticator {
  readonly scheme: AuthScheme;
  readonly length: 4 | 16;
  private readonly e: (x: Buffer) => Buffer;
  private readonly random: (n: number) => Buffer;

  constructor(scheme: AuthScheme, material: Buffer | null, options: AuthenticatorOptions = {}) {
    this.scheme = scheme;
    this.length = challengeLength(scheme);
    this.random = options.randomBytes ?? ((n) => crypto.randomBytes(n));
    if (scheme === 'des') {
      const key = desKey(material ?? Buffer.alloc(0));
      this.e = (x) => desE(key, x);
    } else {
      const key = material ? simpleKey(material) : 0;
      this.e = (x) => simpleE(key, x);
    }
  }

  /** E(challenge): the answer to a challenge received from the peer. */
  respond(challenge: Buffer): Buffer {
    if (challenge.length !== this.length) {
      throw new AfError('AUTHENTICATION', `challenge is ${challenge.length} bytes, the ${this.scheme} scheme uses ${this.length}`);
    }
    return this.e(challenge);
  }

  /** A fresh challenge: DES 16 random bytes; simple E(4 random bytes), as the original server sends. */
  makeChallenge(): Buffer {
    const r = this.random(this.length);
    if (r.length !== this.length) throw new AfError('INTERNAL', `random source gave ${r.length} bytes, wanted ${this.length}`);
    return this.scheme === 'des' ? copyOf(r) : this.e(r);
  }

  /** Whether `response` is the right answer to `challenge` (compared in constant time). */
  verify(challenge: Buffer, response: Buffer): boolean {
    if (challenge.length !== this.length || response.length !== this.length) return false;
    return crypto.timingSafeEqual(view(this.e(challenge)), view(response));
  }
}
