/**
 * Requests both ways: each kind encodes to hand-written bytes, and those bytes
 * decode back to the same Request however they are cut into chunks. Plus the
 * decoder's stream rules: no-op skipping, comm buffer changes between commands,
 * zero-copy W payloads, pipelining, oversize lengths and the raw auth response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AfError, isAfError } from '../../src/errors.js';
import { COMMAND_NAMES } from '../../src/protocol/commands.js';
import type { Request } from '../../src/protocol/request.js';
import { NO_ARG_COMMANDS } from '../../src/protocol/request.js';
import { view } from '../../src/protocol/bytes.js';
import { RequestDecoder } from '../../src/protocol/request-decoder.js';
import { encodeAuthResponse, encodeRequest, writeToTapeParts } from '../../src/protocol/request-encoder.js';
import { asc, chunkings, hx, rep, zeros } from './hex.js';

interface Case {
  req: Request;
  hex: string;
  commBufSize?: number;
  authLength?: 4 | 16;
  /** Decode-only case: the encoder refuses or would produce other bytes. */
  decodeOnly?: boolean;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Spec letters of the argument-less commands, by hand. */
const NO_ARG_HEX: Record<(typeof NO_ARG_COMMANDS)[number], string> = {
  READFROMTAPE: '52', GETNUMREADVALID: '23', OPENFORREAD: '3c', OPENFORWRITE: '3e', OPENFORRAWREAD: '72',
  OPENFORRAWWRITE: '77', CLOSETAPE: '2a', CLOSETAPEN: '2e', ERASETAPE: '45', REQUESTNEWFILE: '6e',
  REQUESTNEWCART: '4e', QUERYPOSITION: '70', QUERYWRPOSITION: '69', QUERYRDPOSITION: '67',
  OQUERYPOSITION: '50', OQUERYWRPOSITION: '49', QUERYNUMCARTS: '40', QUERYCARTSET: '71',
  QUERYTAPEBLOCKSIZE: '62', QUERYRDYFORSERV: '3f', QUERYWRITTENTAPES: '54', SERVERIDENT: '7b',
  GETCURMSG: '6d', SETBUFFEREDOP: '2b', SETSERIALOP: '2d', SETCHCARTONEOT: '5e', SETERRORONEOT: '5f',
  GOODBYE: '58',
};

