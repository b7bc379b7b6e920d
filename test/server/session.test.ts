/**
 * The session in process, against hand-built byte streams: bad input gets a clear
 * status and loses nothing (unknown commands, oversized texts, EOF in the middle),
 * server messages change exactly the state files afbackup changes, remote start
 * runs only what lies inside Program-Directory, and a state file with a typo is
 * reported and never overwritten.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSession } from '../../src/server/server-context.js';
import { Authenticator, keyMaterialFromFile } from '../../src/protocol/auth.js';
import { encodeRequest } from '../../src/protocol/request-encoder.js';
import type { Request } from '../../src/protocol/request.js';
import { ScriptedPeer } from './scripted-peer.js';
import { KEY, makeServerDir } from './e2e-helpers.js';

const CHALLENGE = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const auth = new Authenticator('des', keyMaterialFromFile('des', Buffer.from(KEY)));
const BANNER_AND_CHALLENGE = 42 + 16;

/** Runs one session over the given requests (after a correct handshake); returns the reply bytes after the handshake status. */
async function session(conf: string, requests: (Request | Buffer)[], opts: { commBufSize?: number } = {}): Promise<Buffer> {
  const parts = [auth.respond(CHALLENGE)];
  for (const r of requests) parts.push(Buffer.isBuffer(r) ? r : encodeRequest(r, { commBufSize: opts.commBufSize ?? 1000, authLength: 16 }));
  const b = await createSession({ configPath: conf, challenge: () => CHALLENGE });
  const peer = new ScriptedPeer(Buffer.concat(parts), 7);
  await b.session.run(peer);
  await b.close();
  const out = peer.written;
  assert.equal(out[BANNER_AND_CHALLENGE], 0, 'handshake accepted');
  return out.subarray(BANNER_AND_CHALLENGE + 1);
}

test('a wrong key gets the authentication status and nothing else', async () => {
  const s = makeServerDir();
  try {
    const b = await createSession({ configPath: s.conf, challenge: () => CHALLENGE });
    const wrong = new Authenticator('des', Buffer.from('another key')).respond(CHALLENGE);
    const peer = new ScriptedPeer(Buffer.concat([wrong, encodeRequest({ name: 'QUERYNUMCARTS' })]));
    await b.session.run(peer);
    await b.close();
    assert.equal(peer.written.length, BANNER_AND_CHALLENGE + 1);
    assert.equal(peer.written[BANNER_AND_CHALLENGE], 0x3d);
  } finally {
    s.cleanup();
  }
});

test('an unknown command gets the protocol-error status and the connection is closed', async () => {
  const s = makeServerDir();
  try {
    const out = await session(s.conf, [{ name: 'QUERYNUMCARTS' }, Buffer.from([0x01]), { name: 'QUERYNUMCARTS' }]);
    assert.equal(out.toString('hex'), '000004' + '00' + '70');
  } finally {
    s.cleanup();
  }
});

test('no-op bytes are ignored, EOF counts as goodbye, QUERYNEEDEDTAPES answers "-"', async () => {
  const s = makeServerDir();
  try {
    const out = await session(s.conf, [Buffer.from(' \n\t\0'), { name: 'QUERYNEEDEDTAPES', clientId: Buffer.from('nobody') }]);
    assert.equal(out.toString('hex'), '000000012d00');
  } finally {
    s.cleanup();
  }
});

test('an oversized client id and a bad comm buffer size are refused without losing the stream', async () => {
  const s = makeServerDir();
  try {
    const longId = Buffer.concat([Buffer.from([0x25, 200]), Buffer.alloc(200, 0x41)]);
    const out = await session(s.conf, [longId, { name: 'SETCOMMBUFSIZ', size: 70000 }, { name: 'QUERYCARTSET' }]);
    assert.equal(out.toString('hex'), '00000000' + '70' + '6c' + '000001' + '00');
  } finally {
    s.cleanup();
  }
});

test('W while not open consumes its payload and answers W; R while not open answers R', async () => {
  const s = makeServerDir();
  try {
    const out = await session(s.conf, [{ name: 'WRITETOTAPE', data: Buffer.alloc(1000, 0x57) }, { name: 'READFROMTAPE' }, { name: 'QUERYNUMCARTS' }]);
    assert.equal(out[0], 0x57);
    assert.equal(out.length, 1 + 1001 + 4);
    assert.equal(out[1001], 0x52);
    assert.equal(out.subarray(1002).toString('hex'), '00000400');
  } finally {
    s.cleanup();
  }
});

