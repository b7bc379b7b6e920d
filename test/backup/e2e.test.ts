/**
 * full_backup, incr_backup and update_indexes against a real afserver (inetd
 * style, virtual tape library) on loopback, with the real afclient as the
 * subprocess, over a tree with awkward entries. The index and every var file
 * are compared line by line with the shapes of the golden files captured from
 * the original programs (digits, paths and ids may differ, nothing else).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn, execFileSync } from 'node:child_process';
import { makeServerDir, inetdLauncher, KEY } from '../server/e2e-helpers.js';
import { withClientLock } from '../../src/client/backup/client-lock.js';
import { ROOT, golden, goldenText, shape } from './helpers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const OLD = new Date('2016-06-06T06:06:06Z');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(prog: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function makeTree(data: string): void {
  const t = (p: string): string => path.join(data, p);
  fs.mkdirSync(t('sub'), { recursive: true });
  fs.mkdirSync(t('empty-dir'));
  fs.writeFileSync(t('text.txt'), Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(3, '0')} of the test text\n`).join(''));
  fs.linkSync(t('text.txt'), t('sub/hardlink.txt'));
  fs.symlinkSync('text.txt', t('link-to-text'));
  execFileSync('mkfifo', [t('fifo')]);
  fs.writeFileSync(t('empty'), '');
  const fd = fs.openSync(t('sparse'), 'w');
  fs.ftruncateSync(fd, 4 << 20);
  fs.writeSync(fd, 'tail', (4 << 20) - 4);
  fs.closeSync(fd);
  fs.writeFileSync(Buffer.concat([B(t('caf')), Buffer.of(0xe9), B('.txt')]), 'latin-1 file name\n');
  fs.writeFileSync(t('archive.gz'), zlib.gzipSync('already compressed'));
  // Everything old, so that only what is added later is new for incr_backup.
  const age = (p: Buffer): void => {
    for (const n of fs.readdirSync(p, { encoding: 'buffer' })) {
      const f = Buffer.concat([p, B('/'), n]);
      if (fs.lstatSync(f).isDirectory()) age(f);
      fs.lutimesSync(f as unknown as string, OLD, OLD);
    }
  };
  age(B(data));
  fs.utimesSync(data, OLD, OLD);
}

/** Replaces what legitimately differs between the golden run and ours, then digits. */
function normalise(text: string, repl: [string | RegExp, string][]): string[] {
  let t = text;
  for (const [a, b] of repl) t = typeof a === 'string' ? t.split(a).join(b) : t.replace(a, b);
  return t.split('\n').map(shape);
}

