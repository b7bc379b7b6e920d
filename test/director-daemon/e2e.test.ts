/**
 * End to end on loopback: a real afserver as the tape server and one real afserver per
 * client (each with its own var directory and a Program-Directory holding the client
 * program), the built afdirector in --foreground on a compressed clock
 * (AF_DIRECTOR_CLOCK, five simulated minutes per real second), and afterwards the
 * history must agree with what ran: alpha's Full then hourly Incrementals with the
 * figures of the JSON summary line, beta's failing Full rescheduled as configured,
 * the retention message arrived at the tape server, and SIGTERM ends the daemon with
 * status 0.
 *
 * The client program is a small shell script that prints the --json summary line
 * (full_backup/incr_backup were not in dist/ when this test was written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, ROOT, type ServerDir } from '../server/e2e-helpers.js';
import { JobHistory } from '../../src/director/history/store.js';
import type { JobRecord } from '../../src/director/history/job-record.js';

const AFDIRECTOR = path.join(ROOT, 'dist/cli/afdirector.js');

function clientProgram(dir: ServerDir, ok: boolean): void {
  for (const name of ['full_backup', 'incr_backup']) {
    const file = path.join(dir.dir, 'rexec', name);
    const body = ok
      ? `#!/bin/sh
echo "${name} $*"
n=$(cat "${dir.dir}/count" 2>/dev/null || echo 0)
n=$((n+1))
echo $n > "${dir.dir}/count"
echo '{"files":'$n',"bytes":'$((n*1000))',"cartridges":[1],"tapeFiles":[{"cartridge":1,"file":'$n'}],"index":"idx"}'
`
      : `#!/bin/sh
echo "${name}: no route to the backup server" >&2
exit 3
`;
    fs.writeFileSync(file, body, { mode: 0o755 });
  }
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 150_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('afdirector on a compressed clock with two real clients and a real tape server', { timeout: 240_000 }, async (t) => {
  if (!fs.existsSync(AFDIRECTOR)) return t.skip('dist/cli/afdirector.js is not built (npm run build:ts)');
  const tape = makeServerDir();
  const alpha = makeServerDir();
  const beta = makeServerDir();
  clientProgram(alpha, true);
  clientProgram(beta, false);
  const servers = [await inetdLauncher(tape.conf), await inetdLauncher(alpha.conf), await inetdLauncher(beta.conf)];
  const dvar = path.join(tape.dir, 'director');
  const conf = path.join(tape.dir, 'afdirector.conf');
  fs.writeFileSync(conf, `
Director { Name = e2e; Var Directory = "${dvar}"; Time Zone = UTC; Maximum Concurrent Jobs = 2; Tick Interval = 1 min; Catch Up = none; Shutdown Grace Period = 10 min }
TapeServer { Name = tape; Address = 127.0.0.1; Port = ${servers[0]!.port}; Key File = "${tape.dir}/cryptkey"; Maximum Concurrent Jobs = 2 }
Client { Name = alpha; Address = 127.0.0.1; Port = ${servers[1]!.port}; Key File = "${alpha.dir}/cryptkey" }
Client { Name = beta; Address = 127.0.0.1; Port = ${servers[2]!.port}; Key File = "${beta.dir}/cryptkey" }
Schedule { Name = cycle; Run = Level=Full CartridgeSet=1 daily at 01:00; Run = Incremental hourly at :00 }
Schedule { Name = nightly; Run = Full daily at 01:00 }
Job { Name = alpha-backup; Client = alpha; Schedule = cycle; Retention = 30 min; Backup Options = "-c /etc/afbackup/client.conf" }
Job { Name = beta-backup; Client = beta; Schedule = nightly; Reschedule On Error = yes; Reschedule Interval = 20 min; Reschedule Times = 2 }
`);
  const check = spawn(process.execPath, [AFDIRECTOR, '-c', conf, '--check']);
  assert.equal(await new Promise((r) => check.on('exit', r)), 0);

  const d = spawn(process.execPath, [AFDIRECTOR, '-c', conf, '--foreground'], {
    env: { ...process.env, AF_DIRECTOR_CLOCK: '2026-03-02T00:55:00Z,300' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  d.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const history = new JobHistory(dvar);
  const list = async (): Promise<JobRecord[]> => (await history.list()).records;
  try {
    await waitFor('three alpha runs and three beta runs', async () => {
      const r = await list();
      return r.filter((x) => x.job === 'alpha-backup' && x.status === 'ok').length >= 3 && r.filter((x) => x.job === 'beta-backup' && x.status !== 'running').length >= 3;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- director log ---\n${log}`);
  }
  d.kill('SIGTERM');
  const code = await new Promise((r) => d.on('exit', r));
  for (const s of servers) await s.close();

  try {
    assert.equal(code, 0, log);
    const records = await list();
    const a = records.filter((x) => x.job === 'alpha-backup');
    assert.equal(a[0]!.level, 'Full');
    assert.equal(a[0]!.scheduled, '2026-03-02T01:00:00+00:00');
    const okA = a.filter((x) => x.status === 'ok');
    assert.ok(okA.slice(1).every((x) => x.level === 'Incremental'), 'the hourly runs after the Full are Incrementals');
    okA.forEach((x, i) => {
      assert.equal(x.files, i + 1, 'files from the JSON summary line');
      assert.equal(x.bytes, (i + 1) * 1000);
      assert.deepEqual(x.cartridges, [1]);
      assert.deepEqual(x.tapeFiles, [{ cartridge: 1, file: i + 1 }]);
    });
    assert.deepEqual(okA.slice(1, 3).map((x) => x.scheduled), ['2026-03-02T02:00:00+00:00', '2026-03-02T03:00:00+00:00']);
    const logA = await history.readLog(a[0]!.id);
    assert.ok(logA.some((l) => /\[backup\] full_backup -S 1 -c \/etc\/afbackup\/client.conf --json/.test(l)), logA.join('\n'));

    const b = records.filter((x) => x.job === 'beta-backup' && x.status !== 'running');
    assert.deepEqual(b.slice(0, 3).map((x) => [x.status, x.reschedules]), [['error', 0], ['error', 1], ['error', 2]]);
    assert.match(b[0]!.error!, /exit status 3/);
    for (let i = 1; i < 3; i++) {
      const gap = Date.parse(b[i]!.start!) - Date.parse(b[i - 1]!.end!);
      assert.ok(gap >= 20 * 60_000, `reschedule ${i} started ${gap / 60000} min after the failure`);
    }
    assert.ok((await history.readLog(b[0]!.id)).some((l) => /no route to the backup server/.test(l)));
    assert.equal(b.length, 3, 'no fourth attempt');

    const precious = fs.readFileSync(path.join(tape.var, 'precious_tapes'), 'latin1');
    assert.match(precious, /afdirector e2e.* 1\b/, 'the director holds the tape of the last good Full');
    assert.match(fs.readFileSync(path.join(dvar, 'director.status'), 'utf8'), /mode: foreground/);
    assert.match(fs.readFileSync(path.join(dvar, 'schedule-state'), 'utf8'), /considered\talpha-backup/);
  } catch (e) {
    (e as Error).message += `\n--- director log ---\n${log}`;
    throw e;
  } finally {
    for (const s of [tape, alpha, beta]) s.cleanup();
  }
});
