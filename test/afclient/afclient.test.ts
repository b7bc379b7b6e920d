/**
 * afclient against a real afserver over loopback, and on archive files: the
 * query modes' exact output (golden texts of the vectors), a create/list/extract
 * round trip of a tree with awkward entries, an archive of the vectors' data tree
 * compared record by record with the golden tree-plain.af, refusal of crafted
 * archives that try to write outside the destination, and the option parser.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afclient, startServer, type TestServer } from './helpers.js';
import { parseAfclientArgs } from '../../src/client/afclient/options.js';
import { readArchive } from '../../src/archive/unpacker.js';
import { encodeEntrySync, END_MARK } from '../../src/archive/packer.js';
import type { Entry } from '../../src/archive/records.js';

const VECTORS = '/work/shared/vectors';
const golden = (n: string): Buffer => fs.readFileSync(path.join(VECTORS, 'simple', n));
const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const J = (...p: Buffer[]): Buffer => Buffer.concat(p.flatMap((x, i) => (i === 0 ? [x] : [B('/'), x])));

let srv: TestServer;
let tmp: string;

before(async () => {
  srv = await startServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'afclient-'));
});

after(async () => {
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('options: bundles, glued values, -z with two words, modes', () => {
  const o = parseAfclientArgs(['-cvnR', '-hhost', '-p', '29880', '-z', '. 9', '', '-bj', 'a', '-', 'b']);
  assert.equal(o.mode, 'create');
  assert.ok(o.verbose && o.positions && o.recursive && o.raw);
  assert.equal(o.host, 'host');
  assert.deepEqual(o.compress, { proc: '. 9', unproc: '' });
  assert.deepEqual(o.names, ['a', 'b']);
  assert.equal(parseAfclientArgs(['-QwjcvnlOUE', '-H-']).mode, 'create');
  assert.throws(() => parseAfclientArgs(['-c', '-x']), /exclude/);
  assert.throws(() => parseAfclientArgs(['-Y']), /unknown option -Y/);
});

test('-q and -Q print the golden texts on a fresh server', async () => {
  const q = await afclient(['-q', ...srv.args]);
  assert.equal(q.status, 0, q.err.join('\n'));
  assert.deepEqual(q.out, golden('01-q.out'));
  const Q = await afclient(['-Q', ...srv.args]);
  assert.equal(Q.status, 0);
  assert.deepEqual(Q.out, golden('02-Q.out'));
});

/** The awkward tree: hard link, symlink, fifo, empty file, Latin-1 name, a 4000+ byte path, empty dir. */
function makeAwkwardTree(root: string): void {
  const t = B(path.join(root, 'tree'));
  fs.mkdirSync(J(t, B('sub')), { recursive: true });
  fs.mkdirSync(J(t, B('emptydir')));
  fs.writeFileSync(J(t, B('a.txt')), 'hello world\n');
  fs.chmodSync(J(t, B('a.txt')), 0o640);
  fs.linkSync(J(t, B('a.txt')), J(t, B('sub'), B('hard.txt')));
  fs.symlinkSync(B('../a.txt'), J(t, B('sub'), B('link')));
  fs.writeFileSync(J(t, B('empty')), '');
  fs.writeFileSync(J(t, B('caf\xe9.txt')), 'latin-1 file name\n');
  assert.equal(spawnSync('mkfifo', [path.join(root, 'tree', 'fifo')]).status, 0);
  fs.writeFileSync(J(t, B('big.bin')), crypto.randomBytes(150_000));
  let deep = J(t, B('deep'));
  fs.mkdirSync(deep);
  while (deep.length - t.length < 3800) {
    deep = J(deep, B('d'.repeat(200)));
    fs.mkdirSync(deep);
  }
  fs.writeFileSync(J(deep, B('x'.repeat(120))), 'deep file\n');
  let stamp = 1_300_000_000;
  const setTimes = (p: Buffer): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const c of fs.readdirSync(p, { encoding: 'buffer' })) setTimes(J(p, c));
    if (st.isSymbolicLink()) return;
    stamp += 1000;
    fs.utimesSync(p, stamp, stamp);
  };
  setTimes(t);
}

