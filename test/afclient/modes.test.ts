/**
 * afclient's further modes against a real afserver over loopback: -X remote
 * start (output, exit status, -n prefixes, a ".." path refused), -d verify of a
 * saved tree against the file system, -I index of the tape files with their
 * headers, and -m polling of the operator message (with our --count).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afclient, startServer, type TestServer } from './helpers.js';
import { parseAfclientArgs } from '../../src/client/afclient/options.js';
import { prefixLines } from '../../src/client/afclient/remote-start.js';
import { parseCurrentMessage } from '../../src/client/afclient/messages-poll.js';

let srv: TestServer;
let tmp: string;

before(async () => {
  srv = await startServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'afmodes-'));
});

after(async () => {
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('options: -X -d -I -m and --count', () => {
  const x = parseAfclientArgs(['-X', 'prog a b', '-n']);
  assert.equal(x.mode, 'remoteStart');
  assert.equal(x.program, 'prog a b');
  assert.equal(parseAfclientArgs(['-d', '-a']).mode, 'verify');
  assert.equal(parseAfclientArgs(['-In']).mode, 'index');
  const m = parseAfclientArgs(['-m']);
  assert.equal(m.mode, 'poll');
  assert.equal(m.pollInterval, 3);
  assert.equal(m.pollCount, undefined);
  assert.equal(parseAfclientArgs(['-m7']).pollInterval, 7);
  const m2 = parseAfclientArgs(['-m', '0', '--count', '4']);
  assert.equal(m2.pollInterval, 0);
  assert.equal(m2.pollCount, 4);
  assert.equal(parseAfclientArgs(['-m', '--count=2']).pollCount, 2);
  assert.throws(() => parseAfclientArgs(['-d', '-x']), /exclude/);
  assert.throws(() => parseAfclientArgs(['-X', 'p', '-I']), /exclude/);
  assert.throws(() => parseAfclientArgs(['-m', '--count', '0']), /at least 1/);
});

test('prefixLines and parseCurrentMessage', () => {
  assert.equal(prefixLines(Buffer.from('a\nb'), 'h: ').toString(), 'h: a\nh: b\n');
  assert.equal(prefixLines(Buffer.alloc(0), 'h: ').length, 0);
  const m = parseCurrentMessage(Buffer.from('10\n20\nhello\n'));
  assert.deepEqual({ ...m, text: m.text.toString() }, { mtime: 10, now: 20, text: 'hello\n' });
  assert.throws(() => parseCurrentMessage(Buffer.from('x\n')), /two times/);
});

test('-X runs a program of the Program-Directory: output, exit status, -n', async () => {
  const prog = path.join(srv.dir.dir, 'rexec', 'hello');
  fs.writeFileSync(prog, '#!/bin/sh\necho "hello $1"\necho "second line"\nexit 3\n', { mode: 0o755 });
  const r = await afclient(['-X', 'hello world', ...srv.args]);
  assert.equal(r.status, 3, r.err.join('\n'));
  assert.equal(r.out.toString(), 'hello world\nsecond line\n');
  const n = await afclient(['-X', 'hello there', '-n', ...srv.args]);
  assert.equal(n.status, 3);
  assert.equal(n.out.toString(), '127.0.0.1: hello there\n127.0.0.1: second line\n');

  const ok = path.join(srv.dir.dir, 'rexec', 'fine');
  fs.writeFileSync(ok, '#!/bin/sh\nprintf "no newline"\n', { mode: 0o755 });
  const f = await afclient(['-X', 'fine', ...srv.args]);
  assert.equal(f.status, 0);
  assert.equal(f.out.toString(), 'no newline');
});

test('-X refuses a program outside the Program-Directory (status =, exit 49)', async () => {
  const r = await afclient(['-X', `${path.join(srv.dir.dir, 'rexec')}/../../../bin/echo PWNED`, ...srv.args]);
  assert.equal(r.status, 49);
  assert.equal(r.out.toString(), '');
  assert.ok(r.err.some((l) => /Authentication failure: remote start refused/.test(l)), r.err.join('\n'));
  const plain = path.join(srv.dir.dir, 'rexec', 'plain');
  fs.writeFileSync(plain, '#!/bin/sh\necho never\n', { mode: 0o644 });
  const notExec = await afclient(['-X', 'plain', ...srv.args]);
  assert.equal(notExec.status, 78, notExec.err.join('\n'));
  assert.equal(notExec.out.toString(), '');
  assert.ok(notExec.err.some((l) => /^Subprocess failed: remote start refused: plain/.test(l)), notExec.err.join('\n'));
  const empty = await afclient(['-X', '  ', ...srv.args]);
  assert.equal(empty.status, 2);
  const long = await afclient(['-X', 'x'.repeat(251), ...srv.args]);
  assert.equal(long.status, 2);
});

test('-d verifies a saved tree: clean, then reports a changed file', async () => {
  const src = path.join(tmp, 'd-src');
  fs.mkdirSync(path.join(src, 'tree', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(src, 'tree', 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(src, 'tree', 'sub', 'b.bin'), Buffer.alloc(70_000, 7));
  fs.symlinkSync('../a.txt', path.join(src, 'tree', 'sub', 'ln'));
  const stamp = new Date(1_400_000_000 * 1000);
  fs.utimesSync(path.join(src, 'tree', 'a.txt'), stamp, stamp);
  const before = await afclient(['-Q', ...srv.args]);
  const m = /Cartridge: (\d+)\nFile:\s+(\d+)/.exec(before.out.toString())!;
  const c = await afclient(['-cR', ...srv.args, 'tree'], { cwd: src });
  assert.equal(c.status, 0, c.err.join('\n'));
  const where = ['-C', m[1]!, '-F', m[2]!];

  const clean = await afclient(['-d', ...srv.args, ...where], { cwd: src });
  assert.equal(clean.status, 0, clean.out.toString() + clean.err.join('\n'));
  assert.equal(clean.out.toString(), '');
  const verbose = await afclient(['-dv', ...srv.args, ...where], { cwd: src });
  assert.equal(verbose.status, 0);
  assert.ok(verbose.out.toString().includes('tree/sub/b.bin\n'));

  // Same size, same mtime, other content: only the contents differ.
  fs.writeFileSync(path.join(src, 'tree', 'a.txt'), 'ALPHA\n');
  fs.utimesSync(path.join(src, 'tree', 'a.txt'), stamp, stamp);
  const changed = await afclient(['-d', ...srv.args, ...where], { cwd: src });
  assert.equal(changed.status, 1);
  assert.equal(changed.out.toString(), 'tree/a.txt: contents differ\n');

  // Mode, symlink target, a missing file, a longer file.
  fs.chmodSync(path.join(src, 'tree', 'a.txt'), 0o600);
  fs.unlinkSync(path.join(src, 'tree', 'sub', 'ln'));
  fs.symlinkSync('elsewhere', path.join(src, 'tree', 'sub', 'ln'));
  fs.appendFileSync(path.join(src, 'tree', 'sub', 'b.bin'), 'x');
  const more = await afclient(['-d', ...srv.args, ...where], { cwd: src });
  assert.equal(more.status, 1);
  const out = more.out.toString();
  assert.match(out, /^tree\/a\.txt: mode differs \(archive: 644, file system: 600\)$/m);
  assert.match(out, /^tree\/sub\/ln: symlink target differs \(archive: \.\.\/a\.txt, file system: elsewhere\)$/m);
  assert.match(out, /^tree\/sub\/b\.bin: mtime differs/m);
  assert.match(out, /^tree\/sub\/b\.bin: contents differ$/m);

  // An archive file works the same way; a hard link is checked for its identity.
  fs.linkSync(path.join(src, 'tree', 'a.txt'), path.join(src, 'tree', 'hard'));
  const archive = path.join(tmp, 'd.af');
  assert.equal((await afclient(['-cR', '-f', archive, 'tree'], { cwd: src })).status, 0);
  assert.equal((await afclient(['-d', '-f', archive], { cwd: src })).status, 0);
  fs.unlinkSync(path.join(src, 'tree', 'hard'));
  fs.writeFileSync(path.join(src, 'tree', 'hard'), 'ALPHA\n');
  const unlinked = await afclient(['-d', '-f', archive], { cwd: src });
  assert.equal(unlinked.status, 1);
  assert.match(unlinked.out.toString(), /^tree\/(hard|a\.txt): not a hard link to tree\/(a\.txt|hard)$/m);

  // Only the names asked for; one that is elsewhere is missing.
  const other = path.join(tmp, 'd-empty');
  fs.mkdirSync(other);
  const only = await afclient(['-d', ...srv.args, ...where, 'tree/a.txt'], { cwd: other });
  assert.equal(only.status, 1);
  assert.equal(only.out.toString(), 'tree/a.txt: missing\n');
});

test('-I lists the tape files with their headers', async () => {
  const src = path.join(tmp, 'i-src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f1'), 'one\n');
  const positions: string[] = [];
  for (const header of ['first backup header', 'second backup header']) {
    const q = await afclient(['-Q', ...srv.args]);
    const m = /Cartridge: (\d+)\nFile:\s+(\d+)/.exec(q.out.toString())!;
    positions.push(`${m[1]}.${m[2]}`);
    const c = await afclient(['-c', ...srv.args, '-H', header, 'f1'], { cwd: src });
    assert.equal(c.status, 0, c.err.join('\n'));
  }
  const r = await afclient(['-I', '-n', ...srv.args, '-C', positions[0]!.split('.')[0]!]);
  assert.equal(r.status, 0, r.err.join('\n'));
  const lines = r.out.toString().trimEnd().split('\n');
  assert.ok(lines.includes(`${positions[0]}: first backup header`), lines.join('\n'));
  assert.ok(lines.includes(`${positions[1]}: second backup header`), lines.join('\n'));
  assert.equal(lines.at(-1), `${positions[1]}: second backup header`);
  // Starting at the second file lists only it.
  const [cart, file] = positions[1]!.split('.');
  const one = await afclient(['-I', ...srv.args, '-C', cart!, '-F', file!]);
  assert.equal(one.status, 0, one.err.join('\n'));
  assert.equal(one.out.toString(), `${positions[1]}: second backup header\n`);
});

test('-m prints a message newer than the first poll, once; stale ones not', async () => {
  const file = path.join(srv.dir.var, 'client_message');
  fs.writeFileSync(file, 'old news\n');
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(file, past, past);
  const stale = await afclient(['-m', '0', '--count', '2', ...srv.args]);
  assert.equal(stale.status, 0, stale.err.join('\n'));
  assert.equal(stale.out.toString(), '');

  fs.writeFileSync(file, 'Please insert cartridge 3');
  const soon = new Date(Date.now() + 3600_000);
  fs.utimesSync(file, soon, soon);
  const fresh = await afclient(['-m0', '--count', '3', ...srv.args]);
  assert.equal(fresh.status, 0, fresh.err.join('\n'));
  assert.equal(fresh.out.toString(), 'Please insert cartridge 3\n');

  fs.rmSync(file);
  const none = await afclient(['-m0', '--count', '1', ...srv.args]);
  assert.equal(none.status, 0, none.err.join('\n'));
  assert.equal(none.out.toString(), '');
});
