/**
 * End to end over loopback: a real afserver (inetd style, virtual tape library),
 * tape files written with `afclient -c -v -n`, an index file built from its
 * output the way full_backup/incr_backup write it, then the programs themselves
 * (`node dist/cli/afrestore.js`, `node dist/cli/afverify.js`) running the real
 * afclient. Checks: a restore into another root (-C) brings back contents, modes
 * and mtimes, a Latin-1 name included, with the incremental's newer version
 * winning; afverify agrees with an untouched tree and reports a changed file with
 * exit status 1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, type TestServer } from '../afclient/helpers.js';
import { ROOT } from '../server/e2e-helpers.js';

const NODE = process.execPath;
const AFCLIENT = path.join(ROOT, 'dist/cli/afclient.js');
const AFRESTORE = path.join(ROOT, 'dist/cli/afrestore.js');
const AFVERIFY = path.join(ROOT, 'dist/cli/afverify.js');
const LATIN1 = Buffer.from('caf\xe9.txt', 'latin1');

let server: TestServer;
let work: string;
let data: Buffer; // absolute path of the data tree, bytes
let conf: string;
let varDir: string;

/** Runs a program asynchronously (the test server lives in this process: spawnSync would block it). */
function run(prog: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Promise<{ status: number | null; out: string; err: string }> {
  const env = { ...process.env };
  delete env.AF_AFCLIENT;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [prog, ...args], { cwd: opts.cwd ?? work, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out: Buffer.concat(out).toString('latin1'), err: Buffer.concat(err).toString('latin1') }));
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

const join = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p, i) => Buffer.concat([Buffer.from(i > 0 ? '/' : ''), Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1')])));

function ctime(d: Date): string {
  return d.toString().replace(/^(\w{3}) (\w{3}) (\d{2}) (\d{4}) ([\d:]{8}).*$/, (_m, wd, mo, day, y, t) => `${wd} ${mo} ${String(Number(day)).padStart(2, ' ')} ${t} ${y}`);
}

/** Backs up `names` with afclient -c -v -n and returns the index run for them. */
async function backupRun(names: Buffer[], kind: 'Full' | 'Incremental'): Promise<string> {
  const r = await run(AFCLIENT, ['-c', '-v', '-n', ...server.args], { input: Buffer.concat(names.flatMap((n) => [n, Buffer.from('\n')])) });
  assert.equal(r.status, 0, r.err);
  const lines: string[] = [];
  let first: string | undefined;
  for (const line of r.out.split('\n')) {
    const m = /^(?:[^%\s]+%[^!\s]+!)?(\d+)\.(\d+)(?:\|\d+)?(?:~-?\d+)?: (.*)$/.exec(line);
    if (!m) continue;
    const pos = `127.0.0.1%${server.port}!${m[1]}.${m[2]}`;
    first ??= pos;
    const st = fs.lstatSync(Buffer.from(m[3]!, 'latin1'));
    lines.push(`${pos}|${st.uid}~${Math.floor(st.mtimeMs / 1000)}: ${m[3]}`);
  }
  assert.ok(first, `afclient printed no positions: ${r.out}`);
  return [`${first}:`, `## ${kind} backup at ${ctime(new Date())}, current number: 1, hostname: ${os.hostname()} client id: e2e-client`, ...lines, ''].join('\n');
}

function setTime(p: Buffer, epoch: number): void {
  fs.utimesSync(p, epoch, epoch);
}

before(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'afrestore-e2e-'));
  data = Buffer.from(path.join(work, 'data'));
  fs.mkdirSync(join(data, 'sub'), { recursive: true });
  fs.writeFileSync(join(data, 'text.txt'), 'version one\n'.repeat(100));
  fs.chmodSync(join(data, 'text.txt'), 0o640);
  setTime(join(data, 'text.txt'), 1306929600);
  fs.writeFileSync(join(data, LATIN1), 'latin-1 file name\n');
  fs.chmodSync(join(data, LATIN1), 0o600);
  setTime(join(data, LATIN1), 1362279783);
  fs.writeFileSync(join(data, 'sub', 'tool'), Buffer.alloc(70000, 7));
  fs.chmodSync(join(data, 'sub', 'tool'), 0o751);
  setTime(join(data, 'sub', 'tool'), 1396584244);
  fs.chmodSync(join(data, 'sub'), 0o750);
  setTime(join(data, 'sub'), 1465193166);
  setTime(data, 1499411227);

  varDir = path.join(work, 'client-var');
  fs.mkdirSync(varDir);
  const full = await backupRun([join(data, 'text.txt'), join(data, LATIN1), join(data, 'sub', 'tool'), join(data, 'sub'), data], 'Full');
  // The incremental: text.txt changed.
  fs.writeFileSync(join(data, 'text.txt'), 'version two\n'.repeat(50));
  fs.chmodSync(join(data, 'text.txt'), 0o644);
  setTime(join(data, 'text.txt'), 1600000000);
  setTime(data, 1499411227);
  const incr = await backupRun([join(data, 'text.txt')], 'Incremental');
  fs.writeFileSync(path.join(varDir, 'backup_log.1'), Buffer.from(`${full}\n${incr}`, 'latin1'));
  fs.writeFileSync(path.join(varDir, 'num'), '1\n');
  conf = path.join(work, 'client.conf');
  fs.writeFileSync(
    conf,
    `BackupHosts: 127.0.0.1\nBackupPorts: ${server.port}\nClientIdentifier: e2e-client\nRootDirectory: /\n` +
      `VarDirectory: ${varDir}\nIndexFilePart: %V/backup_log.\nEncryptionKeyFile: ${server.args[5]}\n`,
  );
});

