/**
 * Both authentication schemes against the captured vectors: spec §11.2/§11.3, the
 * vectors' auth-vectors.txt, every challenge/response pair of the checks files and
 * of the copied transcripts (key "vector-key-for-tests"), the simple-mode tables,
 * and the pure DES fallback against OpenSSL and a published DES known answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { isAfError } from '../../src/errors.js';
import {
  Authenticator,
  DES_IV,
  OPENSSL_HAS_DES_EDE,
  SIMPLE_L,
  SIMPLE_Q,
  SIMPLE_S,
  challengeLength,
  deriveDesIv,
  desE,
  desEOpenSsl,
  desEPure,
  desKey,
  keyMaterialFromFile,
  simpleE,
  simpleKey,
} from '../../src/protocol/auth.js';
import { view } from '../../src/protocol/bytes.js';
import { SBOXES, desBlock, desKeySchedule } from '../../src/protocol/des.js';
import { TRANSCRIPTS, VARIANTS, VECTOR_KEY, fixtureText, loadTranscript } from './fixtures.js';
import { hx } from './hex.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const SPEC_KEY_FILE = b('my secret backup key\n');
const COUNT_16 = hx('000102030405060708090a0b0c0d0e0f');

test('the DES IV is derived from the string as the spec says', () => {
  assert.equal(deriveDesIv().toString('hex'), '9ef290f9dead8de886e597ee9eea83ec');
  assert.equal(DES_IV.toString('hex'), '9ef290f9dead8de8');
});

test('DES key derivation and E(): spec §11.2 table', () => {
  const rows: [string, string, string][] = [
    ['my secret backup key\n', '6d0ecee52897342886e35ac3e05ae60a', 'e63ae849a092f730c2a434c893271ec2'],
    ['Z73Fgnew,opwcsc()\n', 'da3d1ba75bdeec0bdfe33ca2a9025a5a', 'f3bf8ab905f9d05925b567a231c03d07'],
    ['Z73Fgnew,opwcsc()', 'da3d1ba75bdeec0bdfe33ca2295a5a5a', 'f4b54117f6306a43de09547d6852014b'],
    ['abcde', 'a13892255a5a5a5a5a5a5a5a5a5a5a5a', 'be59c1248b84967bd381728460c2648f'],
    ['12345', 'b13cd3355a5a5a5a5a5a5a5a5a5a5a5a', '6c3554d0344e52ea0b665a87a6dbcca2'],
    ["D3b9):}UR^'(;G?3VfWB0x3LFR6mn,\n", 'c42ce6a9de579277a2fbf1cf96790930', 'd9d5e3dd3529a4e7ac74c67f3f44c913'],
    ['', '9aa6699aa6699aa6699aa6699aa6699a', '6e46649b6991a1c0e248277d89af9ff0'],
  ];
  for (const [s, k, e] of rows) {
    const key = desKey(b(s));
    assert.equal(key.toString('hex'), k, JSON.stringify(s));
    assert.equal(desE(key, COUNT_16).toString('hex'), e, JSON.stringify(s));
    assert.equal(desEPure(key, COUNT_16).toString('hex'), e, `pure ${JSON.stringify(s)}`);
  }
  const key = desKey(SPEC_KEY_FILE);
  assert.equal(desE(key, Buffer.alloc(16)).toString('hex'), 'cd78cef4a526385a3eefbe9490d88202');
});

test('DES captured handshake of spec §11.2', () => {
  const server = new Authenticator('des', keyMaterialFromFile('des', SPEC_KEY_FILE));
  assert.equal(server.respond(hx('f4a34612b9dadfd7ed7254611a3512c0')).toString('hex'), 'ade5acb943c79bfe0c2a17d58c523ca2');
  assert.equal(server.respond(hx('6721f5f3b096e4131865eca969f3fab5')).toString('hex'), '68418fa8c5f18e40a4169d320a376d09');
  assert.ok(server.verify(hx('f4a34612b9dadfd7ed7254611a3512c0'), hx('ade5acb943c79bfe0c2a17d58c523ca2')));
});

test('simple key and E(): spec §11.3', () => {
  const k = simpleKey(b('my se'));
  assert.equal(k, 0x8a819f65);
  const spots: [string, string][] = [
    ['00000000', '5bb7aff8'],
    ['12345678', '1b2cb161'],
    ['ffffffff', 'ba411628'],
    ['deadbeef', '92510165'],
    ['eafa27f9', '12481ead'],
    ['917800f0', '8bf1aff9'],
  ];
  for (const [x, y] of spots) assert.equal(simpleE(k, hx(x)).toString('hex'), y, x);
  assert.equal(simpleKey(b('abcde')), 0x4c9485c5);
  assert.equal(simpleE(0x4c9485c5, hx('12345678')).toString('hex'), 'dacca887');
  assert.equal(simpleKey(b('12345')), 0x5705b395);
  assert.equal(simpleE(0x5705b395, hx('12345678')).toString('hex'), 'b15eb256');
  const z = simpleKey(b('Z73Fgnew,opwcsc()\n'));
  assert.equal(z, 0x26d93a87);
  assert.equal(simpleE(z, hx('12345678')).toString('hex'), 'a967ee35');
  assert.equal(simpleE(z, simpleE(z, hx('12345678'))).toString('hex'), 'f8b5196a');
  // the full key file gives the same key: only 5 bytes count
  assert.equal(simpleKey(SPEC_KEY_FILE), k);
});

test('simple-mode tables: spot values, sums and SHA-256 of spec §11.3', () => {
  const sSpots: [number, number][] = [[0, 0], [1, 1], [100, 133], [1000, 1312], [4095, 4909], [4096, 4910], [6000, 6675], [8000, 8083], [8191, 8191]];
  for (const [a, v] of sSpots) assert.equal(SIMPLE_S[a], v, `S(${a})`);
  const lSpots: [number, number][] = [[0, 0], [100, 117], [255, 280], [256, 281], [400, 416], [511, 511]];
  for (const [a, v] of lSpots) assert.equal(SIMPLE_L[a], v, `L(${a})`);
  assert.deepEqual(Array.from(SIMPLE_Q), [32, 30, 29, 28, 27, 26, 25, 24, 23, 22, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  const sum = (t: Uint16Array): number => t.reduce((x, y) => x + y, 0);
  assert.equal(sum(SIMPLE_S), 37984356);
  assert.equal(sum(SIMPLE_L), 139383);
  assert.equal(sum(SIMPLE_Q), 486);
  const sha = (t: Uint16Array): string => {
    const buf = Buffer.alloc(t.length * 2);
    t.forEach((v, i) => buf.writeUInt16BE(v, 2 * i));
    return crypto.createHash('sha256').update(view(buf)).digest('hex');
  };
  assert.equal(sha(SIMPLE_S), '3de5397a17e145aad6efeb7ff2b82120654f6b9ed200281e5343596cc2d4a6e1');
  assert.equal(sha(SIMPLE_L), 'a0c370a75bc5282e50037a5d8ad25ca8d9c7bf10a07d486ef5746e3c3fd491e8');
});

test('auth-vectors.txt: fixed challenges for the vector key, both schemes', () => {
  const lines = fixtureText('auth-vectors.txt').split('\n').filter((l) => /^(simple|des) E\(/.test(l));
  assert.equal(lines.length, 8);
  const auth = { simple: new Authenticator('simple', keyMaterialFromFile('simple', VECTOR_KEY)), des: new Authenticator('des', keyMaterialFromFile('des', VECTOR_KEY)) };
  for (const line of lines) {
    const m = /^(simple|des) E\(([0-9a-f]+)\) = ([0-9a-f]+)$/.exec(line);
    assert.ok(m, line);
    assert.equal(auth[m[1] as 'simple' | 'des'].respond(hx(m[2]!)).toString('hex'), m[3], line);
  }
});

for (const variant of VARIANTS) {
  test(`checks/auth-${variant}.txt: all 44 transcript pairs`, () => {
    const auth = new Authenticator(variant, keyMaterialFromFile(variant, VECTOR_KEY));
    const pairs = fixtureText(`auth-${variant}.txt`)
      .split('\n')
      .map((l) => /challenge ([0-9a-f]+) -> response ([0-9a-f]+) :/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null);
    assert.equal(pairs.length, 44);
    for (const [, ch, resp] of pairs) {
      assert.equal(auth.respond(hx(ch!)).toString('hex'), resp);
      assert.ok(auth.verify(hx(ch!), hx(resp!)));
    }
  });

  test(`${variant} transcripts: both handshake pairs recomputed from the stream bytes`, () => {
    const auth = new Authenticator(variant, keyMaterialFromFile(variant, VECTOR_KEY));
    const n = challengeLength(variant);
    for (const name of TRANSCRIPTS) {
      const t = loadTranscript(variant, name);
      const serverChallenge = t.s2c.subarray(42, 42 + n);
      const clientResponse = t.c2s.subarray(0, n);
      assert.equal(auth.respond(serverChallenge).toString('hex'), clientResponse.toString('hex'), `${name} server challenge`);
      assert.equal(t.s2c[42 + n], 0, `${name} auth status`);
      assert.equal(t.c2s[n], 0x61, `${name} 'a'`);
      const clientChallenge = t.c2s.subarray(n + 1, 2 * n + 1);
      const serverAnswer = t.s2c.subarray(43 + n, 43 + 2 * n);
      assert.ok(auth.verify(clientChallenge, serverAnswer), `${name} server answer`);
    }
  });
}

test('key material from a key file', () => {
  assert.equal(keyMaterialFromFile('simple', b('vector-key-for-tests'))?.toString(), 'vecto');
  assert.equal(keyMaterialFromFile('des', b('vector-key-for-tests'))?.toString(), 'vector-key-for-tests');
  assert.equal(keyMaterialFromFile('des', SPEC_KEY_FILE)?.toString(), 'my secret backup key\n', 'newline kept');
  assert.equal(keyMaterialFromFile('des', b('abcdef\0ghij'))?.toString(), 'abcdef', 'stops at NUL');
  assert.equal(keyMaterialFromFile('des', Buffer.alloc(150, 0x41))?.length, 99);
  assert.equal(keyMaterialFromFile('des', b('abcd')), null);
  assert.equal(keyMaterialFromFile('simple', b('abcd')), null);
  // a NUL early in a long file still gives a short key; the size check is on the file
  assert.equal(keyMaterialFromFile('des', b('ab\0cdef'))?.toString(), 'ab');
});

test('pure TypeScript DES: published single-DES known answer, S-box rows are permutations', () => {
  const sched = desKeySchedule(hx('133457799bbcdff1'));
  assert.equal(desBlock(sched, hx('0123456789abcdef'), false).toString('hex'), '85e813540f0ab405');
  assert.equal(desBlock(sched, hx('85e813540f0ab405'), true).toString('hex'), '0123456789abcdef');
  for (const box of SBOXES) {
    for (let row = 0; row < 4; row++) {
      assert.deepEqual([...box.slice(16 * row, 16 * row + 16)].sort((x, y) => x - y), [...Array(16).keys()]);
    }
  }
});

test('pure DES and OpenSSL agree on random keys and blocks', (t) => {
  if (!OPENSSL_HAS_DES_EDE) {
    t.skip('OpenSSL offers no des-ede-cbc here; the pure path is checked by the vectors');
    return;
  }
  for (let i = 0; i < 100; i++) {
    const key = crypto.randomBytes(16);
    const x = crypto.randomBytes(16);
    assert.equal(desEPure(key, x).toString('hex'), desEOpenSsl(key, x).toString('hex'));
  }
});

test('Authenticator: challenges from an injected random source', () => {
  const fixed = (hex: string) => (n: number): Buffer => {
    const out = hx(hex);
    assert.equal(n, out.length);
    return out;
  };
  const des = new Authenticator('des', keyMaterialFromFile('des', SPEC_KEY_FILE), { randomBytes: fixed('f4a34612b9dadfd7ed7254611a3512c0') });
  const ch = des.makeChallenge();
  assert.equal(ch.toString('hex'), 'f4a34612b9dadfd7ed7254611a3512c0', 'DES sends the random bytes as they are');
  assert.ok(des.verify(ch, hx('ade5acb943c79bfe0c2a17d58c523ca2')));

  const simple = new Authenticator('simple', b('my secret backup key\n'), { randomBytes: fixed('00000000') });
  const sch = simple.makeChallenge();
  assert.equal(sch.toString('hex'), '5bb7aff8', 'simple sends E(random)');
  assert.ok(simple.verify(sch, simpleE(0x8a819f65, sch)));
  assert.equal(simple.length, 4);
  assert.equal(des.length, 16);
});

test('Authenticator: wrong answers and wrong lengths fail', () => {
  const des = new Authenticator('des', SPEC_KEY_FILE);
  const ch = hx('f4a34612b9dadfd7ed7254611a3512c0');
  const good = hx('ade5acb943c79bfe0c2a17d58c523ca2');
  const flipped = Buffer.from(good.toString('hex'), 'hex');
  flipped[15] = flipped[15]! ^ 1;
  assert.equal(des.verify(ch, flipped), false);
  assert.equal(des.verify(ch, good.subarray(0, 15)), false);
  assert.equal(des.verify(ch.subarray(0, 4), good.subarray(0, 4)), false);
  assert.throws(() => des.respond(hx('01020304')), (e: unknown) => isAfError(e, 'AUTHENTICATION'));
  const simple = new Authenticator('simple', b('abcde'));
  assert.throws(() => simple.respond(ch), (e: unknown) => isAfError(e, 'AUTHENTICATION'));
  // another key gives another answer
  const other = new Authenticator('des', b('another key file\n'));
  assert.equal(other.verify(ch, good), false);
});

test('Authenticator without key material: DES uses the empty-string key, simple key 0', () => {
  const des = new Authenticator('des', null);
  assert.equal(des.respond(COUNT_16).toString('hex'), '6e46649b6991a1c0e248277d89af9ff0');
  const simple = new Authenticator('simple', null);
  assert.equal(simple.respond(hx('12345678')).toString('hex'), simpleE(0, hx('12345678')).toString('hex'));
  assert.notEqual(simpleE(0, hx('12345678')).toString('hex'), simpleE(1, hx('12345678')).toString('hex'));
});

test('a real random challenge verifies against its own response', () => {
  for (const scheme of ['des', 'simple'] as const) {
    const a = new Authenticator(scheme, VECTOR_KEY);
    const ch = a.makeChallenge();
    assert.equal(ch.length, challengeLength(scheme));
    assert.ok(a.verify(ch, a.respond(ch)));
  }
});
