/**
 * The afdirector program as built in dist/: --help, --version, --check (errors name
 * file, line and word; exit 32), usage errors (exit 2), and --once --now doing one
 * tick: a console request and a due scheduled run are both started, run to their end
 * within the tick, and recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../server/e2e-helpers.js';
import { JobHistory } from '../../src/director/history/store.js';
import { submitRequest } from '../../src/director/spool/requests.js';
import { tempVar } from './helpers.js';

const PROG = path.join(ROOT, 'dist/cli/afdirector.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [PROG, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('--help, --version, usage errors', { skip: !fs.existsSync(PROG) && 'not built' }, () => {
  assert.match(run(['--help']).stdout, /--foreground/);
  assert.match(run(['--version']).stdout, /^afdirector \(afbackup-ng\)/);
  const r = run(['--once', '--check']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^afdirector: .*exclude each other/);
  assert.equal(run([]).status, 2);
});

test('--check: a bad word is named with file and line, exit 32', { skip: !fs.existsSync(PROG) && 'not built' }, () => {
  const vd = tempVar();
  const conf = path.join(vd, 'd.conf');
  fs.writeFileSync(conf, `Director { Name = d; Var Directory = ${vd} }\nSchedule {\n  Name = S\n  Run = Full sun\n}\n`);
  const r = run(['-c', conf, '--check']);
  assert.equal(r.status, 32);
  assert.match(r.stderr, new RegExp(`"${conf}" line 4: .*no time`, 'i'));
});

test('--once --now: one tick starts the due run and a console request and waits for them', { skip: !fs.existsSync(PROG) && 'not built' }, async () => {
  const vd = tempVar();
  const prog = path.join(vd, 'b.sh');
  fs.writeFileSync(prog, '#!/bin/sh\necho \'{"files":1,"bytes":10,"cartridges":[2],"tapeFiles":[{"cartridge":2,"file":1}]}\'\n', { mode: 0o755 });
  const conf = path.join(vd, 'd.conf');
  fs.writeFileSync(conf, `Director { Name = d; Var Directory = ${vd}; Time Zone = Europe/Berlin; Maximum Concurrent Jobs = 2; Tick Interval = 15 min }
Client { Name = c; Address = localhost; Local Backup = yes; Full Backup Command = ${prog}; Incremental Backup Command = ${prog} }
Schedule { Name = S; Run = Full daily at 23:05 }
Job { Name = nightly; Client = c; Schedule = S }
Job { Name = manual; Client = c }
`);
  const check = run(['-c', conf, '--check', '--now', '2026-03-01T12:00:00Z']);
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /job nightly: next run 2026-03-01T23:05:00\+01:00 Full/);
  await submitRequest(vd, { kind: 'run', job: 'manual', console: 'ops', submitted: '2026-03-01T22:00:00Z' });
  const r = run(['-c', conf, '--once', '--now', '2026-03-01T23:10:00+01:00']);
  assert.equal(r.status, 0, r.stderr);
  const { records } = await new JobHistory(vd).list();
  assert.deepEqual(records.map((x) => [x.job, x.level, x.status, x.cartridges]).sort(), [['manual', 'Full', 'ok', [2]], ['nightly', 'Full', 'ok', [2]]]);
  assert.equal(records.find((x) => x.job === 'nightly')!.scheduled, '2026-03-01T23:05:00+01:00');
  assert.match(fs.readFileSync(path.join(vd, 'director.status'), 'utf8'), /mode: once\n.*\nlast-tick: 2026-03-01T23:10:00\+01:00/s);
  // the next tick a quarter of an hour later finds nothing to do
  const again = run(['-c', conf, '--once', '--now', '2026-03-01T23:25:00+01:00']);
  assert.equal(again.status, 0);
  assert.equal((await new JobHistory(vd).list()).records.length, 2);
});

test('one director per var directory: a second --foreground exits 81, a --once skips its tick', { skip: !fs.existsSync(PROG) && 'not built' }, async () => {
  const vd = tempVar();
  const conf = path.join(vd, 'd.conf');
  fs.writeFileSync(conf, `Director { Name = d; Var Directory = ${vd} }\n`);
  const { spawn } = await import('node:child_process');
  const first = spawn(process.execPath, [PROG, '-c', conf, '--foreground'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  first.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  for (let i = 0; i < 200 && !/started/.test(log); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(log, /director "d" started/);
  const second = run(['-c', conf, '--foreground']);
  assert.equal(second.status, 81);
  assert.match(second.stderr, /another director holds/);
  const once = run(['-c', conf, '--once']);
  assert.equal(once.status, 0);
  assert.match(once.stderr, /tick skipped/);
  first.kill('SIGTERM');
  assert.equal(await new Promise((r) => first.on('exit', r)), 0);
  assert.match(log, /SIGTERM: stopping[\s\S]*director "d" stopped/);
});