test('server messages change precious_tapes, readonly_tapes and the reuse bookkeeping', async () => {
  const s = makeServerDir();
  try {
    const msg = (t: string): Request => ({ name: 'MESSAGETEXT', text: Buffer.from(t) });
    const out = await session(s.conf, [
      msg('PreciousTapes: "client one" 1-2\nPreciousTapes:client2 3'),
      msg('TapesReadOnly: 3-4'),
      msg('TapesReadWrite: 4'),
      msg('Bogus: 1'),
      { name: 'QUERYNEEDEDTAPES', clientId: Buffer.from('client one') },
      msg('ReuseTapes: 2'),
      msg('DeleteClient: client2'),
    ]);
    assert.equal(out.toString('hex'), '00' + '00' + '00' + 'f7' + '00000003' + Buffer.from('1-2').toString('hex') + '00' + '00' + '00');
    const v = (f: string) => fs.readFileSync(path.join(s.var, f), 'latin1');
    assert.equal(v('precious_tapes'), '"client one" 1\n');
    assert.equal(v('readonly_tapes'), '3\n');
  } finally {
    s.cleanup();
  }
});

test('remote start runs programs inside Program-Directory only', async () => {
  const s = makeServerDir();
  try {
    const prog = path.join(s.dir, 'rexec', 'hello');
    fs.writeFileSync(prog, '#!/bin/sh\necho "remote says hi $*"\nexit 3\n', { mode: 0o755 });
    fs.symlinkSync('/bin/echo', path.join(s.dir, 'rexec', 'escape'));
    const run = (cmd: string, suppress = false): Request => ({ name: 'CLIENTBACKUP', suppressOutput: suppress, command: Buffer.from(cmd) });
    const out = await session(s.conf, [
      run('hello a b'),
      run(`${s.dir}/rexec/../../../bin/echo PWNED`),
      run('/bin/echo x'),
      run('escape y'),
      run('hello quiet', true),
      { name: 'OCLIENTBACKUP', command: Buffer.from('echo hi; rm -rf /') },
    ]);
    const hi = Buffer.from('remote says hi a b\n');
    const expect =
      '03' + '00000013' + hi.toString('hex') + '00' + // ran, exit 3, its output
      '00' + '00000000' + '3d' + // ".." outside: refused
      '00' + '00000000' + '3d' + // absolute path outside
      '00' + '00000000' + '3d' + // a symlink leading outside
      '03' + '00000000' + '00' + // suppressed output
      '53'; // the shell form is refused
    assert.equal(out.toString('hex'), expect);
  } finally {
    s.cleanup();
  }
});

test('GETCURMSG always ends with a status byte, with or without a message', async () => {
  const s = makeServerDir();
  try {
    const out = await session(s.conf, [{ name: 'GETCURMSG' }]);
    const len = out.readUInt32BE(0);
    assert.equal(out.length, 4 + len + 1);
    assert.match(out.subarray(4, 4 + len).toString(), /^\d+\n\d+\n$/);
    assert.equal(out[4 + len], 0);
    fs.writeFileSync(path.join(s.var, 'client_message'), 'Please insert cartridge 2\n');
    const out2 = await session(s.conf, [{ name: 'GETCURMSG' }]);
    assert.match(out2.subarray(4, out2.length - 1).toString(), /^\d+\n\d+\nPlease insert cartridge 2\n$/);
    assert.equal(out2[out2.length - 1], 0);
  } finally {
    s.cleanup();
  }
});

test('a state file with a typo is reported and never overwritten', async () => {
  const s = makeServerDir();
  try {
    const file = path.join(s.var, 'precious_tapes');
    fs.writeFileSync(file, 'clientA 1-x\n');
    const out = await session(s.conf, [{ name: 'MESSAGETEXT', text: Buffer.from('PreciousTapes: clientB 2') }, { name: 'QUERYNEEDEDTAPES', clientId: Buffer.from('clientA') }]);
    assert.notEqual(out[0], 0, 'the message is refused with a status');
    assert.equal(fs.readFileSync(file, 'latin1'), 'clientA 1-x\n', 'the file is untouched');
    const log = fs.readFileSync(s.log, 'utf8');
    assert.match(log, /precious_tapes\\?" line 1/);
  } finally {
    s.cleanup();
  }
});

test('a configuration error reaches the client in the handshake status', async () => {
  const s = makeServerDir('Authentication-Scheme: rot13\n');
  try {
    const b = await createSession({ configPath: s.conf, challenge: () => CHALLENGE });
    const peer = new ScriptedPeer(auth.respond(CHALLENGE));
    await b.session.run(peer);
    assert.equal(peer.written[BANNER_AND_CHALLENGE], 0x24);
    assert.equal(b.exitCode, 32);
  } finally {
    s.cleanup();
  }
});
