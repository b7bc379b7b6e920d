/**
 * The round trip issue 4 asks to see, with real processes on loopback: an
 * afserver started the inetd way over a virtual tape library, and the built
 * programs full_backup, incr_backup and afrestore (which run the built afclient).
 *
 * The tree has the awkward entries: hard links, relative and absolute symlinks,
 * a fifo, a sparse file, an empty file, a Latin-1 name (byte 0xE9), a name over
 * 4,000 bytes (deep directories), an empty directory, a mode 0600 file and a
 * setgid directory. Step 1: full_backup, `afrestore -a -C <elsewhere>`, and the
 * restored tree must equal the live one in type, mode, owner, size, mtime,
 * contents, link targets, hard-link identity and sparseness. Step 2: change a
 * file, add files, delete files and a directory, incr_backup, and restore the
 * state after it (`afrestore -a --exact`) into a fresh directory: it must equal
 * the live tree exactly, the deleted names absent. The original behaviour stays
 * the default: plain `afrestore -a` brings the deleted names back.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { makeServerDir, inetdLauncher, KEY, ROOT } from '../server/e2e-helpers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const cat = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : B(p))));
const OLD = new Date('2016-06-06T06:06:06Z');
const LATIN1 = cat('caf', Buffer.of(0xe9), '.txt');
const SPARSE_SIZE = 16 << 20;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built program asynchronously (the inetd stand-in lives in this process). */
function run(prog: string, args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.AF_AFCLIENT;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The deep directory chain: 20 components of 200 bytes. */
const DEEP = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'d'.repeat(198)}`).join('/');

function age(p: Buffer): void {
  fs.lutimesSync(p as unknown as string, OLD, OLD);
}

/** Sets every entry below (and including) `dir` to the old time, deepest first. */
function ageTree(dir: Buffer): void {
  for (const n of fs.readdirSync(dir, { encoding: 'buffer' })) {
    const f = cat(dir, '/', n);
    if (fs.lstatSync(f).isDirectory()) ageTree(f);
    else age(f);
  }
  age(dir);
}

function makeTree(data: string): void {
  const t = (...p: (string | Buffer)[]): Buffer => cat(data, '/', ...p);
  fs.mkdirSync(t('sub'), { recursive: true });
  fs.mkdirSync(t('empty-dir'));
  fs.mkdirSync(t('olddir'));
  fs.writeFileSync(t('olddir/inside.txt'), 'a file in a directory that will be deleted\n');
  fs.writeFileSync(t('text.txt'), Array.from({ length: 200 }, (_, i) => `line ${i} of the text\n`).join(''));
  fs.linkSync(t('text.txt'), t('sub/hardlink.txt'));
  fs.linkSync(t('text.txt'), t('hardlink-2.txt'));
  fs.writeFileSync(t('sub/gone.txt'), 'deleted before the incremental\n');
  fs.writeFileSync(t('sub/kept.txt'), 'kept\n');
  fs.symlinkSync('text.txt', t('link-rel'));
  fs.symlinkSync('../sub/kept.txt', t('sub/link-up'));
  fs.symlinkSync('/nonexistent/absolute/target', t('link-abs'));
  execFileSync('mkfifo', [t('fifo').toString('latin1')]);
  fs.writeFileSync(t('empty'), '');
  const fd = fs.openSync(t('sparse'), 'w');
  fs.ftruncateSync(fd, SPARSE_SIZE);
  fs.writeSync(fd, crypto.randomBytes(4096), 0, 4096, 0);
  fs.writeSync(fd, crypto.randomBytes(4096), 0, 4096, SPARSE_SIZE / 2);
  fs.writeSync(fd, 'tail', SPARSE_SIZE - 4);
  fs.closeSync(fd);
  fs.writeFileSync(t(LATIN1), 'latin-1 file name\n');
  fs.writeFileSync(t('secret'), 'only for the owner\n');
  fs.chmodSync(t('secret'), 0o600);
  fs.mkdirSync(t('sgid-dir'));
  fs.chmodSync(t('sgid-dir'), 0o2775);
  fs.writeFileSync(t('sgid-dir/member'), 'in a setgid directory\n');
  fs.mkdirSync(t(DEEP), { recursive: true });
  fs.writeFileSync(t(DEEP, '/deep-file.txt'), 'at the bottom of a long path\n');
  ageTree(B(data));
}

interface Meta {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  target?: string;
  sha?: string;
}

interface Scan {
  meta: Map<string, Meta>;
  ino: Map<string, number>;
  nlink: Map<string, number>;
}

function typeOf(st: fs.Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  return 'other';
}

/** Every entry below `top` (names relative to it, Latin-1), with what is compared. */
function scan(top: Buffer): Scan {
  const s: Scan = { meta: new Map(), ino: new Map(), nlink: new Map() };
  const visit = (rel: Buffer): void => {
    const abs = rel.length ? cat(top, '/', rel) : top;
    const st = fs.lstatSync(abs);
    const key = rel.toString('latin1') || '.';
    const m: Meta = { type: typeOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.isDirectory() ? 0 : st.size, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isSymbolicLink()) {
      m.target = fs.readlinkSync(abs, { encoding: 'buffer' }).toString('latin1');
      m.mode = 0;
      m.mtime = 0; // symlink times are not compared: afbackup does not restore them
    }
    if (st.isFile()) m.sha = crypto.createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
    s.meta.set(key, m);
    s.ino.set(key, st.ino);
    s.nlink.set(key, st.nlink);
    if (st.isDirectory()) {
      for (const n of fs.readdirSync(abs, { encoding: 'buffer' })) visit(rel.length ? cat(rel, '/', n) : n);
    }
  };
  visit(Buffer.alloc(0));
  return s;
}

/** Asserts that `restored` equals `live`: the same names with the same metadata, and the same hard-link groups. */
function assertSameTree(live: Scan, restored: Scan, what: string): void {
  const liveNames = [...live.meta.keys()].sort();
  const gotNames = [...restored.meta.keys()].sort();
  assert.deepEqual(
    gotNames.filter((n) => !live.meta.has(n)),
    [],
    `${what}: names restored that are not in the live tree`,
  );
  assert.deepEqual(
    liveNames.filter((n) => !restored.meta.has(n)),
    [],
    `${what}: names of the live tree missing from the restore`,
  );
  for (const n of liveNames) assert.deepEqual(restored.meta.get(n), live.meta.get(n), `${what}: ${n}`);
  // Hard links: names sharing an inode in the live tree share one in the restore, and only they.
  const groups = new Map<number, string[]>();
  for (const n of liveNames) {
    if (live.meta.get(n)!.type !== 'file' || live.nlink.get(n)! < 2) continue;
    const ino = live.ino.get(n)!;
    groups.set(ino, [...(groups.get(ino) ?? []), n]);
  }
  assert.ok(groups.size > 0, `${what}: the tree has hard links`);
  for (const names of groups.values()) {
    const inodes = new Set(names.map((n) => restored.ino.get(n)));
    assert.equal(inodes.size, 1, `${what}: ${names.join(', ')} are one file again`);
    assert.equal(restored.nlink.get(names[0]!), names.length, `${what}: link count of ${names[0]}`);
  }
}

function assertSparse(file: Buffer, what: string): void {
  const st = fs.statSync(file);
  assert.equal(st.size, SPARSE_SIZE, `${what}: size`);
  assert.ok(st.blocks * 512 < SPARSE_SIZE / 8, `${what}: restored sparse (${st.blocks * 512} bytes allocated for ${SPARSE_SIZE})`);
}

test('full_backup, incr_backup and afrestore round trip a tree of awkward entries, deletions included', { timeout: 300_000 }, async (t) => {
  const sd = makeServerDir('', { capacity: '256M' });
  const launcher = await inetdLauncher(sd.conf);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afrt-'));
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });
  const data = path.join(base, 'data');
  const varDir = path.join(base, 'var');
  fs.mkdirSync(path.join(base, 'log'));
  makeTree(data);
  assert.ok(Buffer.byteLength(`data/${DEEP}/deep-file.txt`) > 4000, 'a name over 4,000 bytes');
  // Where the file system keeps no holes the sparseness checks are skipped (size and contents are still compared).
  const holes = fs.statSync(`${data}/sparse`).blocks * 512 < SPARSE_SIZE / 8;
  const sparseCheck = holes ? {} : { skip: 'this file system does not keep holes' };
  fs.writeFileSync(path.join(base, 'cryptkey'), KEY, { mode: 0o600 });
  const conf = path.join(base, 'afclient.conf');
  fs.writeFileSync(
    conf,
    [
      'BackupHosts: 127.0.0.1',
      `BackupPorts: ${launcher.port}`,
      'ClientIdentifier: roundtrip-client',
      `RootDirectory: ${base}`,
      'DirsToBackup: data',
      `VarDirectory: ${varDir}`,
      'IndexFilePart: %V/backup_log.',
      `LoggingFile: ${base}/log/client.log`,
      `LockFile: ${base}/log/client.lock`,
      `EncryptionKeyFile: ${base}/cryptkey`,
      '',
    ].join('\n'),
  );

  // ---- step 1: full backup, restore elsewhere, compare
  const full = await run('full_backup', ['-c', conf]);
  assert.equal(full.status, 0, full.stderr);
  const liveFull = scan(B(data));
  const r1 = path.join(base, 'r1');
  const restore1 = await run('afrestore', ['-c', conf, '-a', '-C', r1]);
  assert.equal(restore1.status, 0, `${restore1.stdout}\n${restore1.stderr}`);
  assertSameTree(liveFull, scan(B(`${r1}/data`)), 'after the full backup');
  await t.test('the sparse file restores sparse (full backup)', sparseCheck, () => assertSparse(B(`${r1}/data/sparse`), 'restored from the full backup'));
  assert.equal(fs.readFileSync(cat(r1, '/data/', LATIN1), 'latin1'), 'latin-1 file name\n');
  assert.equal(fs.readFileSync(cat(r1, '/data/', DEEP, '/deep-file.txt'), 'latin1'), 'at the bottom of a long path\n');

  // ---- step 2: change, add, delete; incremental
  const d = (...p: (string | Buffer)[]): Buffer => cat(data, '/', ...p);
  fs.appendFileSync(d('text.txt'), 'a line added before the incremental\n');
  fs.writeFileSync(d('added.txt'), 'new after the full backup\n');
  fs.mkdirSync(d('newdir'));
  fs.writeFileSync(d('newdir/inner.txt'), 'new directory, new file\n');
  fs.symlinkSync('newdir/inner.txt', d('newdir-link'));
  fs.rmSync(d(LATIN1));
  fs.rmSync(d('sub/gone.txt'));
  fs.rmSync(d('link-abs'));
  fs.rmSync(d('olddir'), { recursive: true });
  fs.rmSync(d(DEEP.slice(0, DEEP.indexOf('/', 1000))), { recursive: true }); // the deep chain from its 5th level down
  const incr = await run('incr_backup', ['-c', conf, '--json']);
  assert.equal(incr.status, 0, incr.stderr);
  const summary = JSON.parse(incr.stdout.trim().split('\n').pop()!);
  assert.equal(summary.mode, 'incremental');
  assert.ok(summary.files < 15, `the incremental saves only what changed (${summary.files} names)`);

  // The index records the deletions as comment lines of the incremental run.
  const index = fs.readFileSync(path.join(varDir, 'backup_log.1'), 'latin1');
  const incrRun = index.slice(index.indexOf('## Incremental backup at '));
  const deleted = incrRun.split('\n').filter((l) => l.startsWith('#- ')).map((l) => l.slice(3)).sort();
  const deepGone = `data/${DEEP.slice(0, DEEP.indexOf('/', 1000))}`;
  assert.ok(deleted.includes('data/caf\xe9.txt'), 'the Latin-1 name, its byte as it is');
  for (const n of ['data/sub/gone.txt', 'data/link-abs', 'data/olddir', 'data/olddir/inside.txt', deepGone, `data/${DEEP}/deep-file.txt`]) {
    assert.ok(deleted.includes(n), `${n.slice(0, 60)} is recorded as deleted`);
  }
  assert.ok(!deleted.some((n) => n.includes('text.txt') || n.includes('kept')), 'nothing that exists is recorded as deleted');

  // ---- restore the state after the incremental
  const liveIncr = scan(B(data));
  const r2 = path.join(base, 'r2');
  const restore2 = await run('afrestore', ['-c', conf, '-a', '--exact', '-C', r2]);
  assert.equal(restore2.status, 0, `${restore2.stdout}\n${restore2.stderr}`);
  assertSameTree(liveIncr, scan(B(`${r2}/data`)), 'after the incremental (--exact)');
  await t.test('the sparse file restores sparse (after the incremental)', sparseCheck, () => assertSparse(B(`${r2}/data/sparse`), 'restored after the incremental'));
  assert.equal(fs.readFileSync(`${r2}/data/text.txt`, 'latin1').endsWith('a line added before the incremental\n'), true);

  // By pattern, --exact leaves the deleted names out too; the default keeps afbackup's behaviour.
  const count = await run('afrestore', ['-c', conf, '-n', 'gone']);
  assert.equal(count.stdout, '1\n', count.stderr);
  const exactCount = await run('afrestore', ['-c', conf, '-n', '--exact', 'gone']);
  assert.equal(exactCount.stdout, '0\n', exactCount.stderr);
  const r3 = path.join(base, 'r3');
  const restore3 = await run('afrestore', ['-c', conf, '-a', '-C', r3]);
  assert.equal(restore3.status, 0, restore3.stderr);
  assert.ok(fs.existsSync(`${r3}/data/sub/gone.txt`) && fs.existsSync(cat(r3, '/data/', LATIN1)), 'without --exact the deleted files come back, as in afbackup');
});
