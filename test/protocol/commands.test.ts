/**
 * The command table: afbackup's codes for every name (checked against the spec's
 * letters, written out by hand here), unique codes, the no-op bytes, and sizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/protocol/commands.js';

/** Spec §1.5, letter by letter. */
const LETTERS: Record<C.CommandName, string> = {
  WRITETOTAPE: 'W', READFROMTAPE: 'R', GETNUMREADVALID: '#', SETNUMWRITEVALID: '&',
  SETCARTRIDGE: 'c', SETRAWCARTRIDGE: 'D', SETFILE: 'f', SETRAWFILE: 'G', SKIPFILES: 'S',
  SETCARTSET: 's', OSETCARTRIDGE: 'C', OSETFILE: 'F', OPENFORREAD: '<', OPENFORWRITE: '>',
  OPENFORRAWREAD: 'r', OPENFORRAWWRITE: 'w', CLOSETAPE: '*', CLOSETAPEN: '.', ERASETAPE: 'E',
  REQUESTNEWFILE: 'n', REQUESTNEWCART: 'N', QUERYPOSITION: 'p', QUERYWRPOSITION: 'i',
  QUERYRDPOSITION: 'g', OQUERYPOSITION: 'P', OQUERYWRPOSITION: 'I', QUERYNUMCARTS: '@',
  QUERYCARTSET: 'q', QUERYTAPEBLOCKSIZE: 'b', QUERYRDYFORSERV: '?', QUERYWRITTENTAPES: 'T',
  QUERYNEEDEDTAPES: '%', SERVERIDENT: '{', CLIENTIDENT: '!', USERIDENT: 'U', SETCOMMBUFSIZ: 'l',
  MESSAGETEXT: 'M', GETCURMSG: 'm', CLIENTBACKUP: '|', OCLIENTBACKUP: '~', SETBUFFEREDOP: '+',
  SETSERIALOP: '-', SETCHCARTONEOT: '^', SETERRORONEOT: '_', AUTHENTICATE: 'a', CHECKACCESS: 'A',
  GOODBYE: 'X',
};

test('every command has the code of its spec letter, as table entry and as named constant', () => {
  assert.equal(C.COMMAND_NAMES.length, 47);
  for (const name of C.COMMAND_NAMES) {
    const code = LETTERS[name].charCodeAt(0);
    assert.equal(C.COMMAND_TABLE[name].code, code, name);
    assert.equal((C as unknown as Record<string, number>)[name], code, `constant ${name}`);
    assert.equal(C.commandName(code), name);
  }
  assert.equal(C.WRITETOTAPE, 0x57);
  assert.equal(C.READFROMTAPE, 0x52);
});

test('command codes are unique and none is a no-op byte', () => {
  const codes = C.COMMAND_NAMES.map((n) => C.COMMAND_TABLE[n].code);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.equal(C.isNoOperation(c), false);
});

test('no-op bytes are exactly NUL, 0x09-0x0d and space', () => {
  const noops: number[] = [];
  for (let b = 0; b < 256; b++) if (C.isNoOperation(b)) noops.push(b);
  assert.deepEqual(noops, [0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);
  assert.equal(C.commandName(0x01), undefined);
});

test('constants', () => {
  assert.equal(C.COMMAND_OK, 0);
  assert.equal(C.DEFAULT_COMMBUFSIZ, 1000);
  assert.equal(C.MAX_COMMBUFSIZ, 65536);
  assert.equal(C.DEFAULT_PORT, 2988);
  assert.equal(C.DEFAULT_MULTI_PORT, 2989);
});

test('argument and reply sizes follow the spec table', () => {
  const t = C.COMMAND_TABLE;
  assert.equal(C.resolveSize(t.WRITETOTAPE.args.fixed, 1234, 16), 1234);
  assert.equal(C.resolveSize(t.AUTHENTICATE.args.fixed, 1000, 4), 4);
  assert.equal(t.AUTHENTICATE.reply.status, false);
  assert.equal(C.resolveSize(t.READFROMTAPE.reply.fixed, 1024, 16), 1024);
  assert.equal(t.CLIENTIDENT.args.fixed, 128);
  assert.equal(t.USERIDENT.args.fixed, 256);
  assert.equal(t.CHECKACCESS.args.fixed, 261);
  assert.deepEqual(t.MESSAGETEXT.args.variable, { lengthAt: 0, lengthSize: 4 });
  assert.deepEqual(t.CLIENTBACKUP.args, { fixed: 2, variable: { lengthAt: 0, lengthSize: 1 } });
  assert.deepEqual(t.CLIENTBACKUP.reply.variable, { lengthAt: 1 });
  assert.equal(t.CLIENTBACKUP.reply.fixed, 5);
  assert.equal(t.QUERYPOSITION.reply.fixed, 7);
  assert.equal(t.OQUERYPOSITION.reply.fixed, 4);
  assert.equal(t.QUERYRDYFORSERV.reply.fixed, 512);
  assert.equal(t.SERVERIDENT.reply.fixed, 256);
  for (const n of ['QUERYWRITTENTAPES', 'QUERYNEEDEDTAPES', 'GETCURMSG'] as const) {
    assert.equal(t[n].reply.kind, 'text', n);
  }
  // every command except 'a' ends its reply with a status byte
  for (const n of C.COMMAND_NAMES) assert.equal(t[n].reply.status, n !== 'AUTHENTICATE', n);
});
