/**
 * afdirector and afconsole as one system, end to end on loopback (issue 5's "what it
 * must show"):
 *   - a tape server (real afserver over the virtual library) and two clients, alpha
 *     and beta, each with its own var directory behind its own client afserver whose
 *     Program-Directory holds full_backup and incr_backup (wrappers that exec the real
 *     dist/cli programs with the afclient.conf next to them);
 *   - a Full and an Incremental schedule on a compressed clock (AF_DIRECTOR_CLOCK,
 *     a simulated minute and a half per real second), afdirector --foreground;
 *   - beta's first Full fails (its wrapper refuses once) and is rescheduled after
 *     Reschedule Interval, then succeeds;
 *   - `afconsole run job=... yes` starts a job the daemon takes and records;
 *   - afterwards the history, `afconsole --json list jobs` and `afconsole --json status
 *     scheduler` agree with what ran; `afconsole messages` shows the daemon's events;
 *     a console restricted to alpha sees and may run alpha's jobs only.
 * A second test drives `afdirector --once`: a console run request is started by the
 * tick, and a console cancel of that job is acted on while --once waits for it.
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
const AFCONSOLE = path.join(ROOT, 'dist/cli/afconsole.js');
const FULL = path.join(ROOT, 'dist/cli/full_backup.js');
const missing = [AFDIRECTOR, AFCONSOLE, FULL, path.join(ROOT, 'dist/cli/incr_backup.js')].find((f) => !fs.existsSync(f));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A client: its data, its afclient.conf (own var directory) and the two programs in its Program-Directory. */
function makeClient(dir: ServerDir, name: string, tapePort: number, tapeKey: string, failFirst: boolean): void {
  const data = path.join(dir.dir, 'data');
  fs.mkdirSync(path.join(data, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(data, `${name}.txt`), `${name}\n`);
  fs.writeFileSync(path.join(data, 'sub', 'b.txt'), 'x'.repeat(2000));
  const rexec = path.join(dir.dir, 'rexec');
  fs.writeFileSync(path.join(rexec, 'afclient.conf'), `BackupHosts: 127.0.0.1
BackupPorts: ${tapePort}
ClientIdentifier: ${name}-host
DirsToBackup: ${data}
VarDirectory: ${dir.dir}/client-var
IndexFilePart: %V/backup_log.
LoggingFile: ${dir.dir}/client.log
LockFile: ${dir.dir}/client.lock
EncryptionKeyFile: ${tapeKey}
`);
  for (const prog of ['full_backup', 'incr_backup']) {
    const refuse = failFirst
      ? `if [ ! -e "${dir.dir}/failed-once" ]; then : > "${dir.dir}/failed-once"; echo "${prog}: the backup server is not reachable (test: first run fails)" >&2; exit 3; fi\n`
      : '';
    fs.writeFileSync(path.join(rexec, prog),
      `#!/bin/sh\n${refuse}exec "${process.execPath}" "${path.join(ROOT, 'dist/cli', `${prog}.js`)}" -c "${rexec}/afclient.conf" "$@"\n`, { mode: 0o755 });
  }
}

test('afdirector --foreground and afconsole on loopback: two clients, schedules, a reschedule, ACLs', { timeout: 150_000, skip: missing !== undefined && `${missing} is not built (npm run build:ts)` }, async () => {
  const tape = makeServerDir();
  const alpha = makeServerDir();
  const beta = makeServerDir();
  const servers = [await inetdLauncher(tape.conf), await inetdLauncher(alpha.conf), await inetdLauncher(beta.conf)];
  makeClient(alpha, 'alpha', servers[0]!.port, `${tape.dir}/cryptkey`, false);
  makeClient(beta, 'beta', servers[0]!.port, `${tape.dir}/cryptkey`, true);
  const dvar = path.join(tape.dir, 'director');
  const conf = path.join(tape.dir, 'afdirector.conf');
  fs.writeFileSync(conf, `
Director { Name = e2e; Var Directory = "${dvar}"; Time Zone = UTC; Maximum Concurrent Jobs = 2; Tick Interval = 1 min; Catch Up = none; Shutdown Grace Period = 10 min }
TapeServer { Name = tape; Address = 127.0.0.1; Port = ${servers[0]!.port}; Key File = "${tape.dir}/cryptkey"; Maximum Concurrent Jobs = 1 }
Client { Name = alpha; Address = 127.0.0.1; Port = ${servers[1]!.port}; Key File = "${alpha.dir}/cryptkey" }
Client { Name = beta; Address = 127.0.0.1; Port = ${servers[2]!.port}; Key File = "${beta.dir}/cryptkey" }
Schedule { Name = cycle; Run = Incremental daily at 01:45; Run = Full daily at 01:00 }
Job { Name = alpha-backup; Client = alpha; Schedule = cycle; Tape Server = tape }
Job { Name = beta-backup; Client = beta; Schedule = cycle; Tape Server = tape; Reschedule On Error = yes; Reschedule Interval = 5 min; Reschedule Times = 2 }
Console { Name = alpha-owner; Password = "not checked"; Client ACL = alpha; Job ACL = *all*; Command ACL = *all*; Schedule ACL = *all* }
`);
  const START = '2026-03-02T00:59:00Z';
  const d = spawn(process.execPath, [AFDIRECTOR, '-c', conf, '--foreground'], {
    env: { ...process.env, AF_DIRECTOR_CLOCK: `${START},90` }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  d.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const history = new JobHistory(dvar);
  const list = async (): Promise<JobRecord[]> => (await history.list()).records;
  const con = (args: string[], name?: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> =>
    run([AFCONSOLE, '-c', conf, ...(name ? ['-n', name] : []), ...args], env);
  /** The one afconsole/1 document a command printed (its body is at the top level). */
  const json = (r: Ran): { ok: boolean; result: Record<string, unknown> } => {
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { ok: boolean; schema: string };
    assert.equal(doc.schema, 'afconsole/1');
    return { ok: doc.ok, result: doc };
  };
  try {
    // 1. the scheduled runs: alpha Full, beta Full (fails, rescheduled, ok), then both Incrementals
    await waitFor('the Fulls and the 01:45 Incrementals', async () => {
      const r = await list();
      return r.filter((x) => x.status === 'ok').length >= 4 && r.every((x) => x.status !== 'running');
    }, 90_000);
    const st = json(await con(['--json', 'status', 'director']));
    const daemon = st.result.daemon as { pid: number; alive: boolean; mode: string; lastTick: string | null };
    assert.equal(daemon.pid, d.pid, 'status director reads the daemon\'s status file');
    assert.equal(daemon.alive, true);
    assert.equal(daemon.mode, 'foreground');
    assert.ok(daemon.lastTick !== null && Date.parse(daemon.lastTick) > Date.parse(START));

    // 2. a run asked for by the console
    const before = (await list()).length;
    const asked = json(await con(['--json', 'run', 'job=alpha-backup', 'level=Incremental', 'yes']));
    assert.equal((asked.result as { submitted: boolean }).submitted, true);
    await waitFor('the console\'s run to end', async () => {
      const r = await list();
      return r.length > before && r.every((x) => x.status !== 'running');
    }, 30_000);
    d.kill('SIGTERM');
    assert.equal(await new Promise((r) => (d.exitCode !== null ? r(d.exitCode) : d.on('exit', r))), 0, log);

    const records = await list();
    const byId = [...records].sort((a, b) => a.id - b.id);
    const consoleRun = byId[byId.length - 1]!;
    assert.equal(byId.length, before + 1);
    assert.deepEqual([consoleRun.job, consoleRun.client, consoleRun.level, consoleRun.status], ['alpha-backup', 'alpha', 'Incremental', 'ok'],
      (await history.readLog(consoleRun.id)).join('\n'));
    assert.ok(Date.parse(consoleRun.start!) > Date.parse('2026-03-02T01:45:00Z'));

    // 3. the history: what ran, in order, with levels and times inside the schedule
    const scheduled = byId.filter((r) => r.id !== consoleRun.id);
    const brief = scheduled.map((r) => `${r.job} ${r.level} ${r.status} ${r.reschedules}`);
    assert.deepEqual(brief, [
      'alpha-backup Full ok 0',
      'beta-backup Full error 0',
      'beta-backup Full ok 1',
      'alpha-backup Incremental ok 0',
      'beta-backup Incremental ok 0',
    ], log);
    for (const r of scheduled) {
      assert.ok(r.files >= 4 || r.status !== 'ok' || r.level !== 'Full', `a Full saves the tree (${r.job}: ${r.files} files)`);
      if (r.status === 'ok') assert.deepEqual(r.cartridges, [1]);
    }
    const [aFull, bFail, bRetry, aIncr, bIncr] = scheduled;
    assert.equal(aFull!.scheduled, '2026-03-02T01:00:00+00:00');
    assert.equal(bFail!.scheduled, '2026-03-02T01:00:00+00:00');
    assert.match(bFail!.error!, /exit status 3/);
    assert.ok((await history.readLog(bFail!.id)).some((l) => /first run fails/.test(l)));
    const gap = Date.parse(bRetry!.start!) - Date.parse(bFail!.end!);
    assert.ok(gap >= 5 * 60_000 && gap < 9 * 60_000, `the retry started ${gap / 60_000} min after the failure (Reschedule Interval 5 min, Tick Interval 1 min)`);
    assert.equal(bRetry!.scheduled, new Date(Date.parse(bFail!.end!) + 5 * 60_000).toISOString().replace(/\.\d+Z$/, '+00:00'));
    for (const r of [aIncr!, bIncr!]) assert.equal(r.scheduled, '2026-03-02T01:45:00+00:00');
    for (const r of scheduled) {
      assert.ok(Date.parse(r.start!) >= Date.parse(r.scheduled!), `${r.job} ${r.id} does not start before it is due`);
      assert.ok(Date.parse(r.end!) >= Date.parse(r.start!));
    }
    // the clients' own var directories: one Full each, and each client's index
    for (const c of [alpha, beta]) assert.equal(fs.readFileSync(path.join(c.dir, 'client-var', 'num'), 'latin1'), '1\n');

    // the console's views, asked at once (they only read; the one run request comes last)
    // The unread messages first and alone: `messages all` by the same console moves its read position too.
    const msgsR = await con(['--json', 'messages']);
    const [ljR, ssR, plainR, ownR, ownSchedR, otherR, betaLogR, runOtherR, ownMsgsR] = await Promise.all([
      con(['--json', 'list', 'jobs']),
      con(['--json', 'status', 'scheduler', 'days=1'], undefined, { AF_CONSOLE_NOW: START }),
      con(['messages', 'all']),
      con(['--json', 'list', 'jobs'], 'alpha-owner'),
      con(['--json', 'status', 'scheduler'], 'alpha-owner', { AF_CONSOLE_NOW: START }),
      con(['--json', 'list', 'jobs', 'client=beta'], 'alpha-owner'),
      con(['list', 'joblog', `jobid=${bFail!.id}`], 'alpha-owner'),
      con(['--json', 'run', 'job=beta-backup', 'yes'], 'alpha-owner'),
      con(['--json', 'messages', 'all'], 'alpha-owner'),
    ]);

    // 4. list jobs --json agrees with the history
    const lj = json(ljR!);
    const jobs = (lj.result as { jobs: { id: number; job: string; client: string; level: string; status: string; start: string | null; scheduled: string | null }[] }).jobs;
    assert.deepEqual(
      [...jobs].sort((a, b) => a.id - b.id).map((j) => [j.id, j.job, j.client, j.level, j.status, j.start, j.scheduled]),
      byId.map((r) => [r.id, r.job, r.client, r.level, r.status, r.start ?? null, r.scheduled ?? null]),
    );

    // 5. status scheduler from the clock's start foretells exactly the schedule's runs that ran (first attempts)
    const ss = json(ssR!);
    const upcoming = (ss.result as { runs: { time: string; job: string; client: string; level: string }[] }).runs
      .filter((r) => Date.parse(r.time) <= Date.parse('2026-03-02T01:45:00Z'));
    assert.deepEqual(
      upcoming.map((r) => `${r.time} ${r.job} ${r.client} ${r.level}`),
      scheduled.filter((r) => r.reschedules === 0).map((r) => `${r.scheduled} ${r.job} ${r.client} ${r.level}`),
    );

    // 6. the daemon's events in `afconsole messages`
    const msgs = json(msgsR!);
    const texts = (msgs.result as { messages: { type: string; jobid: number | null; job: string | null; text: string }[] }).messages;
    const has = (type: string, re: RegExp, job?: string): boolean => texts.some((m) => m.type === type && re.test(m.text) && (job === undefined || m.job === job));
    assert.ok(has('info', /director "e2e" started/), JSON.stringify(texts, null, 1));
    assert.ok(has('info', new RegExp(`job ${aFull!.id} \\(alpha-backup\\) started`), 'alpha-backup'));
    assert.ok(has('terminate', new RegExp(`job ${aFull!.id} \\(alpha-backup\\) ended: ok`), 'alpha-backup'));
    assert.ok(has('error', new RegExp(`job ${bFail!.id} \\(beta-backup\\) ended: error`), 'beta-backup'));
    assert.ok(has('info', /rescheduled for .*attempt 1 of 2/, 'beta-backup'));
    assert.ok(has('info', /run asked for by console "\*default\*"/, 'alpha-backup'));
    assert.ok(has('info', /director "e2e" stopped/));
    const plain = plainR!;
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /beta-backup/);

    // 7. the console restricted to alpha
    const own = json(ownR!);
    const ownJobs = (own.result as { jobs: { client: string }[] }).jobs;
    assert.equal(ownJobs.length, byId.filter((r) => r.client === 'alpha').length);
    assert.ok(ownJobs.every((j) => j.client === 'alpha'));
    const ownSched = json(ownSchedR!);
    assert.ok((ownSched.result as { runs: { client: string }[] }).runs.every((r) => r.client === 'alpha'));
    const other = otherR!;
    assert.equal(other.code, 40, other.stdout + other.stderr);
    assert.doesNotMatch(other.stdout, /beta-backup/);
    const betaLog = betaLogR!;
    assert.notEqual(betaLog.code, 0);
    assert.doesNotMatch(betaLog.stdout, /first run fails/);
    const runOther = runOtherR!;
    assert.equal(runOther.code, 40, runOther.stdout + runOther.stderr);
    const spool = path.join(dvar, 'requests');
    assert.deepEqual(fs.existsSync(spool) ? fs.readdirSync(spool) : [], [], 'the refused run left no request');
    const ownMsgs = json(ownMsgsR!);
    assert.ok((ownMsgs.result as { messages: { client: string | null }[] }).messages.every((m) => m.client !== 'beta'));
    const runOwn = json(await con(['--json', 'run', 'job=alpha-backup', 'yes'], 'alpha-owner'));
    assert.equal((runOwn.result as { submitted: boolean }).submitted, true, 'the restricted console may run its own job');
  } catch (e) {
    const tail = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, 'latin1').split('\n').slice(-15).join('\n') : '(none)');
    const running = (await list().catch(() => [])).filter((r) => r.status === 'running');
    const logs = await Promise.all(running.map(async (r) => `job ${r.id}:\n${(await history.readLog(r.id).catch(() => [])).join('\n')}`));
    (e as Error).message += `\n--- director log ---\n${log}\n--- running jobs ---\n${logs.join('\n')}` +
      `\n--- tape server log ---\n${tail(tape.log)}\n--- alpha client log ---\n${tail(path.join(alpha.dir, 'client.log'))}` +
      `\n--- beta client log ---\n${tail(path.join(beta.dir, 'client.log'))}`;
    throw e;
  } finally {
    if (d.exitCode === null) d.kill('SIGKILL');
    for (const s of servers) await s.close();
    if (!process.env.AF_E2E_KEEP) for (const s of [tape, alpha, beta]) s.cleanup();
  }
});

test('afdirector --once takes the console\'s run request and acts on its cancel while it waits', { timeout: 60_000, skip: missing !== undefined && `${missing} is not built` }, async () => {
  const tape = makeServerDir();
  try {
    const dvar = path.join(tape.dir, 'director');
    const marker = path.join(tape.dir, 'started');
    const prog = path.join(tape.dir, 'slow_backup');
    fs.writeFileSync(prog, `#!/bin/sh\n: > "${marker}"\nsleep 30\n`, { mode: 0o755 });
    const conf = path.join(tape.dir, 'afdirector.conf');
    fs.writeFileSync(conf, `
Director { Name = once; Var Directory = "${dvar}"; Time Zone = UTC }
Client { Name = local; Address = 127.0.0.1; Local Backup = yes; Full Backup Command = "${prog}"; Incremental Backup Command = "${prog}" }
Job { Name = local-backup; Client = local; Level = Full }
`);
    const con = (args: string[]): Promise<Ran> => run([AFCONSOLE, '-c', conf, '--json', ...args]);
    assert.equal((await con(['run', 'job=local-backup', 'yes'])).code, 0);
    const once = run([AFDIRECTOR, '-c', conf, '--once']);
    const history = new JobHistory(dvar);
    await waitFor('the job to start', async () => fs.existsSync(marker) && (await history.list()).records.some((r) => r.status === 'running'));
    const id = (await history.list()).records[0]!.id;
    const c = await con(['cancel', `jobid=${id}`]);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    const r = await once;
    assert.equal(r.code, 0, r.stderr);
    const rec = await history.get(id);
    assert.equal(rec!.status, 'canceled', r.stderr);
    assert.match(rec!.error!, /canceled by console "\*default\*"/);
    const msgs = JSON.parse((await con(['messages'])).stdout) as { messages: { type: string; text: string }[] };
    assert.ok(msgs.messages.some((m) => /canceled by console/.test(m.text)), JSON.stringify(msgs));
    assert.ok(msgs.messages.some((m) => m.type === 'warning' && new RegExp(`job ${id} \\(local-backup\\) ended: canceled`).test(m.text)));
  } finally {
    tape.cleanup();
  }
});
