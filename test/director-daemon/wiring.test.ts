/**
 * The seams between afdirector and afconsole, without processes: the daemon's events
 * land in the console's message file in its format; a director waiting in --once takes
 * only cancel requests from the spool; the console's `status scheduler` foretells the
 * level and cartridge set the daemon's folding picks when Run lines fall together; and
 * both halves find afclient by one rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventSink } from '../../src/director/daemon/events.js';
import { messagesPath, readNewMessages } from '../../src/director/console/messages-file.js';
import { submitRequest, takeRequests, spoolDir } from '../../src/director/spool/requests.js';
import { scheduledRun } from '../../src/director/daemon/due-runs.js';
import { upcomingRuns } from '../../src/director/console/upcoming.js';
import { ConsoleAccess } from '../../src/director/console/acl.js';
import { programCommand } from '../../src/director/runner/afclient-command.js';
import { runCaptured } from '../../src/director/console/programs.js';
import { config, tempVar } from './helpers.js';

test('events go to the log and, in order, to <var>/messages in the console\'s format', async () => {
  const varDir = tempVar();
  const logged: string[] = [];
  const ev = eventSink({ varDirectory: varDir, timeZone: 'Europe/Berlin', now: () => new Date('2026-03-01T22:05:02Z'), log: (l) => logged.push(l) });
  ev('info', 'director "d" started');
  ev('error', 'job 7 (web) ended: error (exit status 3)\nsecond line', { jobid: 7, job: 'web', client: 'www' });
  await ev.flush();
  assert.deepEqual(logged, ['director "d" started', 'job 7 (web) ended: error (exit status 3)\nsecond line']);
  const raw = fs.readFileSync(messagesPath(varDir), 'utf8');
  assert.equal(raw, '2026-03-01T23:05:02+01:00\tinfo\t-\t-\t-\tdirector "d" started\n'
    + '2026-03-01T23:05:02+01:00\terror\t7\tweb\twww\tjob 7 (web) ended: error (exit status 3)\\nsecond line\n');
  const read = await readNewMessages(varDir, 'c', { markRead: false });
  assert.deepEqual(read.map((m) => [m.type, m.jobid, m.job, m.client]), [['info', null, null, null], ['error', 7, 'web', 'www']]);
  assert.equal(read[1]!.text, 'job 7 (web) ended: error (exit status 3)\nsecond line');
});

test('a message file that cannot be written costs one log line, not the director', async () => {
  const varDir = tempVar();
  fs.mkdirSync(messagesPath(varDir)); // a directory where the file should be
  const logged: string[] = [];
  const ev = eventSink({ varDirectory: varDir, now: () => new Date(), log: (l) => logged.push(l) });
  ev('info', 'one');
  ev('info', 'two');
  await ev.flush();
  assert.equal(logged.filter((l) => /cannot write the message file/.test(l)).length, 1, logged.join('\n'));
});

test('takeRequests with kinds takes the cancels and leaves runs and bad files for the tick', async () => {
  const varDir = tempVar();
  await submitRequest(varDir, { kind: 'run', job: 'a', console: 'c', submitted: '2026-03-01T00:00:00Z' });
  await submitRequest(varDir, { kind: 'cancel', jobid: 4, console: 'c', submitted: '2026-03-01T00:00:00Z' });
  fs.writeFileSync(path.join(spoolDir(varDir), '1-1-1.req'), 'kind: explode\n');
  const cancels = await takeRequests(varDir, { kinds: ['cancel'] });
  assert.deepEqual(cancels.taken.map((t) => t.request.kind), ['cancel']);
  assert.equal(cancels.problems.length, 0);
  const rest = await takeRequests(varDir);
  assert.deepEqual(rest.taken.map((t) => t.request.kind), ['run']);
  assert.equal(rest.problems.length, 1, 'the bad file is reported by the full take');
});

test('status scheduler and the daemon pick the same level and set when Run lines fall together', () => {
  const cfg = config(`
Client { Name = c; Address = h }
Schedule { Name = s; Run = Incremental daily at 01:00; Run = Level=Full CartridgeSet=3 1st sun at 01:00; Run = Incremental daily at 13:00 }
Job { Name = j; Client = c; Schedule = s; Incremental Cartridge Set = 2 }
`);
  const job = cfg.jobs.get('j')!;
  const schedule = cfg.schedules.get('s')!;
  const from = new Date('2026-02-28T00:00:00Z');
  const until = new Date('2026-03-03T00:00:00Z');
  const foretold = upcomingRuns(cfg, new ConsoleAccess('*default*', undefined), { from, until, timeZone: 'UTC' });
  assert.deepEqual(foretold.map((r) => `${r.at.toISOString()} ${r.level} ${r.cartridgeSet}`), [
    '2026-02-28T01:00:00.000Z Incremental 2',
    '2026-02-28T13:00:00.000Z Incremental 2',
    '2026-03-01T01:00:00.000Z Full 3', // Sunday 1 March: the Full line wins although it comes second
    '2026-03-01T13:00:00.000Z Incremental 2',
    '2026-03-02T01:00:00.000Z Incremental 2',
    '2026-03-02T13:00:00.000Z Incremental 2',
  ]);
  for (const r of foretold) {
    // a daemon ticking one minute after each instant starts the same level and set
    const due = scheduledRun(job, schedule, { considered: new Date(r.at.getTime() - 60_000), now: new Date(r.at.getTime() + 60_000), graceMs: Infinity, timeZone: 'UTC', catchUp: 'latest' })!;
    assert.equal(due.level, r.level);
    assert.equal(due.cartridgeSet ?? 2, r.cartridgeSet, `${r.at.toISOString()}: the daemon's set (Run line's, else the job's for the level)`);
    assert.equal(due.scheduled.getTime(), r.at.getTime());
  }
});

test('afclient is found by one rule for director and console: AF_AFCLIENT split like a shell, else next to the script', async () => {
  assert.deepEqual(programCommand('afclient', { AF_AFCLIENT: `node "/opt/af ng/afclient.js"` }), ['node', '/opt/af ng/afclient.js']);
  assert.deepEqual(programCommand('afrestore', { AF_AFRESTORE: '/usr/bin/afrestore -v' }), ['/usr/bin/afrestore', '-v']);
  const dir = tempVar();
  fs.writeFileSync(path.join(dir, 'afclient.js'), '');
  assert.deepEqual(programCommand('afclient', {}, dir), [process.execPath, path.join(dir, 'afclient.js')]);
  assert.deepEqual(programCommand('afrestore', {}, dir), ['afrestore'], 'not next to the script: the name on PATH');
});

test('the console runs programs through the director\'s child runner: Latin-1 output, exit statuses, start errors', async () => {
  const r = await runCaptured(['/bin/sh', '-c', "printf 'caf\\351\\n'; echo err >&2; exit 4"]);
  assert.equal(r.exit, 4);
  assert.equal(r.stdout, 'caf\u00e9\n');
  assert.equal(r.stderr, 'err\n');
  const gone = await runCaptured(['/nonexistent/afclient']);
  assert.equal(gone.exit, 127);
  assert.match(gone.startError!, /cannot start "\/nonexistent\/afclient"/);
  const killed = await runCaptured(['/bin/sh', '-c', 'sleep 20'], 200);
  assert.equal(killed.exit, 128 + 15);
});

test('the scheduler reports job events with their job id, job and client, and a type per outcome', async () => {
  const { JobHistory } = await import('../../src/director/history/store.js');
  const { Scheduler } = await import('../../src/director/daemon/scheduler.js');
  const { loadState, saveState } = await import('../../src/director/daemon/schedule-state.js');
  const { ManualClock, FakeRunner } = await import('./helpers.js');
  const cfg = config(`
Client { Name = c; Address = h }
Schedule { Name = s; Run = Full daily at 01:00 }
Job { Name = j; Client = c; Schedule = s; Reschedule On Error = yes; Reschedule Interval = 10 min; Reschedule Times = 1 }
`);
  const varDir = cfg.director.varDirectory;
  const clock = new ManualClock(new Date('2026-03-02T01:00:30Z'));
  const history = new JobHistory(varDir);
  const runner = new FakeRunner(history, clock, () => 'error');
  const events: string[] = [];
  const s = new Scheduler({
    config: cfg, clock, runner, history, probeClient: async () => true,
    takeRequests: () => takeRequests(varDir), loadState: () => loadState(varDir), saveState: (x) => saveState(varDir, x),
    log: () => undefined,
    event: (type, text, job) => events.push(`${type} ${job ? `${job.jobid ?? '-'}/${job.job}/${job.client}` : '-'} ${text}`),
  });
  await s.open();
  await s.tick();
  await s.settle();
  clock.advance(11 * 60);
  await s.tick();
  await s.settle();
  assert.deepEqual(events.map((e) => e.replace(/ \d{4}-\S+/g, ' T')), [
    'info 1/j/c job 1 (j) started on client c, level Full, schedule run due T',
    'error 1/j/c job 1 (j) ended: error (fake failure)',
    'info 1/j/c job 1 (j) rescheduled for T (attempt 1 of 1, Reschedule Interval 600 s)',
    'info 2/j/c job 2 (j) started on client c, level Full, reschedule 1 of 1, retry run due T',
    'error 2/j/c job 2 (j) ended: error (fake failure)',
    'error 2/j/c job 2 (j) failed after 1 reschedule(s); not rescheduled again (Reschedule Times = 1)',
  ]);
});