interface Seen {
  type: string;
  mode: number;
  mtime: number | null;
  content?: string;
  target?: string;
  ino: number;
}

function snapshot(top: Buffer): Map<string, Seen> {
  const m = new Map<string, Seen>();
  const visit = (p: Buffer, rel: string): void => {
    const st = fs.lstatSync(p);
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : 'other';
    const s: Seen = { type, mode: st.mode, mtime: type === 'symlink' ? null : Math.floor(st.mtimeMs / 1000), ino: st.ino };
    if (type === 'file') s.content = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    if (type === 'symlink') s.target = fs.readlinkSync(p, { encoding: 'buffer' }).toString('hex');
    m.set(rel, s);
    if (type === 'dir') for (const c of fs.readdirSync(p, { encoding: 'buffer' })) visit(J(p, c), `${rel}/${c.toString('hex')}`);
  };
  visit(top, '');
  return m;
}

test('round trip through the server: -c -R, -t, -x -a -r, then -w', async () => {
  const src = path.join(tmp, 'rt-src');
  const dst = path.join(tmp, 'rt-dst');
  fs.mkdirSync(src);
  fs.mkdirSync(dst);
  makeAwkwardTree(src);
  const c = await afclient(['-cvnR', ...srv.args, 'tree'], { cwd: src });
  assert.equal(c.status, 0, c.err.join('\n'));
  const lines = c.out.toString('latin1').trimEnd().split('\n');
  assert.ok(lines.every((l) => l.startsWith('1.1: tree')), lines[0]);
  assert.ok(lines.includes('1.1: tree/caf\xe9.txt'));
  assert.equal(lines.at(-1), '1.1: tree');

  const t = await afclient(['-tv', ...srv.args, '-C', '1', '-F', '1']);
  assert.equal(t.status, 0, t.err.join('\n'));
  const listed = t.out.toString('latin1');
  assert.ok(listed.includes('tree/sub/hard.txt=  (link to tree/a.txt)\n') || listed.includes('tree/a.txt=  (link to tree/sub/hard.txt)\n'));
  assert.ok(listed.includes('tree/sub/link@  (symbolic link to ../a.txt)\n'));
  assert.ok(listed.includes('tree/caf\xe9.txt\n'));
  assert.ok(listed.includes('tree/emptydir/\n'));
  assert.equal(listed.trimEnd().split('\n').length, lines.length);

  const x = await afclient(['-x', '-a', '-r', '-v', ...srv.args, '-C', '1', '-F', '1'], { cwd: dst });
  assert.equal(x.status, 0, x.err.join('\n'));
  const before = snapshot(B(path.join(src, 'tree')));
  const after = snapshot(B(path.join(dst, 'tree')));
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [k, v] of before) {
    const w = after.get(k)!;
    assert.deepEqual({ ...w, ino: 0 }, { ...v, ino: 0 }, `entry ${k}`);
  }
  const hex = (s: string): string => B(s).toString('hex');
  assert.equal(after.get(`/${hex('a.txt')}`)!.ino, after.get(`/${hex('sub')}/${hex('hard.txt')}`)!.ino, 'hard link identity');
  assert.deepEqual(fs.readdirSync(dst), ['tree'], 'no helper files left behind');

  // A second extraction without -u leaves existing entries alone and says so.
  const again = await afclient(['-x', '-a', '-r', ...srv.args, '-C', '1', '-F', '1'], { cwd: dst });
  assert.equal(again.status, 14);
  assert.ok(again.err.some((l) => /exists/.test(l)));
  const withU = await afclient(['-xaru', ...srv.args, '-C', '1', '-F', '1'], { cwd: dst });
  assert.equal(withU.status, 0, withU.err.join('\n'));

  const w = await afclient(['-w', ...srv.args]);
  assert.equal(w.status, 0);
  assert.deepEqual(w.out, golden('03-w.out'));
  const Q = await afclient(['-Q', ...srv.args]);
  assert.equal(Q.out.toString(), 'Next tape writing position\nCartridge: 1\nFile:      2\n');

  // A name that is not in the archive: status 5.
  const missing = await afclient(['-x', '-r', ...srv.args, '-C', '1', '-F', '1', 'no/such/name'], { cwd: dst });
  assert.equal(missing.status, 5);
});