const CASES: Case[] = [
  ...NO_ARG_COMMANDS.map((name): Case => ({ req: { name }, hex: NO_ARG_HEX[name] })),
  { req: { name: 'WRITETOTAPE', data: b('abcde') }, hex: '57' + asc('abcde'), commBufSize: 5 },
  // whitespace and NUL inside a payload are data, not no-ops
  { req: { name: 'WRITETOTAPE', data: hx('200a00090d') }, hex: '57 200a00090d', commBufSize: 5 },
  { req: { name: 'WRITETOTAPE', data: Buffer.alloc(0) }, hex: '57', commBufSize: 0 },
  { req: { name: 'WRITETOTAPE', data: Buffer.alloc(1000, 0x41) }, hex: '57' + rep('41', 1000), commBufSize: 1000 },
  { req: { name: 'SETNUMWRITEVALID', count: 248 }, hex: '26 000000f8' },
  { req: { name: 'SETCARTRIDGE', cartridge: 1 }, hex: '63 000001' },
  { req: { name: 'SETCARTRIDGE', cartridge: 0xffffff }, hex: '63 ffffff' },
  { req: { name: 'SETRAWCARTRIDGE', cartridge: 0x123456 }, hex: '44 123456' },
  { req: { name: 'SETFILE', file: 2 }, hex: '66 00000002' },
  { req: { name: 'SETFILE', file: 0xfffffffe }, hex: '66 fffffffe' },
  { req: { name: 'SETRAWFILE', file: 1 }, hex: '47 00000001' },
  { req: { name: 'SKIPFILES', count: 1 }, hex: '53 00000001' },
  { req: { name: 'SETCARTSET', cartSet: 1 }, hex: '73 000001' },
  { req: { name: 'OSETCARTRIDGE', cartridge: 200 }, hex: '43 c8' },
  { req: { name: 'OSETFILE', file: 0x010203 }, hex: '46 010203' },
  { req: { name: 'QUERYNEEDEDTAPES', clientId: b('testclient') }, hex: '25 0a' + asc('testclient') },
  // over the server's 128-byte limit: still decodes, the server decides
  { req: { name: 'QUERYNEEDEDTAPES', clientId: Buffer.alloc(200, 0x78) }, hex: '25 c8' + rep('78', 200) },
  { req: { name: 'QUERYNEEDEDTAPES', clientId: Buffer.alloc(0) }, hex: '25 00' },
  { req: { name: 'CLIENTIDENT', id: b('testclient') }, hex: '21' + asc('testclient') + zeros(118) },
  { req: { name: 'CLIENTIDENT', id: Buffer.alloc(128, 0x61) }, hex: '21' + rep('61', 128) },
  // bytes after the first NUL of the field are ignored
  { req: { name: 'CLIENTIDENT', id: b('ab') }, hex: '21 6162 00 63' + zeros(124), decodeOnly: true },
  { req: { name: 'USERIDENT', user: b('root'), host: b('vm') }, hex: '55' + asc('root') + zeros(124) + asc('vm') + zeros(126) },
  // the node name ends at byte 254 even if byte 255 is not NUL
  {
    req: { name: 'USERIDENT', user: Buffer.alloc(128, 0x75), host: Buffer.alloc(127, 0x68) },
    hex: '55' + rep('75', 128) + rep('68', 128),
    decodeOnly: true,
  },
  { req: { name: 'SETCOMMBUFSIZ', size: 1024 }, hex: '6c 00000400' },
  { req: { name: 'SETCOMMBUFSIZ', size: 70000 }, hex: '6c 00011170' },
  { req: { name: 'SETCOMMBUFSIZ', size: 0xffffffff }, hex: '6c ffffffff' },
  { req: { name: 'MESSAGETEXT', text: b('TapesReadOnly: 5-6') }, hex: '4d 00000012' + asc('TapesReadOnly: 5-6') },
  { req: { name: 'MESSAGETEXT', text: Buffer.alloc(0) }, hex: '4d 00000000' },
  { req: { name: 'CLIENTBACKUP', suppressOutput: false, command: b('hello a b') }, hex: '7c 09 00' + asc('hello a b') },
  { req: { name: 'CLIENTBACKUP', suppressOutput: true, command: b('/bin/echo x') }, hex: '7c 0b 01' + asc('/bin/echo x') },
  // over the server's 250-byte limit: still decodes
  { req: { name: 'CLIENTBACKUP', suppressOutput: false, command: Buffer.alloc(251, 0x7a) }, hex: '7c fb 00' + rep('7a', 251) },
  { req: { name: 'OCLIENTBACKUP', command: b('ls') }, hex: '7e 02' + asc('ls') },
  { req: { name: 'AUTHENTICATE', challenge: hx('6721f5f3b096e4131865eca969f3fab5') }, hex: '61 6721f5f3b096e4131865eca969f3fab5', authLength: 16 },
  { req: { name: 'AUTHENTICATE', challenge: hx('917800f0') }, hex: '61 917800f0', authLength: 4 },
  { req: { name: 'CHECKACCESS', what: 0x63, number: 3, host: b('vm') }, hex: '41 63 00000003' + asc('vm') + zeros(254) },
  { req: { name: 'UNKNOWN', code: 0x01 }, hex: '01' },
  { req: { name: 'UNKNOWN', code: 0xff }, hex: 'ff' },
  { req: { name: 'UNKNOWN', code: 0x08 }, hex: '08' },
  { req: { name: 'UNKNOWN', code: 0x0e }, hex: '0e' },
];

