/**
 * Replies both ways: each reply-encoder function gives the hand-written bytes, and
 * ReplyDecoder turns those bytes back into the same Reply however they are chunked.
 * Plus the banner, shape derivation, the status block, and refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AfError, isAfError } from '../../src/errors.js';
import { COMMAND_NAMES, STREAMER_BUSY, STREAMER_READY } from '../../src/protocol/commands.js';
import * as enc from '../../src/protocol/reply-encoder.js';
import {
  ReplyDecoder,
  bannerVersion,
  parseRdyForServ,
  replyShapeFor,
  type Reply,
  type ReplyShape,
} from '../../src/protocol/reply-decoder.js';
import { asc, chunkings, hx, rep, zeros } from './hex.js';

interface Case {
  what: string;
  encoded: Buffer;
  hex: string;
  shape: ReplyShape;
  reply: Reply;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const SERVER_ID = 'vm:/srv/afbtest/etc/server.conf';
const READY_BLOCK_HEX = '11' + zeros(12) + '01' + zeros(498);

const CASES: Case[] = [
  { what: 'status ok', encoded: enc.status(0), hex: '00', shape: { kind: 'status' }, reply: { kind: 'status', status: 0 } },
  { what: 'status f7', encoded: enc.status(0xf7), hex: 'f7', shape: { kind: 'status' }, reply: { kind: 'status', status: 0xf7 } },
  { what: 'b blocksize', encoded: enc.u32(1024, 0), hex: '00000400 00', shape: { kind: 'u32' }, reply: { kind: 'u32', value: 1024, status: 0 } },
  { what: '# valid', encoded: enc.u32(0xfffffffe, 0x2e), hex: 'fffffffe 2e', shape: { kind: 'u32' }, reply: { kind: 'u32', value: 0xfffffffe, status: 0x2e } },
  { what: '@ carts', encoded: enc.u24(10, 0), hex: '00000a 00', shape: { kind: 'u24' }, reply: { kind: 'u24', value: 10, status: 0 } },
  {
    what: 'i position',
    encoded: enc.position(1, 4, 0),
    hex: '000001 00000004 00',
    shape: { kind: 'position' },
    reply: { kind: 'position', cartridge: 1, file: 4, status: 0 },
  },
  {
    what: 'p position busy',
    encoded: enc.position(0xabcdef, 0x7fffffff, 0x55),
    hex: 'abcdef 7fffffff 55',
    shape: { kind: 'position' },
    reply: { kind: 'position', cartridge: 0xabcdef, file: 0x7fffffff, status: 0x55 },
  },
  {
    what: 'P old position',
    encoded: enc.oldPosition(2, 0x010203, 0),
    hex: '02 010203 00',
    shape: { kind: 'oldPosition' },
    reply: { kind: 'oldPosition', cartridge: 2, file: 0x010203, status: 0 },
  },
  {
    what: '? status block',
    encoded: enc.rdyForServ(enc.rdyForServBlock({ state: STREAMER_READY, changeable: true, variableAppend: true }), 0),
    hex: READY_BLOCK_HEX + '00',
    shape: { kind: 'rdyForServ' },
    reply: { kind: 'rdyForServ', block: hx(READY_BLOCK_HEX), status: 0 },
  },
  {
    what: '% needed tapes "-"',
    encoded: enc.text4(b('-'), 0),
    hex: '00000001 2d 00',
    shape: { kind: 'text' },
    reply: { kind: 'text', text: b('-'), status: 0 },
  },
  {
    what: 'T no tapes',
    encoded: enc.text4(Buffer.alloc(0), 0),
    hex: '00000000 00',
    shape: { kind: 'text' },
    reply: { kind: 'text', text: Buffer.alloc(0), status: 0 },
  },
  {
    what: 'm message',
    encoded: enc.getCurMsg(enc.curMsgText(1795608653, 1795608656, b('Please insert cartridge 2\n')), 0),
    hex: '00000030' + asc('1795608653\n1795608656\nPlease insert cartridge 2\n') + '00',
    shape: { kind: 'text' },
    reply: { kind: 'text', text: b('1795608653\n1795608656\nPlease insert cartridge 2\n'), status: 0 },
  },
  {
    what: '{ server id',
    encoded: enc.serverIdent(b(SERVER_ID), 0),
    hex: asc(SERVER_ID) + zeros(256 - SERVER_ID.length) + '00',
    shape: { kind: 'serverIdent' },
    reply: { kind: 'serverIdent', id: b(SERVER_ID), status: 0 },
  },
  {
    what: '| remote start',
    encoded: enc.clientBackup(3, b('remote says hi a b\n'), 0),
    hex: '03 00000013' + asc('remote says hi a b\n') + '00',
    shape: { kind: 'clientBackup' },
    reply: { kind: 'clientBackup', exit: 3, output: b('remote says hi a b\n'), status: 0 },
  },
  {
    what: '| denied',
    encoded: enc.clientBackup(0, Buffer.alloc(0), 0x3d),
    hex: '00 00000000 3d',
    shape: { kind: 'clientBackup' },
    reply: { kind: 'clientBackup', exit: 0, output: Buffer.alloc(0), status: 0x3d },
  },
  {
    what: 'R short buffer padded',
    encoded: enc.readBuffer(b('abc'), 8, 0x2e),
    hex: asc('abc') + zeros(5) + '2e',
    shape: { kind: 'readBuffer', size: 8 },
    reply: { kind: 'readBuffer', data: hx(asc('abc') + zeros(5)), status: 0x2e },
  },
  {
    what: 'R full buffer',
    encoded: enc.readBuffer(Buffer.alloc(1024, 0x44), 1024, 0),
    hex: rep('44', 1024) + '00',
    shape: { kind: 'readBuffer', size: 1024 },
    reply: { kind: 'readBuffer', data: Buffer.alloc(1024, 0x44), status: 0 },
  },
  {
    what: 'a answer (no status)',
    encoded: enc.authResponse(hx('8bf1aff9')),
    hex: '8bf1aff9',
    shape: { kind: 'raw', size: 4 },
    reply: { kind: 'raw', bytes: hx('8bf1aff9') },
  },
  {
    what: 'banner',
    encoded: enc.BANNER,
    hex: '61666261636b757020332e352e380a0a 41462773206261636b7570207365727665722072656164792e0a',
    shape: { kind: 'banner' },
    reply: { kind: 'banner', text: b("afbackup 3.5.8\n\nAF's backup server ready.\n"), version: '3.5.8' },
  },
];

test('every reply encoder gives the hand-written bytes', () => {
  for (const c of CASES) assert.equal(c.encoded.toString('hex'), hx(c.hex).toString('hex'), c.what);
  assert.equal(enc.BANNER.length, 42);
});

test('every reply decodes to the same Reply however the bytes are chunked', () => {
  for (const c of CASES) {
    const bytes = hx(c.hex);
    const all = bytes.length > 600 ? [[bytes], Array.from(bytes, (x) => Buffer.of(x))] : chunkings(bytes);
    for (const chunks of all) {
      const dec = new ReplyDecoder();
      const got: Reply[] = [];
      for (const chunk of chunks) {
        dec.push(chunk);
        const r = dec.next(c.shape);
        if (r) got.push(r);
      }
      assert.deepEqual(got, [c.reply], `${c.what} in ${chunks.length} chunks`);
      assert.equal(dec.buffered, 0);
      assert.equal(dec.consumed, bytes.length);
    }
  }
});

test('replies back to back decode in order at every cut', () => {
  const stream = hx(...CASES.map((c) => c.hex));
  for (let k = 0; k <= stream.length; k += 13) {
    const dec = new ReplyDecoder();
    const got: Reply[] = [];
    let i = 0;
    for (const chunk of [stream.subarray(0, k), stream.subarray(k)]) {
      dec.push(chunk);
      for (let r = i < CASES.length ? dec.next(CASES[i]!.shape) : null; r; r = i < CASES.length ? dec.next(CASES[i]!.shape) : null) {
        got.push(r);
        i++;
      }
    }
    assert.deepEqual(got, CASES.map((c) => c.reply));
  }
});

test('the banner stops at the greeting; the challenge after it stays queued', () => {
  const dec = new ReplyDecoder();
  dec.push(hx(asc('afbackup 3.5.8\n\nAF\'s backup server ready.\n'), 'eafa27f9'));
  const banner = dec.next({ kind: 'banner' });
  assert.ok(banner && banner.kind === 'banner');
  assert.equal(banner.text.length, 42);
  assert.deepEqual(dec.next({ kind: 'raw', size: 4 }), { kind: 'raw', bytes: hx('eafa27f9') });
});

test('banner version: the word after "afbackup", or null', () => {
  assert.equal(bannerVersion(b("afbackup 3.3.8\n\nAF's backup server ready.\n")), '3.3.8');
  assert.equal(bannerVersion(b("afbackup\n\nAF's backup server ready.\n")), null);
  assert.equal(bannerVersion(b("hello\nAF's backup server ready.\n")), null);
});

test('a greeting missing from the first 1000 bytes is a protocol error', () => {
  const dec = new ReplyDecoder();
  dec.push(Buffer.alloc(999, 0x41));
  assert.equal(dec.next({ kind: 'banner' }), null);
  dec.push(Buffer.alloc(1, 0x41));
  assert.throws(() => dec.next({ kind: 'banner' }), (e: unknown) => isAfError(e, 'PROTOCOL_ERROR'));
});

test('a text reply with an absurd length is a protocol error', () => {
  const dec = new ReplyDecoder({ maxTextLength: 100 });
  dec.push(hx('00000065'));
  assert.throws(() => dec.next({ kind: 'text' }), (e: unknown) => isAfError(e, 'PROTOCOL_ERROR'));
  const ok = new ReplyDecoder({ maxTextLength: 100 });
  ok.push(hx('00000064', rep('41', 100), '00'));
  assert.equal(ok.next({ kind: 'text' })?.kind, 'text');
});

test('GETCURMSG without status byte (original bug) leaves the decoder waiting', () => {
  const bytes = enc.getCurMsg(b('1795608642\n1795608642\n'), null);
  assert.equal(bytes.toString('hex'), hx('00000016', asc('1795608642\n1795608642\n')).toString('hex'));
  const dec = new ReplyDecoder();
  dec.push(bytes);
  assert.equal(dec.next({ kind: 'text' }), null);
});

test('reply shapes follow the command and the comm buffer size', () => {
  const o = { commBufSize: 1024, authLength: 4 as const };
  assert.deepEqual(replyShapeFor('READFROMTAPE', o), { kind: 'readBuffer', size: 1024 });
  assert.deepEqual(replyShapeFor('AUTHENTICATE', o), { kind: 'raw', size: 4 });
  assert.deepEqual(replyShapeFor('AUTHENTICATE', { commBufSize: 1000, authLength: 16 }), { kind: 'raw', size: 16 });
  assert.deepEqual(replyShapeFor('WRITETOTAPE', o), { kind: 'status' });
  assert.deepEqual(replyShapeFor('QUERYWRPOSITION', o), { kind: 'position' });
  assert.deepEqual(replyShapeFor('OQUERYWRPOSITION', o), { kind: 'oldPosition' });
  assert.deepEqual(replyShapeFor('QUERYNUMCARTS', o), { kind: 'u24' });
  assert.deepEqual(replyShapeFor('GETNUMREADVALID', o), { kind: 'u32' });
  assert.deepEqual(replyShapeFor('CLIENTBACKUP', o), { kind: 'clientBackup' });
  assert.deepEqual(replyShapeFor('QUERYNEEDEDTAPES', o), { kind: 'text' });
  assert.deepEqual(replyShapeFor('SERVERIDENT', o), { kind: 'serverIdent' });
  assert.deepEqual(replyShapeFor('QUERYRDYFORSERV', o), { kind: 'rdyForServ' });
  for (const n of COMMAND_NAMES) assert.ok(replyShapeFor(n, o), n);
});

test('the status block: builder and parser agree with hand-written bytes', () => {
  const block = enc.rdyForServBlock({ state: STREAMER_BUSY, slaveState: 0x109, active: 2, pending: 1 });
  assert.equal(block.toString('hex'), '03 00000109 00000002 00000001 00'.replace(/ /g, '') + zeros(498));
  assert.deepEqual(parseRdyForServ(block), {
    state: STREAMER_BUSY,
    changeable: false,
    slaveState: 0x109,
    active: 2,
    pending: 1,
    variableAppend: false,
  });
  assert.deepEqual(parseRdyForServ(hx(READY_BLOCK_HEX)), {
    state: STREAMER_READY,
    changeable: true,
    slaveState: 0,
    active: 0,
    pending: 0,
    variableAppend: true,
  });
  // a short block is padded to 512 by the encoder
  assert.equal(enc.rdyForServ(hx('11'), 0).toString('hex'), '11' + zeros(511) + '00');
});

test('a server id over 255 bytes is cut so the field keeps its NUL', () => {
  const r = enc.serverIdent(Buffer.alloc(300, 0x61), 0);
  assert.equal(r.length, 257);
  assert.equal(r.toString('hex'), rep('61', 255) + '00' + '00');
});

test('encoders refuse values that do not fit', () => {
  const bad: (() => Buffer)[] = [
    () => enc.status(256),
    () => enc.status(-1),
    () => enc.u24(0x1000000, 0),
    () => enc.u32(2 ** 32, 0),
    () => enc.position(1, 2 ** 32, 0),
    () => enc.oldPosition(256, 1, 0),
    () => enc.oldPosition(1, 0x1000000, 0),
    () => enc.readBuffer(Buffer.alloc(9), 8, 0),
    () => enc.rdyForServ(Buffer.alloc(513), 0),
    () => enc.clientBackup(256, Buffer.alloc(0), 0),
  ];
  for (const f of bad) assert.throws(f, (e: unknown) => e instanceof AfError && e.code === 'PROTOCOL_ERROR', f.toString());
});

test('a read buffer of size 0 is just the status byte', () => {
  assert.equal(enc.readBuffer(Buffer.alloc(0), 0, 0x3a).toString('hex'), '3a');
  const dec = new ReplyDecoder();
  dec.push(hx('3a'));
  assert.deepEqual(dec.next({ kind: 'readBuffer', size: 0 }), { kind: 'readBuffer', data: Buffer.alloc(0), status: 0x3a });
});