after(async () => {
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('afrestore -C restores contents, modes and mtimes into another root, the latest version winning', async () => {
  const target = path.join(work, 'restored');
  const r = await run(AFRESTORE, ['-c', conf, '-v', '-C', target, '-p', `${data.toString('latin1')}*`]);
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /Going to restore from server 127\.0\.0\.1, port \d+, cartridge 1, file 1\n/);
  assert.match(r.out, /Going to restore from server 127\.0\.0\.1, port \d+, cartridge 1, file 2\n/);
  const below = (...p: (string | Buffer)[]): Buffer => join(Buffer.from(target), data.subarray(1), ...p);
  assert.equal(fs.readFileSync(below('text.txt'), 'latin1'), 'version two\n'.repeat(50));
  const text = fs.statSync(below('text.txt'));
  assert.equal(text.mode & 0o7777, 0o644);
  assert.equal(Math.floor(text.mtimeMs / 1000), 1600000000);
  assert.equal(fs.readFileSync(below(LATIN1), 'latin1'), 'latin-1 file name\n');
  assert.equal(fs.statSync(below(LATIN1)).mode & 0o7777, 0o600);
  assert.equal(Math.floor(fs.statSync(below(LATIN1)).mtimeMs / 1000), 1362279783);
  assert.ok(fs.readFileSync(below('sub', 'tool')).equals(Buffer.alloc(70000, 7)));
  assert.equal(fs.statSync(below('sub', 'tool')).mode & 0o7777, 0o751);
  assert.equal(fs.statSync(below('sub')).mode & 0o7777, 0o750);
  assert.equal(Math.floor(fs.statSync(below('sub')).mtimeMs / 1000), 1465193166);
});

test('afrestore restores a single Latin-1 name by pattern, and -n/-l agree with the index', async () => {
  const target = path.join(work, 'restored-one');
  // spawn passes arguments as UTF-8, so the 0xE9 byte is reached with a wildcard.
  const count = await run(AFRESTORE, ['-c', conf, '-n', 'caf?.txt']);
  assert.equal(count.out, '1\n', count.err);
  const l = await run(AFRESTORE, ['-c', conf, '-l', '-p', `${data.toString('latin1')}/caf?.txt`]);
  assert.equal(l.status, 0, l.err);
  assert.equal(l.out, `${data.toString('latin1')}/caf\xe9.txt\n`);
  const r = await run(AFRESTORE, ['-c', conf, '-C', target, '-p', `${data.toString('latin1')}/caf?.txt`]);
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  const got = join(Buffer.from(target), data.subarray(1), LATIN1);
  assert.equal(fs.readFileSync(got, 'latin1'), 'latin-1 file name\n');
  assert.equal(fs.existsSync(join(Buffer.from(target), data.subarray(1), 'text.txt')), false, 'only the selected name is restored');
});

test('afverify: no differences on the untouched tree, exit status 1 and the name when a file changed', async () => {
  const list = await run(AFVERIFY, ['-c', conf, '-l']);
  assert.equal(list.status, 0, list.err);
  assert.match(list.out, /^-1\.0: Full backup at .*, 127\.0\.0\.1%\d+!1\.1, 5 entries\n-0\.0: Incremental backup at .*, 127\.0\.0\.1%\d+!1\.2, 1 entries\n$/);
  const same = await run(AFVERIFY, ['-c', conf]);
  assert.equal(same.status, 0, `${same.out}\n${same.err}`);
  const full = await run(AFVERIFY, ['-c', conf, '-1']);
  // The full backup's text.txt was replaced by the incremental's version.
  assert.equal(full.status, 1, `${full.out}\n${full.err}`);
  assert.match(full.out, /text\.txt: /);
  fs.writeFileSync(join(data, 'text.txt'), 'version TWO\n'.repeat(50));
  setTime(join(data, 'text.txt'), 1600000000);
  const changed = await run(AFVERIFY, ['-c', conf]);
  assert.equal(changed.status, 1, `${changed.out}\n${changed.err}`);
  assert.match(changed.out, /text\.txt: contents differ/);
  assert.match(changed.err, /^afverify: the backup of .* differs from the file system below \/\n$/);
});

test('the restore shell, driven by a script, restores exactly the marked entries', async () => {
  const target = path.join(work, 'restored-shell');
  const script = [`cd ${data.toString('latin1')}`, 'ls', 'mark sub text.txt', 'unmark sub/tool', 'mark caf\\351.txt', 'done', ''].join('\n');
  const r = await run(AFRESTORE, ['-c', conf, '--shell', '-C', target], { input: Buffer.from(script, 'latin1') });
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  assert.match(r.out, /\ncaf\xe9\.txt\nsub\/\ntext\.txt\n/);
  const below = (...p: (string | Buffer)[]): Buffer => join(Buffer.from(target), data.subarray(1), ...p);
  assert.equal(fs.readFileSync(below('text.txt'), 'latin1'), 'version two\n'.repeat(50), 'the latest version');
  assert.equal(fs.readFileSync(below(LATIN1), 'latin1'), 'latin-1 file name\n');
  assert.equal(fs.existsSync(below('sub', 'tool')), false, 'unmarked: not restored');
});

test('afrestore -a restores the whole backup; -B picks the older version through the real afclient', async () => {
  const all = path.join(work, 'restored-all');
  const r = await run(AFRESTORE, ['-c', conf, '-a', '-C', all]);
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  const below = (root: string, ...p: (string | Buffer)[]): Buffer => join(Buffer.from(root), data.subarray(1), ...p);
  assert.equal(fs.readFileSync(below(all, 'text.txt'), 'latin1'), 'version two\n'.repeat(50), 'the incremental ran last');
  assert.ok(fs.readFileSync(below(all, 'sub', 'tool')).equals(Buffer.alloc(70000, 7)));
  const old = path.join(work, 'restored-old');
  const b = await run(AFRESTORE, ['-c', conf, '-B', '01.01.2020', '-C', old, '-p', `${data.toString('latin1')}/text.txt`]);
  assert.equal(b.status, 0, `${b.out}\n${b.err}`);
  assert.equal(fs.readFileSync(below(old, 'text.txt'), 'latin1'), 'version one\n'.repeat(100));
  assert.equal(fs.statSync(below(old, 'text.txt')).mode & 0o7777, 0o640);
});
