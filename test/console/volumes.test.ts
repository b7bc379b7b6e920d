/**
 * `list volumes` from a tape server's state files (TapeServer Server Config = its
 * afserver.conf): every cartridge with its set, bytes, full / read-only / precious,
 * label and where it is, in text and JSON; a restricted console does not learn the
 * other clients' names.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeServerDir, type ServerDir } from '../server/e2e-helpers.js';
import { makeCtx, makeDirectorDir, run, type DirectorDir } from './helpers.js';

let server: ServerDir;
let d: DirectorDir;

before(async () => {
  server = makeServerDir('Cartridge-Sets: 1-2 3-4\n', { carts: 4 });
  const v = (name: string, text: string) => fs.writeFileSync(path.join(server.var, name), text);
  v('bytes_on_tape', '1: 1048576 3 1 1774562400\n2: 2048 1 0 1774566000\n');
  v('precious_tapes', '127.0.0.1 1-2\n"< * protected by admin * >" 4\nother.example 2\n');
  v('readonly_tapes', '3\n');
  v('cartridge_locations', '3: shelf B, row 2\n');
  v('cartridge_names', '1: ABC001 monday set\n');
  v('tapepos', 'vtldrive 2 2\n1: 2 2\n');
  d = await makeDirectorDir({ serverConf: server.conf });
});
after(() => {
  d.cleanup();
  server.cleanup();
});

test('every cartridge with set, bytes, flags and place (JSON)', async () => {
  const o = await run(makeCtx(d, { json: true }), 'list volumes');
  assert.equal(o.status, 0, o.error);
  const s = (o.document as any).servers[0];
  assert.equal(s.source, 'state');
  assert.equal(s.error, null);
  const by = new Map<number, any>(s.volumes.map((v: any) => [v.cartridge, v]));
  assert.deepEqual([...by.keys()], [1, 2, 3, 4]);
  assert.deepEqual(
    [1, 2, 3, 4].map((c) => [by.get(c).set, by.get(c).bytes, by.get(c).tapeFiles, by.get(c).full, by.get(c).readOnly, by.get(c).precious]),
    [[1, 1048576, 3, true, false, true], [1, 2048, 1, false, false, true], [2, 0, 0, false, true, false], [2, 0, 0, false, false, true]],
  );
  assert.deepEqual(by.get(2).preciousFor, ['127.0.0.1', 'other.example']);
  assert.deepEqual(by.get(4).preciousFor, ['*admin*']);
  assert.equal(by.get(1).label, 'ABC001 monday set');
  assert.equal(by.get(3).location, 'shelf B, row 2');
  assert.equal(by.get(2).inDrive, 'vtldrive');
  assert.deepEqual(by.get(2).nextWriteOf, [{ set: 1, file: 2 }]);
  assert.equal(by.get(1).lastWrite, new Date(1774562400 * 1000).toISOString());
});

test('the text table', async () => {
  const o = await run(makeCtx(d), 'list volumes');
  assert.match(o.text, /^Tape server "tapehost" \(state files of /);
  assert.match(o.text, /^1 +1 +1\.0 MiB +3 +full precious\(127\.0\.0\.1\) +-$/m);
  assert.match(o.text, /^2 +1 +2\.0 KiB +1 +precious\(127\.0\.0\.1,other\.example\) +in drive vtldrive$/m);
  assert.match(o.text, /^3 +2 +0 B +0 +read-only +shelf B, row 2$/m);
});

test('a restricted console sees the cartridges but not other clients\' names', async () => {
  // laptop-owner may use "laptop" only; 127.0.0.1 is the fileserver's address.
  const s = ((await run(makeCtx(d, { console: 'laptop-owner' }), 'list volumes')).document as any).servers[0];
  const v2 = s.volumes.find((v: any) => v.cartridge === 2);
  assert.deepEqual(v2.preciousFor, ['(other)']);
  const auditor = ((await run(makeCtx(d, { console: 'auditor' }), 'list volumes')).document as any).servers[0];
  assert.deepEqual(auditor.volumes.find((v: any) => v.cartridge === 2).preciousFor, ['127.0.0.1', 'other.example']);
});

test('server=NAME: unknown server is 41', async () => {
  const o = await run(makeCtx(d), 'list volumes server=nosuch');
  assert.equal(o.status, 41);
  assert.match(o.error!, /server=nosuch/);
});
