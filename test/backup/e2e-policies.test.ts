/**
 * More of full_backup / incr_backup against a real afserver on loopback: index
 * pruning by NumIndexesToStore, split full backups (NumBackupParts), progress
 * reporting, a failing InitProgram (nothing changed, marks kept), a new
 * cartridge with -G and update_indexes removing only the lines of the cartridge
 * the server forgot, and the JSON line after a failure.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, KEY } from '../server/e2e-helpers.js';
import { ROOT } from './helpers.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(prog: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args]);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function setup(t: test.TestContext, extra: string) {
  const sd = makeServerDir();
  const launcher = await inetdLauncher(sd.conf);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afbackup-pol-'));
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });
  for (const d of ['a', 'b']) {
    fs.mkdirSync(path.join(base, d));
    fs.writeFileSync(path.join(base, d, 'file'), `${d}\n`);
  }
  fs.writeFileSync(path.join(base, 'cryptkey'), KEY, { mode: 0o600 });
  const conf = path.join(base, 'afclient.conf');
  fs.writeFileSync(
    conf,
    `BackupHosts: 127.0.0.1
BackupPorts: ${launcher.port}
ClientIdentifier: pol
RootDirectory: ${base}
IndexFilePart: %V/idx.
LoggingFile: ${base}/client.log
LockFile: ${base}/client.lock
VarDirectory: ${base}/var
EncryptionKeyFile: ${base}/cryptkey
${extra}`,
  );
  return { sd, base, conf, v: (n: string) => fs.readFileSync(path.join(base, 'var', n), 'latin1') };
}

const json = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!);

test('NumIndexesToStore 1 keeps two indexes; progress is reported; plain indexes without a process command', { timeout: 120_000 }, async (t) => {
  const { base, conf, v } = await setup(t, 'DirsToBackup: a\nNumIndexesToStore: 1\nReportProgress: yes\n');
  for (let i = 1; i <= 3; i++) {
    const r = await run('full_backup', ['-c', conf, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(json(r).number, i);
  }
  const idx = fs.readdirSync(path.join(base, 'var')).filter((f) => f.startsWith('idx.')).sort();
  assert.deepEqual(idx, ['idx.2', 'idx.3']);
  assert.match(v('index_ages'), /^2: \d+\n3: \d+\n$/);
  assert.deepEqual(v('start_positions').split('\n').filter(Boolean).map((l) => l.split(':')[0]), ['2.1/1', '3.1/1']);
  assert.deepEqual(v('needed_tapes').split('\n').filter(Boolean).map((l) => l.split(':')[0]), ['2', '3']);
  assert.match(v('progress'), /^(\d+) \1 100\.00\n$/);
  assert.match(fs.readFileSync(path.join(base, 'var', 'idx.3'), 'latin1'), /^127\.0\.0\.1%\d+!1\.3:\n## Full backup at .*\n.*\|0~\d+: \/tmp\/afbsp_\S+\n.*: a\/file\n.*: a\n$/);
});

test('split full backups save the parts in turn; the number advances with part 1', { timeout: 120_000 }, async (t) => {
  const { base, conf, v } = await setup(t, 'NumBackupParts: 2\nDirsToBackup1: a\nDirsToBackup2: b\n');
  const names = (n: number) =>
    fs
      .readFileSync(path.join(base, 'var', `idx.${n}`), 'latin1')
      .split('\n')
      .filter((l) => /\|0~\d+: [ab]/.test(l))
      .map((l) => l.slice(l.indexOf(': ') + 2));
  let r = await run('full_backup', ['-c', conf, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([json(r).part, json(r).number], [1, 1]);
  assert.deepEqual(names(1), ['a/file', 'a', 'b/file', 'b'], 'the first run saves everything (no time stamp yet)');
  fs.utimesSync(path.join(base, 'a', 'file'), new Date('2001-01-01'), new Date('2001-01-01'));
  fs.utimesSync(path.join(base, 'a'), new Date('2001-01-01'), new Date('2001-01-01'));
  r = await run('full_backup', ['-c', conf, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([json(r).part, json(r).number], [2, 1]);
  assert.equal(v('part'), '2\n');
  assert.equal(v('num'), '1\n');
  const second = names(1).slice(4);
  assert.ok(second.includes('b/file') && second.includes('b'), 'part 2 saved completely');
  assert.ok(!second.includes('a/file'), 'part 1 only incrementally: its old file is left out');
  r = await run('full_backup', ['-c', conf, '--json']);
  assert.deepEqual([json(r).part, json(r).number], [1, 2]);
  assert.equal(v('save_entries'), 'a\nb\n');
});

test('a failing InitProgram stops the backup and keeps the marks; JSON tells the failure', { timeout: 60_000 }, async (t) => {
  const { base, conf, v } = await setup(t, 'DirsToBackup: a\nInitProgram: exit 3\nExitProgram: echo "status %e" > ' + '%V/../exit.txt\n');
  const r = await run('incr_backup', ['-c', conf, '--json']);
  assert.equal(r.status, 78);
  assert.match(r.stderr, /^incr_backup: .*InitProgram returned exit status 3/m);
  assert.deepEqual(json(r), { program: 'incr_backup', error: json(r).error, code: 'SUBPROCESS_FAILED', status: 78 });
  assert.ok(!fs.existsSync(path.join(base, 'var', 'num')) && !fs.existsSync(path.join(base, 'var', 'oldmark')));
  assert.equal(fs.readFileSync(path.join(base, 'exit.txt'), 'latin1'), 'status 78\n');
  void v;
});

test('-G writes to a new cartridge; update_indexes removes only the forgotten cartridge', { timeout: 120_000 }, async (t) => {
  const { sd, base, conf, v } = await setup(t, 'DirsToBackup: a b\n');
  let r = await run('full_backup', ['-c', conf, '--json']);
  assert.equal(r.status, 0, r.stderr);
  fs.writeFileSync(path.join(base, 'b', 'new'), 'new\n');
  r = await run('incr_backup', ['-c', conf, '-G', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(json(r).start.cartridge, 2, 'the incremental went to cartridge 2');
  assert.match(v('needed_tapes'), /^1: 2147483647>1@\S+ 0>2@\S+\n$/);
  assert.equal(fs.readFileSync(path.join(sd.var, 'precious_tapes'), 'latin1'), 'pol 1-2\n');
  fs.writeFileSync(path.join(sd.var, 'precious_tapes'), 'pol 2\n');
  r = await run('update_indexes', ['-c', conf, '-v', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /erased on the server with ID \S+: 1\. The indexes will be updated\./);
  assert.deepEqual(json(r).removedLines, { '1': 6 }, 'section, copy, a/file, a, b/file, b of the full run');
  const left = fs.readFileSync(path.join(base, 'var', 'idx.1'), 'latin1');
  assert.ok(!/!1\.\d+\|/.test(left), 'cartridge 1 lines are gone');
  assert.match(left, /!2\.1\|0~\d+: b\/new\n/);
  assert.match(v('needed_tapes'), /^1: 0>2@\S+\n$/);
});