test('built-in compression (-z ". 9" "") lists as golden 09 and restores', async () => {
  const src = path.join(tmp, 'z-src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'text.txt'), 'abc\n'.repeat(5000));
  const c = await afclient(['-c', '-v', '-n', ...srv.args, '-z', '. 9', '', 'text.txt'], { cwd: src });
  assert.equal(c.status, 0, c.err.join('\n'));
  const pos = /^(\d+)\.(\d+): text\.txt\n$/.exec(c.out.toString());
  assert.ok(pos, c.out.toString());
  const t = await afclient(['-tv', ...srv.args, '-C', pos[1]!, '-F', pos[2]!]);
  assert.equal(t.out.toString(), 'text.txt  (to be uncompressed by .)\n');
  const dst = path.join(tmp, 'z-dst');
  fs.mkdirSync(dst);
  const x = await afclient(['-xa', ...srv.args, '-C', pos[1]!, '-F', pos[2]!], { cwd: dst });
  assert.equal(x.status, 0, x.err.join('\n'));
  assert.equal(fs.readFileSync(path.join(dst, 'text.txt'), 'latin1'), 'abc\n'.repeat(5000));
});

test('raw mode: -c - from stdin, -x - to stdout', async () => {
  const payload = Buffer.from(Array.from({ length: 100 }, (_, i) => `raw stdin payload line ${String(i + 1).padStart(4, '0')}\n`).join(''));
  const before = await afclient(['-Q', ...srv.args]);
  const m = /Cartridge: (\d+)\nFile:\s+(\d+)/.exec(before.out.toString())!;
  const c = await afclient(['-c', ...srv.args, '-'], { stdin: payload });
  assert.equal(c.status, 0, c.err.join('\n'));
  const x = await afclient(['-x', ...srv.args, '-C', m[1]!, '-F', m[2]!, '-']);
  assert.equal(x.status, 0, x.err.join('\n'));
  assert.deepEqual(x.out.subarray(0, payload.length), payload);
  assert.ok(x.out.length >= payload.length + 65536 - 1000);
  assert.ok(x.out.subarray(payload.length).every((b) => b === 0));
});

/** The vectors' data tree (README §4) under root/srv/afdemo/data. */
function makeVectorTree(root: string): void {
  const d = B(path.join(root, 'srv/afdemo/data'));
  fs.mkdirSync(J(d, B('sub')), { recursive: true });
  const text = Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(3, '0')} of the afbackup test vector text file\n`).join('');
  fs.writeFileSync(J(d, B('text.txt')), text);
  fs.linkSync(J(d, B('text.txt')), J(d, B('sub/hardlink.txt')));
  fs.writeFileSync(J(d, B('empty')), '');
  fs.writeFileSync(J(d, B('caf\xe9.txt')), 'latin-1 file name\n');
  const aes = crypto.createCipheriv('aes-128-ctr', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'), Buffer.alloc(16));
  fs.writeFileSync(J(d, B('sub/random.bin')), Buffer.concat([aes.update(Buffer.alloc(204800)), aes.final()]));
  fs.symlinkSync('text.txt', J(d, B('link-to-text')));
  const set = (p: Buffer, mode: number, t: number, link = false): void => {
    fs.lchownSync(p, 0, 0);
    if (!link) fs.chmodSync(p, mode);
    fs.lutimesSync(p, t, t);
  };
  set(J(d, B('text.txt')), 0o644, 1306929600);
  set(J(d, B('empty')), 0o644, 1330473600);
  set(J(d, B('caf\xe9.txt')), 0o644, 1362279783);
  set(J(d, B('sub/random.bin')), 0o644, 1396584244);
  set(J(d, B('link-to-text')), 0o777, 1430802305, true);
  set(J(d, B('sub')), 0o755, 1465193166);
  set(d, 0o755, 1499411227);
}

/**
 * Records as comparable strings. Which name of a hard-linked pair is stored as
 * the file depends on readdir order, so the pair is keyed by both names.
 */
function recordKeys(entries: { entry: Entry; data?: Buffer }[], fix: (n: Buffer) => Buffer): string[] {
  const linkTargets = new Set(entries.filter((r) => r.entry.kind === 'hardlink').map((r) => fix((r.entry as { target: Buffer }).target).toString('hex')));
  return entries
    .map(({ entry, data }) => {
      const o: Record<string, unknown> = { ...entry };
      o.name = fix(entry.kind === 'end' || entry.kind === 'information' || entry.kind === 'command' || entry.kind === 'posixAcl' ? Buffer.alloc(0) : entry.name).toString('hex');
      if (entry.kind === 'hardlink') {
        o.name = [o.name as string, fix(entry.target).toString('hex')].sort().join('+');
        delete o.target;
        o.kind = 'link pair';
      } else if (linkTargets.has(o.name as string)) {
        o.name = 'first of a link pair';
      }
      for (const [k, v] of Object.entries(o)) if (Buffer.isBuffer(v)) o[k] = v.toString('hex');
      o.data = data ? crypto.createHash('sha256').update(data).digest('hex') : null;
      return JSON.stringify(o, Object.keys(o).sort());
    })
    .sort();
}

test('-f archive of the vectors data tree has the records of tree-plain.af', { skip: process.getuid?.() !== 0 && 'needs root for uid 0' }, async () => {
  const root = path.join(tmp, 'vec');
  makeVectorTree(root);
  const file = path.join(tmp, 'tree-plain.af');
  const c = await afclient(['-c', '-R', '-f', file, 'srv/afdemo/data'], { cwd: root });
  assert.equal(c.status, 0, c.err.join('\n'));
  const ours = fs.readFileSync(file);
  const theirs = fs.readFileSync(path.join(VECTORS, 'archives/tree-plain.af'));
  assert.equal(ours.length % 1000, 0);
  assert.equal(ours.length, theirs.length);
  const slash = (n: Buffer): Buffer => Buffer.concat([B('/'), n]);
  const a = await readArchive(ours);
  const b = await readArchive(theirs);
  assert.ok(a.ended && b.ended);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(recordKeys(a.entries, slash), recordKeys(b.entries, (n) => n));

  // The -t listing of our archive file equals the golden listing as a set of lines.
  const t = await afclient(['-t', '-v', '-f', file]);
  const golden8 = fs.readFileSync(path.join(VECTORS, 'archives/tree-plain.list.txt'), 'latin1');
  const ourLines = t.out.toString('latin1').split('\n').map((l) => (l ? '/' + l.replace(/\(link to /, '(link to /') : l));
  const linkLine = /^\/srv\/afdemo\/data\/(sub\/hardlink|text)\.txt/;
  const keep = (ls: string[]): string[] => ls.filter((l) => !linkLine.test(l)).sort();
  assert.deepEqual(keep(ourLines), keep(golden8.split('\n')));
});

function craft(entries: { e: Entry; data?: string }[]): Buffer {
  return Buffer.concat([...entries.map(({ e, data }) => encodeEntrySync(e, Buffer.from(data ?? ''))), END_MARK]);
}

const attrs = { mode: 0o100644, mtime: 1_500_000_000, uid: 0, gid: 0 };

test('crafted archives cannot write outside the destination', async () => {
  const base = path.join(tmp, 'evil');
  const dst = path.join(base, 'dst');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(dst, { recursive: true });
  fs.mkdirSync(outside);
  const file = (name: string, data: string): { e: Entry; data: string } => ({
    e: { kind: 'file', name: B(name), ...attrs, crc: false, unprocess: Buffer.alloc(0), size: data.length },
    data,
  });
  const archive = craft([
    file('../evil', 'x'),
    file('a/../../evil2', 'x'),
    { e: { kind: 'symlink', name: B('lnk'), ...attrs, mode: 0o120777, target: B(outside) } },
    file('lnk/owned', 'pwned'),
    { e: { kind: 'symlink', name: B('up'), ...attrs, mode: 0o120777, target: B('..') } },
    file('up/evil3', 'x'),
    { e: { kind: 'hardlink', name: B('hl'), ...attrs, target: B('../outside-target') } },
    file('/ok/abs.txt', 'fine'),
    file('good.txt', 'good'),
  ]);
  const af = path.join(base, 'evil.af');
  fs.writeFileSync(af, archive);
  const x = await afclient(['-x', '-a', '-r', '-v', '-f', af], { cwd: dst });
  assert.equal(x.status, 14);
  assert.deepEqual(fs.readdirSync(outside), []);
  assert.ok(!fs.existsSync(path.join(base, 'evil')));
  assert.ok(!fs.existsSync(path.join(base, 'evil2')));
  assert.ok(!fs.existsSync(path.join(base, 'evil3')));
  assert.equal(fs.readFileSync(path.join(dst, 'good.txt'), 'latin1'), 'good');
  assert.equal(fs.readFileSync(path.join(dst, 'ok/abs.txt'), 'latin1'), 'fine');
  assert.equal(x.err.filter((l) => /not restored/.test(l)).length, 5, x.err.join('\n'));

  // Without -r: an absolute symlink made by this run is not followed either.
  const dst2 = path.join(base, 'dst2');
  fs.mkdirSync(dst2);
  const abs = craft([
    { e: { kind: 'symlink', name: B(path.join(dst2, 'l2')), ...attrs, mode: 0o120777, target: B(outside) } },
    file(path.join(dst2, 'l2', 'owned'), 'pwned'),
  ]);
  fs.writeFileSync(af, abs);
  const y = await afclient(['-x', '-a', '-f', af], { cwd: dst2 });
  assert.equal(y.status, 14);
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('damaged archive: reported, the rest is restored, status 14', async () => {
  const good = craft([
    { e: { kind: 'file', name: B('one'), ...attrs, crc: false, unprocess: Buffer.alloc(0), size: 3 }, data: 'one' },
    { e: { kind: 'file', name: B('two'), ...attrs, crc: false, unprocess: Buffer.alloc(0), size: 3 }, data: 'two' },
  ]);
  const bad = Buffer.concat([good.subarray(0, 20), B('garbage;;;'), good.subarray(20)]);
  const dir = path.join(tmp, 'damaged');
  fs.mkdirSync(dir);
  const x = await afclient(['-x', '-a', '-f', '-'], { cwd: dir, stdin: bad });
  assert.equal(x.status, 14);
  assert.ok(x.err.length > 0);
  assert.equal(fs.readFileSync(path.join(dir, 'two'), 'latin1'), 'two');
});

test('exit statuses: usage 2, cannot connect 52, authentication 49', async () => {
  assert.equal((await afclient(['-c', '-x'])).status, 2);
  const closed = await afclient(['-q', '-h', '127.0.0.1', '-p', '1']);
  assert.equal(closed.status, 52);
  const badKey = path.join(tmp, 'badkey');
  fs.writeFileSync(badKey, 'not the right key at all');
  const auth = await afclient(['-q', '-h', '127.0.0.1', '-p', String(srv.port), '-k', badKey]);
  assert.equal(auth.status, 49, auth.err.join('\n'));
});
