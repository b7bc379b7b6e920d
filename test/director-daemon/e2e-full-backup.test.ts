/**
 * End to end with the real client programs: the director starts dist/cli/full_backup.js
 * and incr_backup.js by remote start on a client's afserver (its Program-Directory
 * holds two small wrappers that exec them with `-c <client conf>` passed through the
 * job's Backup Options); they save a directory tree to a real tape server over the
 * virtual library. A compressed clock (AF_DIRECTOR_CLOCK) drives a Full at 01:00 and
 * hourly Incrementals; afterwards the history records carry the figures of
 * full_backup's --json summary, the client's var directory shows the runs, and the
 * tape server's precious_tapes holds both the client's and the director's lines.
 * Skipped when full_backup is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, ROOT } from '../server/e2e-helpers.js';
import { JobHistory } from '../../src/director/history/store.js';
import type { JobRecord } from '../../src/director/history/job-record.js';

const AFDIRECTOR = path.join(ROOT, 'dist/cli/afdirector.js');
const FULL = path.join(ROOT, 'dist/cli/full_backup.js');

test('afdirector drives the real full_backup and incr_backup by remote start', { timeout: 240_000, skip: !fs.existsSync(FULL) && 'dist/cli/full_backup.js is not built' }, async () => {
  const tape = makeServerDir();
  const alpha = makeServerDir();
  const servers = [await inetdLauncher(tape.conf), await inetdLauncher(alpha.conf)];
  const data = path.join(alpha.dir, 'data');
  fs.mkdirSync(path.join(data, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(data, 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(data, 'sub', 'b.txt'), 'beta '.repeat(1000));
  const cvar = path.join(alpha.dir, 'client-var');
  const cconf = path.join(alpha.dir, 'client.conf');
  fs.writeFileSync(cconf, `BackupHosts: 127.0.0.1
BackupPorts: ${servers[0]!.port}
ClientIdentifier: alpha-host
DirsToBackup: ${data}
VarDirectory: ${cvar}
IndexFilePart: %V/backup_log.
LoggingFile: ${alpha.dir}/client.log
LockFile: ${alpha.dir}/client.lock
EncryptionKeyFile: ${tape.dir}/cryptkey
`);
  for (const prog of ['full_backup', 'incr_backup']) {
    fs.writeFileSync(path.join(alpha.dir, 'rexec', prog), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'dist/cli', `${prog}.js`)}" "$@"\n`, { mode: 0o755 });
  }
  const dvar = path.join(tape.dir, 'director');
  const conf = path.join(tape.dir, 'afdirector.conf');
  fs.writeFileSync(conf, `
Director { Name = real; Var Directory = "${dvar}"; Time Zone = UTC; Tick Interval = 1 min; Catch Up = none }
TapeServer { Name = tape; Address = 127.0.0.1; Port = ${servers[0]!.port}; Key File = "${tape.dir}/cryptkey" }
Client { Name = alpha; Address = 127.0.0.1; Port = ${servers[1]!.port}; Key File = "${alpha.dir}/cryptkey" }
Schedule { Name = cycle; Run = Full daily at 01:00; Run = Incremental hourly at :00 }
Job { Name = alpha-backup; Client = alpha; Schedule = cycle; Backup Options = "-c ${cconf}"; Retention = 1 day
      File Selection = "DirsToBackup: ${data}" }
`);
  const d = spawn(process.execPath, [AFDIRECTOR, '-c', conf, '--foreground'], {
    env: { ...process.env, AF_DIRECTOR_CLOCK: '2026-03-02T00:58:00Z,240' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  d.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const history = new JobHistory(dvar);
  const list = async (): Promise<JobRecord[]> => (await history.list()).records;
  try {
    const until = Date.now() + 180_000;
    for (;;) {
      const r = await list();
      if (r.filter((x) => x.status !== 'running').length >= 2) break;
      if (Date.now() > until || d.exitCode !== null) throw new Error('the director did not finish two runs');
      await new Promise((res) => setTimeout(res, 300));
    }
    d.kill('SIGTERM');
    assert.equal(await new Promise((r) => (d.exitCode !== null ? r(d.exitCode) : d.on('exit', r))), 0);
    const records = await list();
    const [full, incr] = records;
    const fullLog = (await history.readLog(full!.id)).join('\n');
    assert.equal(full!.status, 'ok', fullLog);
    assert.equal(full!.level, 'Full');
    assert.match(fullLog, /\[backup\] running: full_backup -c \S+client\.conf --json \(remote start/);
    assert.equal(full!.files, 4, 'the tree: data, a.txt, sub, sub/b.txt');
    assert.equal(full!.bytes, 6 + 5000);
    assert.deepEqual(full!.cartridges, [1]);
    assert.ok(full!.tapeFiles.length >= 1 && full!.tapeFiles.every((t) => t.cartridge === 1));
    assert.equal(incr!.level, 'Incremental');
    assert.equal(incr!.status, 'ok', (await history.readLog(incr!.id)).join('\n'));
    assert.equal(incr!.scheduled, '2026-03-02T02:00:00+00:00');
    assert.equal(fs.readFileSync(path.join(cvar, 'num'), 'latin1'), '1\n', 'one Full on the client');
    const precious = fs.readFileSync(path.join(tape.var, 'precious_tapes'), 'latin1');
    assert.match(precious, /^alpha-host 1$/m, "full_backup's own line");
    assert.match(precious, /afdirector real.* 1$/m, "the director's retention line");
  } catch (e) {
    (e as Error).message += `\n--- director log ---\n${log}`;
    throw e;
  } finally {
    if (d.exitCode === null) d.kill('SIGKILL');
    for (const s of servers) await s.close();
    tape.cleanup();
    alpha.cleanup();
  }
});
