/**
 * `estimate` for a local client runs the client's own selection (DirsToBackup,
 * FilesToSkip, DirsToSkip) over a tree made here and counts entries and bytes, with
 * the names under `listing` (a Latin-1 name included); for a remote client it asks
 * the client through `afclient -X '<Full Backup Command> --estimate --json'` (here a
 * fake afclient; estimate-remote.test.ts has the real one over loopback).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fakeWorld, makeCtx, makeDirectorDir, run, type DirectorDir } from './helpers.js';

let d: DirectorDir;
let tree: string;

before(async () => {
  d = await makeDirectorDir();
  tree = path.join(d.dir, 'tree');
  fs.mkdirSync(path.join(tree, 'docs', 'cache'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'docs', 'a.txt'), 'x'.repeat(100));
  fs.writeFileSync(path.join(tree, 'docs', 'b.o'), 'y'.repeat(50));
  fs.writeFileSync(path.join(tree, 'docs', 'cache', 'big'), 'z'.repeat(5000));
  fs.writeFileSync(Buffer.concat([Buffer.from(path.join(tree, 'docs') + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'cafe');
  fs.writeFileSync(path.join(d.dir, 'afclient.conf'), `RootDirectory: ${tree}\nDirsToBackup: docs\nFilesToSkip: *.o\nDirsToSkip: cache\nVarDirectory: ${d.dir}/clientvar\n`);
});
after(() => d.cleanup());

test('local client: entries and bytes of a Full, skips applied', async () => {
  const o = await run(makeCtx(d, { json: true }), 'estimate job=workstation-backup');
  assert.equal(o.status, 0, o.error ?? JSON.stringify(o.document));
  const doc = o.document as any;
  assert.equal(doc.supported, true);
  assert.equal(doc.configFile, path.join(d.dir, 'afclient.conf'));
  // docs/a.txt (100), docs/caf\xe9 (4) and docs itself; b.o and cache/ are skipped.
  assert.equal(doc.files, 3);
  assert.equal(doc.bytes, 104);
  assert.equal(doc.names, null);
});

test('listing: the names, post-order, a Latin-1 name shown with \\x escapes', async () => {
  const o = await run(makeCtx(d), 'estimate job=workstation-backup listing');
  assert.equal(o.status, 0);
  assert.match(o.text, /a Full backup would save 3 entries, 104 bytes/);
  const names = ((await run(makeCtx(d), 'estimate job=workstation-backup listing')).document as any).names as string[];
  assert.deepEqual([...names].sort(), [`${tree}/docs`, `${tree}/docs/a.txt`, `${tree}/docs/caf\\xe9`].sort());
  assert.equal(names[names.length - 1], `${tree}/docs`, 'the directory comes after its contents');
});

test('remote client: asked by remote start, its JSON line read, names unescaped', async () => {
  const line = JSON.stringify({ estimate: true, level: 'Full', files: 3, bytes: 42, names: ['/srv/a', '/srv/caf\xe9\\nx', '/srv'] });
  const world = fakeWorld('2026-03-26T12:00:00Z', {
    // afclient relays the client's stdout+stderr as bytes; the console reads them as Latin-1.
    afclient: async (args) => {
      world.afclientCalls.push([...args]);
      return { exit: 0, stdout: `full_backup: warning: something odd\n${Buffer.from(line, 'utf8').toString('latin1')}\n`, stderr: '' };
    },
  });
  const o = await run(makeCtx(d, { json: true, world }), 'estimate job=fileserver-backup listing');
  assert.equal(o.status, 0, JSON.stringify(o.document));
  const client = d.config.clients.get('fileserver')!;
  assert.deepEqual(world.afclientCalls, [['-X', 'full_backup --estimate --json', '-h', client.address, '-p', String(client.port), '-k', client.keyFile!]]);
  const doc = o.document as any;
  assert.equal(doc.supported, true);
  assert.equal(doc.source, 'remote');
  assert.equal(doc.files, 3);
  assert.equal(doc.bytes, 42);
  assert.deepEqual(doc.names, ['/srv/a', '/srv/caf\\xe9\\x0ax', '/srv'], 'index escapes undone, then shown like local names');
  assert.deepEqual(doc.warnings, ['full_backup: warning: something odd']);
  const t = await run(makeCtx(d, { world }), 'estimate job=fileserver-backup');
  assert.match(t.text, /a Full backup would save 3 entries, 42 bytes/);
  assert.doesNotMatch(t.text, /\/srv\/a/, 'no names without listing');
});

test('remote client that gives no estimate: said plainly with the exit status of the row; unknown job 41', async () => {
  const o = await run(makeCtx(d), 'estimate job=fileserver-backup listing');
  assert.equal(o.status, 78);
  assert.match(o.text, /gave no estimate for "full_backup --estimate --json"/);
  assert.equal((o.document as any).supported, false);
  assert.equal((await run(makeCtx(d), 'estimate job=nosuch')).status, 41);
});