function describe(c: Case): string {
  return `${c.req.name} ${c.hex.replace(/\s+/g, '').slice(0, 24)}`;
}

/** Pushes the chunks one by one and drains the decoder after each push. */
function decodeChunks(chunks: Buffer[], commBufSize: number, authLength: 4 | 16): { reqs: Request[]; dec: RequestDecoder } {
  const dec = new RequestDecoder({ authLength });
  const reqs: Request[] = [];
  for (const chunk of chunks) {
    dec.push(chunk);
    for (let r = dec.next(commBufSize); r !== null; r = dec.next(commBufSize)) reqs.push(r);
  }
  return { reqs, dec };
}

test('the cases cover every command and an unknown byte', () => {
  const covered = new Set(CASES.map((c) => c.req.name));
  for (const name of COMMAND_NAMES) assert.ok(covered.has(name), `no case for ${name}`);
  assert.ok(covered.has('UNKNOWN'));
});

test('every request encodes to the hand-written bytes', () => {
  for (const c of CASES.filter((x) => !x.decodeOnly)) {
    const opts = { commBufSize: c.commBufSize ?? 1000, ...(c.authLength ? { authLength: c.authLength } : {}) };
    const bytes = c.req.name === 'WRITETOTAPE' ? encodeRequest(c.req, opts) : encodeRequest(c.req);
    assert.equal(bytes.toString('hex'), hx(c.hex).toString('hex'), describe(c));
  }
});

test('every request decodes to the same Request however the bytes are chunked', () => {
  for (const c of CASES) {
    const bytes = hx(c.hex);
    const all = c.hex.length > 600 ? [[bytes], Array.from(bytes, (x) => Buffer.of(x))] : chunkings(bytes);
    for (const chunks of all) {
      const { reqs, dec } = decodeChunks(chunks, c.commBufSize ?? 1000, c.authLength ?? 16);
      assert.deepEqual(reqs, [c.req], `${describe(c)} in ${chunks.length} chunks`);
      assert.equal(dec.buffered, 0);
      assert.equal(dec.consumed, bytes.length);
      assert.equal(dec.lastStart, 0);
    }
  }
});

test('all requests back to back decode in order, at every cut of the whole stream', () => {
  const sorted = CASES.filter((c) => c.req.name !== 'WRITETOTAPE' && c.req.name !== 'AUTHENTICATE');
  const stream = hx(...sorted.map((c) => c.hex));
  for (let k = 0; k <= stream.length; k += 7) {
    const { reqs } = decodeChunks([stream.subarray(0, k), stream.subarray(k)], 1000, 16);
    assert.deepEqual(reqs, sorted.map((c) => c.req));
  }
});

test('NUL and whitespace between commands are skipped without a trace', () => {
  const dec = new RequestDecoder();
  dec.push(hx('00 20 09 0a 0b 0c 0d 62 0d0a 58 00'));
  assert.deepEqual(dec.next(1000), { name: 'QUERYTAPEBLOCKSIZE' });
  assert.equal(dec.lastStart, 7);
  assert.deepEqual(dec.next(1000), { name: 'GOODBYE' });
  assert.equal(dec.lastStart, 10);
  assert.equal(dec.next(1000), null);
  assert.equal(dec.buffered, 0, 'trailing NUL consumed');
  assert.equal(dec.consumed, 12);
});

test('a partial command returns null and keeps its bytes', () => {
  const dec = new RequestDecoder();
  dec.push(hx('63 0000'));
  assert.equal(dec.next(1000), null);
  assert.equal(dec.buffered, 3);
  dec.push(hx('07'));
  assert.deepEqual(dec.next(1000), { name: 'SETCARTRIDGE', cartridge: 7 });
});

