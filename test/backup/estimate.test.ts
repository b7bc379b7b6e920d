/**
 * full_backup --estimate and incr_backup --estimate over a real tree: before any
 * backup the estimate names exactly what the real full_backup then saves (against
 * a real afserver on loopback); after it, an incremental estimate names only what
 * changed. No estimate touches the var directory, the lock or a server.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, KEY } from '../server/e2e-helpers.js';
import { parseBackupArgs } from '../../src/client/backup/options.js';
import { ROOT } from './helpers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const OLD = new Date('2016-06-06T06:06:06Z');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(prog: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { env: { ...process.env, AF_POLL_WAIT_SECONDS: '1' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The JSON line of --estimate --json (written as UTF-8; names are Latin-1 strings). */
function estimateJson(r: Run): { estimate: boolean; level: string; files: number; bytes: number; names: string[] } {
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `no JSON line in ${JSON.stringify(r.stdout)} / ${r.stderr}`);
  return JSON.parse(Buffer.from(line, 'latin1').toString('utf8'));
}

function makeTree(data: string): void {
  const t = (p: string): string => path.join(data, p);
  fs.mkdirSync(t('sub'), { recursive: true });
  fs.mkdirSync(t('skipped'), { recursive: true });
  fs.writeFileSync(t('text.txt'), 'some text\n'.repeat(30));
  fs.writeFileSync(t('sub/inner'), 'inner');
  fs.writeFileSync(t('skipped/never'), 'never');
  fs.writeFileSync(t('junk.o'), 'object');
  fs.writeFileSync(Buffer.concat([B(t('caf')), Buffer.of(0xe9), B('.txt')]), 'latin-1');
  fs.writeFileSync(t('line\nbreak'), 'nl');
  for (const p of ['text.txt', 'sub/inner', 'skipped/never', 'junk.o', 'line\nbreak', 'sub', 'skipped', '.']) fs.utimesSync(t(p), OLD, OLD);
  fs.utimesSync(Buffer.concat([B(t('caf')), Buffer.of(0xe9), B('.txt')]) as unknown as string, OLD, OLD);
}

/** Every file of a directory with its content and mtime, to see that nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!fs.existsSync(dir)) return m;
  for (const n of fs.readdirSync(dir)) {
    const f = path.join(dir, n);
    const st = fs.statSync(f);
    m.set(n, `${st.mtimeMs} ${st.isFile() ? fs.readFileSync(f).toString('base64') : 'dir'}`);
  }
  return m;
}

test('--estimate is a long option of full_backup and incr_backup only', () => {
  assert.equal(parseBackupArgs('full_backup', ['--estimate', '--json']).estimate, true);
  assert.equal(parseBackupArgs('incr_backup', ['-Q', '2', '--estimate']).estimate, true);
  assert.equal(parseBackupArgs('full_backup', ['-v']).estimate, false);
  assert.throws(() => parseBackupArgs('update_indexes', ['--estimate']), { code: 'USAGE' });
  assert.throws(() => parseBackupArgs('full_backup', ['--estimate=yes']), { code: 'USAGE' });
});

test('estimate of a tree: full lists what full_backup saves, incr after it only what changed, var files untouched', { timeout: 180_000 }, async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afbackup-estimate-'));
  const sd = makeServerDir();
  const launcher = await inetdLauncher(sd.conf);
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });
  const data = path.join(base, 'data');
  const vardir = path.join(base, 'var');
  makeTree(data);
  fs.writeFileSync(path.join(base, 'key'), KEY, { mode: 0o600 });
  const conf = path.join(base, 'afclient.conf');
  fs.writeFileSync(
    conf,
    `BackupHosts: 127.0.0.1
BackupPorts: ${launcher.port}
RootDirectory: /
DirsToBackup: ${data}
FilesToSkip: *.o
DirsToSkip: skipped
VarDirectory: ${vardir}
LockFile: ${base}/client.lock
LoggingFile: ${base}/client.log
EncryptionKeyFile: ${base}/key
IndexFilePart: %V/backup_log.
`,
  );
  const d = (p: string): string => `${data}/${p}`;

  // ---- before any backup: no var directory appears, no server is asked
  const before = await run('full_backup', ['-c', conf, '--estimate', '--json']);
  assert.equal(before.status, 0, before.stderr);
  const est = estimateJson(before);
  assert.equal(est.estimate, true);
  assert.equal(est.level, 'Full');
  const expected = [d('text.txt'), d('sub/inner'), d('sub'), d('caf\xe9.txt'), d('line\\nbreak'), data];
  assert.deepEqual([...est.names].sort(), [...expected].sort());
  assert.equal(est.files, 6);
  assert.equal(est.bytes, 300 + 5 + 7 + 2);
  assert.equal(fs.existsSync(vardir), false, 'the estimate created no var directory');
  assert.equal(fs.existsSync(`${base}/client.lock`), false, 'the estimate took no lock');

  // the text form: the names, then the summary line
  const text = await run('full_backup', ['-c', conf, '--estimate']);
  assert.equal(text.status, 0, text.stderr);
  const lines = Buffer.from(text.stdout, 'latin1').toString('utf8').split('\n');
  assert.equal(lines[lines.length - 2], 'Estimate: 6 files, 314 bytes');
  assert.deepEqual(lines.slice(0, -2).sort(), [...expected].sort());

  // incr_backup without a full backup before it would make a full one: so would its estimate
  const incr0 = await run('incr_backup', ['-c', conf, '--estimate', '--json']);
  assert.equal(incr0.status, 0, incr0.stderr);
  assert.equal(estimateJson(incr0).level, 'Full');
  assert.match(incr0.stderr, /switch to full backup/);

  // ---- the real full backup saves what the estimate named
  const full = await run('full_backup', ['-c', conf, '--json']);
  assert.equal(full.status, 0, full.stderr);
  const summary = JSON.parse(full.stdout.trim().split('\n').pop()!);
  assert.equal(summary.files, est.files);
  assert.equal(summary.bytes, est.bytes);

  // ---- after it: a changed file and a new one
  fs.writeFileSync(d('sub/new'), 'new!');
  fs.writeFileSync(d('text.txt'), 'changed\n');
  const varBefore = snapshot(vardir);
  const fullAgain = estimateJson(await run('full_backup', ['-c', conf, '--estimate', '--json']));
  assert.equal(fullAgain.level, 'Full');
  assert.equal(fullAgain.files, 7, 'a full estimate lists everything again');
  const incr = await run('incr_backup', ['-c', conf, '--estimate', '--json']);
  assert.equal(incr.status, 0, incr.stderr);
  const ie = estimateJson(incr);
  assert.equal(ie.level, 'Incremental');
  assert.deepEqual([...ie.names].sort(), [d('sub/new'), d('sub'), d('text.txt')].sort(), 'only what changed (and the directories that changed with it)');
  assert.equal(ie.files, 3);
  assert.equal(ie.bytes, 4 + 8);
  assert.deepEqual(snapshot(vardir), varBefore, 'no var file was written');
  assert.equal(fs.existsSync(path.join(vardir, 'newmark')), false);

  // ---- the real incremental saves the same number of names
  const real = await run('incr_backup', ['-c', conf, '--json']);
  assert.equal(real.status, 0, real.stderr);
  assert.equal(JSON.parse(real.stdout.trim().split('\n').pop()!).files, ie.files);
});
