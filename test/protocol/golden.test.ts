/**
 * Golden transcripts of the original afclient/afserver, both variants: the whole
 * client->server stream decodes with RequestDecoder (chunk by chunk as captured,
 * following 'l' for the W size) into exactly the annotated command sequence, at the
 * annotated offsets, ending at the end of the stream; the server->client stream
 * decodes with ReplyDecoder, given those commands, into replies whose offsets and
 * status bytes equal the annotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_COMMBUFSIZ } from '../../src/protocol/commands.js';
import type { Request } from '../../src/protocol/request.js';
import { RequestDecoder } from '../../src/protocol/request-decoder.js';
import { ReplyDecoder, replyShapeFor, type Reply, type ReplyShape } from '../../src/protocol/reply-decoder.js';
import { expandItems, type Transcript } from '../../src/protocol/transcript.js';
import { TRANSCRIPTS, VARIANTS, loadTranscript, type Variant } from './fixtures.js';

interface Decoded {
  offset: number;
  req: Request;
  /** Comm buffer size in force when the request was read. */
  commBufSize: number;
}

function decodeClientStream(t: Transcript, authLength: 4 | 16): { response: Buffer; reqs: Decoded[]; dec: RequestDecoder } {
  const dec = new RequestDecoder({ authLength });
  let response: Buffer | null = null;
  let commBufSize = DEFAULT_COMMBUFSIZ;
  const reqs: Decoded[] = [];
  for (const chunk of t.chunks) {
    if (chunk.dir !== '>') continue;
    dec.push(chunk.bytes);
    if (!response) response = dec.nextAuthResponse(authLength);
    if (!response) continue;
    for (let r = dec.next(commBufSize); r !== null; r = dec.next(commBufSize)) {
      reqs.push({ offset: dec.lastStart, req: r, commBufSize });
      if (r.name === 'SETCOMMBUFSIZ') commBufSize = r.size;
    }
  }
  assert.ok(response, 'auth response decoded');
  return { response, reqs, dec };
}