test('the W size is the comm buffer size of each next() call', () => {
  const dec = new RequestDecoder();
  dec.push(hx('6c 00000003', '57 616263', '6c 00000002', '57 7879', '57 3132'));
  const l1 = dec.next(1000);
  assert.deepEqual(l1, { name: 'SETCOMMBUFSIZ', size: 3 });
  assert.deepEqual(dec.next(3), { name: 'WRITETOTAPE', data: b('abc') });
  assert.deepEqual(dec.next(3), { name: 'SETCOMMBUFSIZ', size: 2 });
  assert.deepEqual(dec.next(2), { name: 'WRITETOTAPE', data: b('xy') });
  // the same bytes read with another size give another split
  assert.deepEqual(dec.next(1), { name: 'WRITETOTAPE', data: b('1') });
  assert.deepEqual(dec.next(1), { name: 'UNKNOWN', code: 0x32 });
});

test('a W payload inside one chunk is a zero-copy view; one straddling chunks is a copy', () => {
  const chunk = hx('62', '57', rep('5a', 1000), '58');
  const dec = new RequestDecoder();
  dec.push(chunk);
  assert.deepEqual(dec.next(1000), { name: 'QUERYTAPEBLOCKSIZE' });
  const w = dec.next(1000);
  assert.ok(w && w.name === 'WRITETOTAPE');
  assert.ok(w.data.buffer === chunk.buffer, 'same memory');
  assert.equal(w.data.byteOffset, chunk.byteOffset + 2);
  assert.equal(w.data.length, 1000);
  chunk[2] = 0x11;
  assert.equal(w.data[0], 0x11, 'a view of the chunk');

  const a = hx('57', rep('01', 600));
  const c = hx(rep('02', 400), '58');
  const dec2 = new RequestDecoder();
  dec2.push(a);
  assert.equal(dec2.next(1000), null);
  dec2.push(c);
  const w2 = dec2.next(1000);
  assert.ok(w2 && w2.name === 'WRITETOTAPE');
  assert.equal(w2.data.toString('hex'), rep('01', 600) + rep('02', 400));
  assert.deepEqual(dec2.next(1000), { name: 'GOODBYE' });
  a.fill(0xee);
  c.fill(0xee);
  assert.equal(w2.data.toString('hex'), rep('01', 600) + rep('02', 400), 'a copy, not a view of the chunks');
});

test('a 64 KiB W arriving one byte per chunk decodes once complete', () => {
  const payload = Buffer.alloc(65536);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const dec = new RequestDecoder();
  dec.push(Buffer.of(0x57));
  let got: Request | null = null;
  for (let i = 0; i < payload.length; i++) {
    assert.equal(got, null);
    dec.push(payload.subarray(i, i + 1));
    got = dec.next(65536);
  }
  assert.ok(got && got.name === 'WRITETOTAPE');
  assert.ok(got.data.equals(view(payload)));
  assert.equal(dec.buffered, 0);
});

test('50 pipelined W commands decode in order (one chunk, and odd chunk sizes)', () => {
  const payloads = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
  const stream = hx(...payloads.map((p) => '57' + p.toString('hex')), '2a 58');
  const expected: Request[] = [...payloads.map((data): Request => ({ name: 'WRITETOTAPE', data })), { name: 'CLOSETAPE' }, { name: 'GOODBYE' }];
  for (const size of [stream.length, 1, 999, 1001, 4096, 1460]) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
    const { reqs, dec } = decodeChunks(chunks, 1000, 16);
    assert.deepEqual(reqs, expected, `chunk size ${size}`);
    assert.equal(dec.buffered, 0);
  }
});

test('M with a length over the limit is MALFORMED at once, without waiting for the text', () => {
  const dec = new RequestDecoder();
  dec.push(hx('4d 00100001 4142'));
  const r = dec.next(1000);
  assert.ok(r && r.name === 'MALFORMED');
  assert.equal(r.code, 0x4d);
  assert.match(r.reason, /1048577/);
  assert.equal(dec.consumed, 5);

  const small = new RequestDecoder({ maxMessageLength: 3 });
  small.push(hx('4d 00000003 414243', '4d 00000004'));
  assert.deepEqual(small.next(1000), { name: 'MESSAGETEXT', text: b('ABC') });
  assert.equal(small.next(1000)?.name, 'MALFORMED');
});

