/**
 * afrestore's restores without index files, against a real afserver (inetd
 * style, virtual tape library) with the built programs: two backup cycles
 * (full_backup, incr_backup, twice) whose StartupInfoProgram collects the
 * minimum restore info, the var directory among DirsToBackup. Then
 *   -e   < info   restores the latest backup (full and incremental),
 *   -ee  < info   the one before it (a file deleted in between is there),
 *   -f   < info   only the index files, as they were saved on tape,
 *   -E 1          finds the info itself in `afclient -I`'s listing of cartridge 1
 *                 (-E -f: of the loaded cartridge, the index files only).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, KEY, ROOT } from '../server/e2e-helpers.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(prog: string, args: string[], input = ''): Promise<Run> {
  const env = { ...process.env };
  delete env.AF_AFCLIENT;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
    c.stdin.end(input);
  });
}

test('afrestore -e, -ee, -f and -E against a real server', { timeout: 300_000 }, async (t) => {
  const sd = makeServerDir();
  const launcher = await inetdLauncher(sd.conf);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afemerg-'));
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });
  const data = path.join(base, 'data');
  const varDir = path.join(base, 'var');
  fs.mkdirSync(data);
  fs.mkdirSync(path.join(base, 'log'));
  fs.writeFileSync(path.join(data, 'a.txt'), 'always there\n');
  fs.writeFileSync(path.join(data, 'only-in-1.txt'), 'deleted before the second full backup\n');
  fs.writeFileSync(path.join(base, 'cryptkey'), KEY, { mode: 0o600 });
  const infoFile = path.join(base, 'log', 'restore-info.txt');
  const conf = path.join(base, 'afclient.conf');
  fs.writeFileSync(
    conf,
    [
      'BackupHosts: 127.0.0.1',
      `BackupPorts: ${launcher.port}`,
      'ClientIdentifier: emergency-client',
      `RootDirectory: ${base}`,
      'DirsToBackup: data var',
      'FilesToSkip: *.tmp',
      `VarDirectory: ${varDir}`,
      'IndexFilePart: %V/backup_log.',
      'NumIndexesToStore: 1',
      `LoggingFile: ${base}/log/client.log`,
      `LockFile: ${base}/log/client.lock`,
      `EncryptionKeyFile: ${base}/cryptkey`,
      `StartupInfoProgram: cat >> ${infoFile}`,
      '',
    ].join('\n'),
  );
  for (const step of ['full_backup', 'incr_backup', 'delete', 'full_backup', 'incr_backup']) {
    if (step === 'delete') {
      fs.rmSync(path.join(data, 'only-in-1.txt'));
      fs.writeFileSync(path.join(data, 'b.txt'), 'new in the second cycle\n');
      continue;
    }
    const r = await run(step, ['-c', conf]);
    assert.equal(r.status, 0, `${step}: ${r.stderr}`);
  }
  const info = fs.readFileSync(infoFile, 'latin1');
  assert.equal(info.trim().split('\n').length, 4, 'one restore info per run');

  // -e: the latest backup, its full and its incremental.
  const r1 = path.join(base, 'r1');
  const e = await run('afrestore', ['-c', conf, '-e', '-v', '-C', r1], info);
  assert.equal(e.status, 0, `${e.stdout}\n${e.stderr}`);
  assert.equal((e.stdout.match(/Going to restore from server/g) ?? []).length, 2, e.stdout);
  assert.equal(fs.readFileSync(path.join(r1, 'data/b.txt'), 'latin1'), 'new in the second cycle\n');
  assert.ok(!fs.existsSync(path.join(r1, 'data/only-in-1.txt')), 'backup 2 does not hold the file deleted before it');

  // -ee: one backup further back.
  const r2 = path.join(base, 'r2');
  const ee = await run('afrestore', ['-c', conf, '-ee', '-C', r2], info);
  assert.equal(ee.status, 0, ee.stderr);
  assert.equal(fs.readFileSync(path.join(r2, 'data/only-in-1.txt'), 'latin1'), 'deleted before the second full backup\n');
  assert.ok(!fs.existsSync(path.join(r2, 'data/b.txt')));
  const eee = await run('afrestore', ['-c', conf, '-eee', '-C', path.join(base, 'r2b')], info);
  assert.equal(eee.status, 5, 'only two backups are listed in the start-positions copy');
  assert.match(eee.stderr, /lists 2 backups \(2, 1\); going back 2 is not possible/);

  // -f: only the index files, as the tape files hold them.
  const r3 = path.join(base, 'r3');
  const f = await run('afrestore', ['-c', conf, '-f', '-C', r3], info);
  assert.equal(f.status, 0, `${f.stdout}\n${f.stderr}`);
  assert.ok(!fs.existsSync(path.join(r3, 'data')), 'no data, only index files');
  assert.deepEqual(fs.readdirSync(path.join(r3, 'var')).sort(), ['backup_log.1', 'backup_log.2']);
  assert.equal(fs.readFileSync(path.join(r3, 'var/backup_log.1'), 'latin1'), fs.readFileSync(path.join(varDir, 'backup_log.1'), 'latin1'), 'index 1 complete (saved by the second full backup)');
  const live2 = fs.readFileSync(path.join(varDir, 'backup_log.2'), 'latin1');
  const tape2 = fs.readFileSync(path.join(r3, 'var/backup_log.2'), 'latin1');
  assert.ok(tape2.length > 0 && live2.startsWith(tape2), 'index 2 as it was when the incremental started');
  assert.match(f.stdout, /Restored index file var\/backup_log\.1\n/);

  // -E: the restore info found on cartridge 1 by afclient -I.
  const r4 = path.join(base, 'r4');
  const scan = await run('afrestore', ['-c', conf, '-E', '-C', r4, '1']);
  assert.equal(scan.status, 0, `${scan.stdout}\n${scan.stderr}`);
  assert.match(scan.stderr, /found the backup of .* on cartridge 1, file \d+/);
  assert.equal(fs.readFileSync(path.join(r4, 'data/b.txt'), 'latin1'), 'new in the second cycle\n');
  assert.ok(!fs.existsSync(path.join(r4, 'data/only-in-1.txt')));
  const current = await run('afrestore', ['-c', conf, '-E', '-f', '-C', path.join(base, 'r6')]);
  assert.equal(current.status, 0, `without cartridges: the one the server has loaded\n${current.stderr}`);
  assert.ok(fs.existsSync(path.join(base, 'r6/var/backup_log.2')) && !fs.existsSync(path.join(base, 'r6/data')), '-E -f: the index files only');
  const other = await run('afrestore', ['-c', conf, '-W', 'somebody-else', '-E', '-C', path.join(base, 'r5'), '1']);
  assert.equal(other.status, 5, other.stderr);
  assert.match(other.stderr, /no backup of client "somebody-else" on cartridge 1 of 127\.0\.0\.1/);
});