/** "'b' QUERYTAPEBLOCKSIZE ..." -> QUERYTAPEBLOCKSIZE */
function annotatedName(text: string): string {
  const m = /^'.' ([A-Z]+)/.exec(text);
  assert.ok(m, `not a command annotation: ${text}`);
  return m[1]!;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function run(variant: Variant, name: string): void {
  const authLength = variant === 'des' ? 16 : 4;
  const t = loadTranscript(variant, name);
  const items = expandItems(t.items);

  // ---- client -> server
  const c2sItems = items.filter((i) => i.dir === '>');
  assert.match(c2sItems[0]!.text, /^auth response = E\(server challenge\): ([0-9a-f]+)/);
  assert.equal(c2sItems[0]!.offset, 0);
  const { response, reqs, dec } = decodeClientStream(t, authLength);
  assert.equal(response.toString('hex'), /: ([0-9a-f]+)$/.exec(c2sItems[0]!.text)![1]);

  const expected = c2sItems.slice(1).map((i) => `@${i.offset} ${annotatedName(i.text)}`);
  const actual = reqs.map((d) => `@${d.offset} ${d.req.name}`);
  assert.deepEqual(actual, expected, 'command sequence');
  assert.equal(dec.buffered, 0, 'nothing left over');
  assert.equal(dec.consumed, t.c2s.length, 'decoded up to the end of the stream');

  // argument details the annotations state
  c2sItems.slice(1).forEach((item, k) => {
    const { req, commBufSize } = reqs[k]!;
    const w = /^'W' WRITETOTAPE \+ (\d+) data bytes/.exec(item.text);
    if (w) {
      assert.ok(req.name === 'WRITETOTAPE');
      assert.equal(req.data.length, Number(w[1]), `W @${item.offset}`);
      assert.equal(req.data.length, commBufSize);
      if (/all zero bytes/.test(item.text)) assert.ok(req.data.every((x) => x === 0));
    }
    const l = /^'l' SETCOMMBUFSIZ (\d+)$/.exec(item.text);
    if (l) assert.deepEqual(req, { name: 'SETCOMMBUFSIZ', size: Number(l[1]) });
    const cf = /^'([cf])' SET(?:CARTRIDGE|FILE) (\d+)$/.exec(item.text);
    if (cf) assert.equal(req.name === 'SETCARTRIDGE' ? req.cartridge : req.name === 'SETFILE' ? req.file : -1, Number(cf[2]));
    const id = /^'!' CLIENTIDENT "([^"]*)"/.exec(item.text);
    if (id) assert.ok(req.name === 'CLIENTIDENT' && req.id.toString('latin1') === id[1]);
    const msg = /^'M' MESSAGETEXT u32 length (\d+), text "(.*)"$/.exec(item.text);
    if (msg) assert.ok(req.name === 'MESSAGETEXT' && req.text.length === Number(msg[1]) && req.text.toString('latin1') === msg[2]);
    const pct = /^'%' QUERYNEEDEDTAPES u8 length (\d+), client id "(.*)"$/.exec(item.text);
    if (pct) assert.ok(req.name === 'QUERYNEEDEDTAPES' && req.clientId.toString('latin1') === pct[2]);
  });

  // ---- server -> client
  const shapes: { label: string; shape: ReplyShape }[] = [
    { label: 'banner', shape: { kind: 'banner' } },
    { label: 'challenge', shape: { kind: 'raw', size: authLength } },
    { label: 'auth', shape: { kind: 'status' } },
    ...reqs.map((d) => {
      if (d.req.name === 'UNKNOWN' || d.req.name === 'MALFORMED') throw new Error(`undecodable command @${d.offset}`);
      return { label: d.req.name, shape: replyShapeFor(d.req.name, { commBufSize: d.commBufSize, authLength }) };
    }),
  ];
  const rdec = new ReplyDecoder();
  const got: string[] = [];
  const replies: Reply[] = [];
  let next = 0;
  for (const chunk of t.chunks) {
    if (chunk.dir !== '<') continue;
    rdec.push(chunk.bytes);
    while (next < shapes.length) {
      const at = rdec.consumed;
      const r = rdec.next(shapes[next]!.shape);
      if (!r) break;
      const st = 'status' in r ? hex2(r.status) : '-';
      got.push(`@${at} ${shapes[next]!.label} ${st}`);
      replies.push(r);
      next++;
    }
  }
  assert.equal(next, shapes.length, 'a reply for every command');
  assert.equal(rdec.buffered, 0);
  assert.equal(rdec.consumed, t.s2c.length, 'decoded up to the end of the stream');

  const want = items
    .filter((i) => i.dir === '<')
    .map((i) => {
      if (/^banner /.test(i.text)) return `@${i.offset} banner -`;
      if (/^server challenge /.test(i.text)) return `@${i.offset} challenge -`;
      const auth = /^authentication result: ([0-9a-f]{2}) /.exec(i.text);
      if (auth) return `@${i.offset} auth ${auth[1]}`;
      const m = /^reply to '.' ([A-Z]+)(.*)$/.exec(i.text);
      assert.ok(m, `unexpected server annotation: ${i.text}`);
      const statuses = [...m[2]!.matchAll(/status ([0-9a-f]{2})\b/g)];
      const st = /\(no status byte\)/.test(m[2]!) ? '-' : statuses.at(-1)?.[1];
      assert.ok(st, `no status in: ${i.text}`);
      return `@${i.offset} ${m[1]} ${st}`;
    });
  assert.deepEqual(got, want, 'reply sequence and status bytes');

  // a few values the annotations state
  const first = replies[0]!;
  assert.ok(first.kind === 'banner' && first.version === '3.5.8');
  items
    .filter((i) => i.dir === '<')
    .forEach((i, k) => {
      const r = replies[k]!;
      const bs = /tape blocksize (\d+) \(u32\)/.exec(i.text);
      if (bs) assert.ok(r.kind === 'u32' && r.value === Number(bs[1]));
      const pos = /cartridge (\d+) \(u24\), file (\d+) \(u32\)/.exec(i.text);
      if (pos) assert.ok(r.kind === 'position' && r.cartridge === Number(pos[1]) && r.file === Number(pos[2]), i.text);
      const txt = /u32 length (\d+), text "(.*)", status/.exec(i.text);
      if (txt) assert.ok(r.kind === 'text' && r.text.toString('latin1') === txt[2], i.text);
      const sid = /server id "(.*)" \(256-byte/.exec(i.text);
      if (sid) assert.ok(r.kind === 'serverIdent' && r.id.toString('latin1') === sid[1]);
      const rd = /^reply to 'R' READFROMTAPE: (\d+) data bytes/.exec(i.text);
      if (rd) assert.ok(r.kind === 'readBuffer' && r.data.length === Number(rd[1]));
      const valid = /valid bytes in last buffer (\d+) \(u32\)/.exec(i.text);
      if (valid) assert.ok(r.kind === 'u32' && r.value === Number(valid[1]));
    });
}

for (const variant of VARIANTS) {
  for (const name of TRANSCRIPTS) {
    test(`golden ${variant}/${name}: both streams decode as annotated`, () => run(variant, name));
  }
}