test('an M of exactly 1 MiB is accepted by default', () => {
  const text = Buffer.alloc(1024 * 1024, 0x41);
  const dec = new RequestDecoder();
  dec.push(hx('4d 00100000'));
  assert.equal(dec.next(1000), null);
  dec.push(text);
  const r = dec.next(1000);
  assert.ok(r && r.name === 'MESSAGETEXT');
  assert.equal(r.text.length, text.length);
});

test('the auth response is read raw, even bytes that would be no-ops', () => {
  const dec = new RequestDecoder({ authLength: 4 });
  dec.push(hx('2000'));
  assert.equal(dec.nextAuthResponse(4), null);
  dec.push(hx('0961', '61 01020304', '62'));
  assert.equal(dec.nextAuthResponse(4)?.toString('hex'), '20000961');
  assert.deepEqual(dec.next(1000), { name: 'AUTHENTICATE', challenge: hx('01020304') });
  assert.equal(dec.lastStart, 4);
  assert.deepEqual(dec.next(1000), { name: 'QUERYTAPEBLOCKSIZE' });
});

test('the decoder refuses a comm buffer size outside 0..65536', () => {
  const dec = new RequestDecoder();
  dec.push(hx('58'));
  for (const bad of [-1, 65537, 1.5, Number.NaN]) {
    assert.throws(() => dec.next(bad), (e: unknown) => isAfError(e, 'NO_VALID_COMMBUFSIZ'));
  }
  assert.deepEqual(dec.next(65536), { name: 'GOODBYE' });
});

test('the encoder refuses values that do not fit their field', () => {
  const bad: [Request, object?][] = [
    [{ name: 'SETCARTRIDGE', cartridge: 0x1000000 }],
    [{ name: 'SETFILE', file: -1 }],
    [{ name: 'SETFILE', file: 2 ** 32 }],
    [{ name: 'OSETCARTRIDGE', cartridge: 256 }],
    [{ name: 'SETCOMMBUFSIZ', size: 1.5 }],
    [{ name: 'CLIENTIDENT', id: Buffer.alloc(129, 0x61) }],
    [{ name: 'CLIENTIDENT', id: hx('610062') }],
    [{ name: 'USERIDENT', user: b('u'), host: Buffer.alloc(128, 0x68) }],
    [{ name: 'QUERYNEEDEDTAPES', clientId: Buffer.alloc(256) }],
    [{ name: 'CLIENTBACKUP', suppressOutput: false, command: Buffer.alloc(256) }],
    [{ name: 'WRITETOTAPE', data: Buffer.alloc(10) }, { commBufSize: 11 }],
    [{ name: 'AUTHENTICATE', challenge: Buffer.alloc(4) }, { authLength: 16 }],
    [{ name: 'MALFORMED', code: 0x4d, reason: 'x' }],
  ];
  for (const [req, opts] of bad) {
    assert.throws(() => encodeRequest(req, opts), (e: unknown) => e instanceof AfError && e.code === 'PROTOCOL_ERROR', req.name);
  }
});

test('writeToTapeParts hands the payload through without copying', () => {
  const data = Buffer.alloc(1000, 3);
  const [head, body] = writeToTapeParts(data, 1000);
  assert.equal(head.toString('hex'), '57');
  assert.equal(body, data);
  assert.throws(() => writeToTapeParts(data, 999), AfError);
  const resp = hx('d76d0a60');
  const enc = encodeAuthResponse(resp);
  assert.equal(enc.toString('hex'), 'd76d0a60');
  resp.fill(0);
  assert.equal(enc.toString('hex'), 'd76d0a60', 'a copy');
});