test('full_backup then incr_backup against a real server; update_indexes; the lock', { timeout: 180_000 }, async (t) => {
  const sd = makeServerDir();
  const launcher = await inetdLauncher(sd.conf);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afbackup-e2e-'));
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });
  const data = path.join(base, 'data');
  const vardir = path.join(base, 'client-var');
  const logdir = path.join(base, 'log');
  fs.mkdirSync(logdir);
  makeTree(data);
  fs.writeFileSync(path.join(base, 'cryptkey'), KEY, { mode: 0o600 });
  const conf = path.join(base, 'afclient.conf');
  const lockFile = path.join(logdir, 'client.lock');
  fs.writeFileSync(
    conf,
    `# as the vectors' client.conf, pointed at this test's server
BackupHosts:\t\t127.0.0.1
BackupPorts:\t\t${launcher.port}
ClientIdentifier:\tafdemo-client
RootDirectory:\t\t/
DirsToBackup:\t\t${data}
NumBackupParts:\t\t1
BuiltinCompressLevel:\t2
DoNotProcess:\t\t*.gz *.bz2
ProcessBackupedFiles:\t1
IndexFilePart:\t\t%V/backup_log.
IndexProcessCmd:\tgzip -9
IndexUnprocessCmd:\tgunzip
ProcessLogfiles:\t1
NumIndexesToStore:\t5
LoggingFile:\t\t${logdir}/client.log
LockFile:\t\t${lockFile}
VarDirectory:\t\t${vardir}
EncryptionKeyFile:\t${base}/cryptkey
StartupInfoProgram:\tcat >> ${logdir}/startup-info.txt
ExitProgram:\t\techo 'exit status: %e' >> ${logdir}/client-exit.txt
`,
  );
  const serverId = `${os.hostname()}:${sd.conf}`;
  const v = (name: string): string => fs.readFileSync(path.join(vardir, name), 'latin1');
  const index = (): string => zlib.gunzipSync(fs.readFileSync(path.join(vardir, 'backup_log.1.z'))).toString('latin1');
  const repl: [string | RegExp, string][] = [
    [serverId, 'SERVERID'],
    ['vm:/srv/afdemo/etc/server.conf', 'SERVERID'],
    [data, 'DATA'],
    ['/srv/afdemo/data', 'DATA'],
    [/\/tmp\/afbsp_\S+/g, 'SPCOPY'],
    [/[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, 'CTIME'],
    [os.hostname(), 'HOST'],
    [/hostname: vm /g, 'hostname: HOST '],
  ];

  // ---- full backup
  const full = await run('full_backup', ['-c', conf, '-v', '--json']);
  assert.equal(full.status, 0, full.stderr);
  const fullLines = full.stdout.split('\n');
  assert.equal(fullLines.slice(0, 2).join('\n') + '\n', goldenText('simple', '14-full_backup.out'), 'the -v lines of the original');
  const summary = JSON.parse(fullLines[2]!);
  assert.equal(summary.mode, 'full');
  assert.equal(summary.number, 1);
  assert.equal(summary.cartridges, '1');
  assert.equal(summary.status, 0);
  assert.equal(summary.files, 11, "the eleven entries of the tree");
  assert.equal(summary.indexFile, path.join(vardir, 'backup_log.1.z'));

  const idx1 = index().split('\n');
  const gIdx = goldenText('simple', 'backup_log.1.decompressed.txt').split('\n');
  const ours = normalise(index(), repl);
  const theirs = normalise(goldenText('simple', 'backup_log.1.decompressed.txt'), repl);
  assert.deepEqual(ours.slice(0, 3), theirs.slice(0, 3), 'section, header and start-positions copy lines');
  const entryShape = /^9\.9\.9\.9%9!9\.9\|9~9: DATA/;
  const names = idx1.slice(3).filter((l) => l !== '').map((l) => l.slice(l.indexOf(': ') + 2));
  for (const l of ours.slice(3).filter((x) => x !== '')) assert.match(l, entryShape);
  for (const n of ['text.txt', 'sub/hardlink.txt', 'link-to-text', 'fifo', 'empty', 'sparse', 'caf\xe9.txt', 'empty-dir', 'archive.gz', 'sub']) {
    assert.ok(names.includes(`${data}/${n}`), `${n} is in the index`);
  }
  assert.equal(names[names.length - 1], data, 'the directory comes after its contents');
  assert.equal(gIdx.length > 0, true);

  for (const f of ['num', 'level_timestamps', 'needed_tapes', 'server_ids', 'index_ages', 'save_entries', '.backup_log.1.z']) {
    assert.ok(fs.existsSync(path.join(vardir, f)), `${f} exists`);
  }
  assert.equal(v('num'), '1\n');
  assert.equal(v('oldmark'), '');
  assert.equal(v('.backup_log.1.z'), goldenText('simple', '.backup_log.1.z'));
  assert.deepEqual(normalise(v('level_timestamps'), repl), normalise(goldenText('simple', 'level_timestamps'), repl));
  assert.deepEqual(normalise(v('server_ids'), repl), normalise(goldenText('simple', 'server_ids'), repl));
  assert.deepEqual(normalise(v('save_entries'), repl), normalise(goldenText('simple', 'save_entries'), repl));
  assert.equal(v('needed_tapes'), `1: 2147483647>1@${serverId}\n`);
  assert.equal(v('start_positions'), `1.1/1: 127.0.0.1 ${launcher.port} 1 1\n`);
  assert.match(v('index_ages'), /^1: \d+\n$/);
  assert.equal(fs.statSync(path.join(vardir, 'backup_log.1.z')).mode & 0o777, 0o600);
  assert.equal(fs.readFileSync(path.join(sd.var, 'precious_tapes'), 'latin1'), 'afdemo-client 1\n');
  assert.match(fs.readFileSync(path.join(logdir, 'startup-info.txt'), 'latin1'), /^@@@===--->>> afdemo-client 127\.0\.0\.1 \d+ 1 1 \/tmp\/afbsp_\S+\n$/);

  // ---- incremental: one new file (mtime in the future), the directory reset to old
  fs.writeFileSync(path.join(data, 'incr-new.txt'), 'new file for incr_backup\n');
  fs.utimesSync(path.join(data, 'incr-new.txt'), new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
  fs.utimesSync(data, OLD, OLD);
  const incr = await run('incr_backup', ['-c', conf, '-v', '--json']);
  assert.equal(incr.status, 0, incr.stderr);
  assert.equal(incr.stdout.split('\n').slice(0, 2).join('\n') + '\n', goldenText('simple', '15-incr_backup.out'));
  const after = normalise(index(), repl);
  const gAfter = normalise(goldenText('simple', 'backup_log.1.decompressed.txt'), repl);
  const run2 = after.slice(after.indexOf('') );
  const gRun2 = gAfter.slice(gAfter.indexOf(''));
  assert.deepEqual(run2, gRun2, 'the incremental run: empty line, section, header, copy, only the new file');
  assert.equal(v('num'), '1\n');
  assert.deepEqual(normalise(v('needed_tapes'), repl), normalise(goldenText('simple', 'needed_tapes'), repl));
  assert.deepEqual(normalise(v('start_positions'), repl), normalise(goldenText('simple', 'start_positions'), repl));
  assert.deepEqual(normalise(v('level_timestamps'), repl), normalise(goldenText('simple', 'level_timestamps'), repl));
  assert.deepEqual(normalise(v('index_ages'), repl), normalise(goldenText('simple', 'index_ages'), repl));
  assert.ok(!fs.existsSync(path.join(vardir, 'newmark')) && !fs.existsSync(path.join(vardir, 'oldmark.org')));
  assert.equal(fs.readFileSync(path.join(logdir, 'client-exit.txt'), 'latin1'), goldenText('simple', 'log-client-exit.txt'));
  assert.deepEqual(
    normalise(fs.readFileSync(path.join(logdir, 'startup-info.txt'), 'latin1'), repl),
    normalise(goldenText('simple', 'log-startup-info.txt'), repl),
  );

  // ---- the lock: a second run is refused while another process holds it
  const before = fs.readdirSync(vardir).map((f) => [f, fs.readFileSync(path.join(vardir, f), 'latin1')]);
  await withClientLock(lockFile, async () => {
    const refused = await run('incr_backup', ['-c', conf]);
    assert.equal(refused.status, 81);
    assert.match(refused.stderr, new RegExp(`^incr_backup: .*another backup program holds the client lock .*\\(process ${process.pid}\\)`));
  });
  assert.deepEqual(fs.readdirSync(vardir).map((f) => [f, fs.readFileSync(path.join(vardir, f), 'latin1')]), before, 'nothing changed');

  // ---- update_indexes: the server forgot cartridge 1
  fs.writeFileSync(path.join(sd.var, 'precious_tapes'), '');
  const upd = await run('update_indexes', ['-c', conf, '--json']);
  assert.equal(upd.status, 0, upd.stderr);
  const us = JSON.parse(upd.stdout.trim().split('\n').pop()!);
  assert.deepEqual(us.erasedCartridges, [{ serverId, cartridges: '1' }]);
  const left = index();
  assert.ok(!/!1\.\d+\|/.test(left), 'no entry on cartridge 1 is left');
  assert.match(left, /^## Full backup at /m);
  assert.equal(fs.readFileSync(path.join(vardir, 'needed_tapes'), 'latin1'), '');
});
