/**
 * Every console command in text and in JSON against a director var directory made
 * here: job records through JobHistory, a director.status, the request spool that
 * run and cancel write into, the message file, afclient and afrestore replaced by
 * fakes that record how they were called.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeDirectorStatus } from '../../src/director/spool/director-status.js';
import { takeRequests } from '../../src/director/spool/requests.js';
import { appendMessage } from '../../src/director/console/messages-file.js';
import { SCHEMA_VERSION } from '../../src/director/console/schema.js';
import { fakeWorld, makeCtx, makeDirectorDir, run, type DirectorDir } from './helpers.js';
import { writeHistory } from './fixture-history.js';
import type { JobHistory } from '../../src/director/history/store.js';

let d: DirectorDir;
let history: JobHistory;

before(async () => {
  d = await makeDirectorDir();
  history = await writeHistory(d.varDir);
});
after(() => d.cleanup());

function body(o: { document: Record<string, unknown> }): Record<string, any> {
  assert.equal(o.document.schema, SCHEMA_VERSION);
  return o.document as Record<string, any>;
}

describe('status director', () => {
  test('a live director: pid alive, last tick, running jobs (text and JSON)', async () => {
    await writeDirectorStatus(d.varDir, { pid: process.pid, mode: 'foreground', started: '2026-03-26T10:00:00+01:00', lastTick: '2026-03-26T12:59:00+01:00', version: '0.9.0' });
    const o = await run(makeCtx(d), 'status director');
    assert.equal(o.status, 0);
    assert.match(o.text, /Director "test-dir"/);
    assert.match(o.text, new RegExp(`Daemon: pid ${process.pid} running`));
    assert.match(o.text, /last tick: 2026-03-26T12:59:00\+01:00/);
    assert.match(o.text, /^4 +laptop-backup +laptop +Full +running/m);
    const j = body(await run(makeCtx(d, { json: true }), 'status director'));
    assert.equal(j.command, 'status director');
    assert.equal(j.ok, true);
    assert.equal(j.daemon.alive, true);
    assert.equal(j.daemon.lastTick, '2026-03-26T12:59:00+01:00');
    assert.deepEqual(j.running.map((r: any) => r.id), [4, 5]);
    assert.equal(j.director.timeZone, 'Europe/Berlin');
    assert.equal(j.director.varDirectory, d.varDir);
  });

  test('a dead pid is shown as not running; no status file at all is said so', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeDirectorStatus(d.varDir, { pid: Number(gone.stdout), mode: 'once', started: '2026-03-26T10:00:00+01:00', version: '0.9.0' });
    const o = await run(makeCtx(d), 'status director');
    assert.match(o.text, /NOT running/);
    assert.match(o.text, /last tick: none yet/);
    assert.equal(body(await run(makeCtx(d), 'status director')).daemon.alive, false);
    fs.rmSync(path.join(d.varDir, 'director.status'));
    const none = await run(makeCtx(d), 'status director');
    assert.match(none.text, /no director\.status/);
    assert.equal(body(none).daemon, null);
  });
});

describe('list jobs and list joblog', () => {
  test('all jobs, text table and JSON records', async () => {
    const o = await run(makeCtx(d), 'list jobs');
    assert.match(o.text, /^JobId +Job +Client +Level +Status/);
    assert.equal(o.text.trim().split('\n').length, 6);
    const j = body(await run(makeCtx(d), 'list jobs'));
    assert.deepEqual(j.jobs.map((r: any) => r.id), [1, 2, 3, 4, 5]);
    assert.deepEqual(j.jobs[0], {
      id: 1, job: 'fileserver-backup', client: 'fileserver', level: 'Full', status: 'ok',
      scheduled: '2026-03-01T23:05:00+01:00', start: '2026-03-01T23:05:02+01:00', end: '2026-03-01T23:41:10+01:00',
      files: 1234, bytes: 987654321, cartridges: [1, 2], tapeFiles: ['1.4', '2.1'], reschedules: 0, error: null,
    });
    assert.equal(j.jobs[1].error, 'the client did not answer');
  });

  test('filters: client=, job=, status=, last, limit=', async () => {
    const ids = async (line: string) => body(await run(makeCtx(d), line)).jobs.map((r: any) => r.id);
    assert.deepEqual(await ids('list jobs client=fileserver'), [1, 3, 5]);
    assert.deepEqual(await ids('list jobs job=laptop-backup'), [2, 4]);
    assert.deepEqual(await ids('list jobs status=running'), [4, 5]);
    assert.deepEqual(await ids('list jobs last'), [4, 5]);
    assert.deepEqual(await ids('list jobs client=fileserver last'), [5]);
    assert.deepEqual(await ids('list jobs limit=2'), [4, 5]);
    const bad = await run(makeCtx(d), 'list jobs status=done');
    assert.equal(bad.status, 2);
    assert.match(bad.error!, /status=done/);
  });

  test('list joblog: the record and its log lines; unknown id is status 41', async () => {
    const o = await run(makeCtx(d), 'list joblog jobid=1');
    assert.match(o.text, /started Full of fileserver\nsaved 1234 files\n$/);
    const j = body(await run(makeCtx(d), 'list joblog jobid=2'));
    assert.equal(j.job.id, 2);
    assert.deepEqual(j.log, ['laptop.invalid: cannot connect']);
    const missing = await run(makeCtx(d), 'list joblog jobid=99');
    assert.equal(missing.status, 41);
    assert.match(missing.error!, /jobid=99/);
    assert.equal(body(missing).error.code, 'NOT_FOUND');
    const noid = await run(makeCtx(d), 'list joblog');
    assert.equal(noid.status, 2);
    assert.match(noid.error!, /needs jobid=/);
  });
});

describe('run and cancel write requests into the spool', () => {
  test('run job=... level=... yes: one run request the director can take', async () => {
    const o = await run(makeCtx(d), 'run job=fileserver-backup level=full yes');
    assert.equal(o.status, 0);
    assert.match(o.text, /Submitted as request/);
    const { taken, problems } = await takeRequests(d.varDir);
    assert.deepEqual(problems, []);
    assert.equal(taken.length, 1);
    assert.equal(taken[0]!.request.kind, 'run');
    assert.deepEqual({ ...taken[0]!.request, submitted: undefined }, { kind: 'run', job: 'fileserver-backup', level: 'Full', console: '*default*', submitted: undefined });
    assert.equal(taken[0]!.request.submitted, '2026-03-26T13:00:00+01:00');
    const j = body(await run(makeCtx(d, { json: true }), 'run job=laptop-backup yes'));
    assert.equal(j.submitted, true);
    assert.equal(j.level, 'Incremental');
    assert.equal(j.levelGiven, false);
    assert.equal((await takeRequests(d.varDir)).taken[0]!.id, j.request);
  });

  test('run without yes: refused with status 1 when nobody can be asked; asked and submitted when confirmed', async () => {
    const o = await run(makeCtx(d), 'run job=fileserver-backup');
    assert.equal(o.status, 1);
    assert.equal(body(o).ok, false);
    assert.equal(body(o).submitted, false);
    assert.match(o.text, /add "yes"/);
    assert.equal((await takeRequests(d.varDir)).taken.length, 0);
    let asked = '';
    const world = fakeWorld('2026-03-26T12:00:00Z', { confirm: async (q) => ((asked = q), true) });
    const yes = await run(makeCtx(d, { world }), 'run job=fileserver-backup');
    assert.equal(yes.status, 0);
    assert.match(asked, /Run job "fileserver-backup" on client "fileserver"/);
    assert.equal((await takeRequests(d.varDir)).taken.length, 1);
    const no = await run(makeCtx(d, { world: fakeWorld('2026-03-26T12:00:00Z', { confirm: async () => false }) }), 'run job=fileserver-backup');
    assert.equal(no.status, 1);
    assert.equal((await takeRequests(d.varDir)).taken.length, 0);
  });

  test('run: unknown job is 41, bad level is 2, both naming the word', async () => {
    const o = await run(makeCtx(d), 'run job=nosuch yes');
    assert.equal(o.status, 41);
    assert.match(o.error!, /job=nosuch/);
    const l = await run(makeCtx(d), 'run job=laptop-backup level=weekly yes');
    assert.equal(l.status, 2);
    assert.match(l.error!, /level=weekly/);
  });

  test('cancel jobid=N of a running job: a cancel request; of an ended job: 41', async () => {
    const o = await run(makeCtx(d, { json: true }), 'cancel jobid=5');
    assert.equal(o.status, 0);
    const { taken } = await takeRequests(d.varDir);
    assert.deepEqual(taken.map((t) => t.request), [{ kind: 'cancel', jobid: 5, console: '*default*', submitted: '2026-03-26T13:00:00+01:00' }]);
    assert.equal(body(o).request, taken[0]!.id);
    const ended = await run(makeCtx(d), 'cancel jobid=1');
    assert.equal(ended.status, 41);
    assert.match(ended.error!, /not running \(its status is ok\)/);
  });
});

describe('wait', () => {
  test('waits until the job ends (history polled), 0 when ok', async () => {
    let sleeps = 0;
    const world = fakeWorld('2026-03-26T12:00:00Z', {
      sleep: async () => {
        sleeps++;
        if (sleeps === 2) await history.update(4, { status: 'ok', end: '2026-03-26T03:00:00+01:00' });
      },
    });
    const o = await run(makeCtx(d, { world }), 'wait jobid=4');
    assert.equal(o.status, 0);
    assert.equal(sleeps, 2);
    assert.equal(body(o).jobs[0].status, 'ok');
    assert.equal(body(o).timedOut, false);
  });

  test('wait without jobid waits for every running job; an error ends it with 42', async () => {
    await history.update(4, { status: 'running' });
    const world = fakeWorld('2026-03-26T12:00:00Z', {
      sleep: async () => {
        await history.update(4, { status: 'ok' });
        await history.update(5, { status: 'error', error: 'tape full' });
      },
    });
    const o = await run(makeCtx(d, { world }), 'wait');
    assert.equal(o.status, 42);
    assert.deepEqual(body(o).failed, [5]);
    assert.match(o.text, /Not ended well: job\(s\) 5 \(error\)/);
    await history.update(5, { status: 'running', error: undefined });
  });

  test('timeout=0 gives up at once with 43 and lists what still runs', async () => {
    const o = await run(makeCtx(d), 'wait jobid=5 timeout=0');
    assert.equal(o.status, 43);
    assert.equal(body(o).timedOut, true);
    assert.match(o.text, /still running: 5/);
  });
});

describe('status client, list volumes (afclient), messages, estimate, restore, help', () => {
  test('status client=NAME runs afclient -w -v -h -p -k and shows its answer', async () => {
    const world = fakeWorld('2026-03-26T12:00:00Z');
    const o = await run(makeCtx(d, { world }), 'status client=fileserver');
    assert.equal(o.status, 0);
    const c = d.config.clients.get('fileserver')!;
    assert.deepEqual(world.afclientCalls, [['-w', '-v', '-h', c.address, '-p', String(c.port), '-k', c.keyFile!]]);
    assert.match(o.text, /streamer state: READY/);
    const j = body(await run(makeCtx(d, { world }), 'status client=fileserver'));
    assert.equal(j.reachable, true);
    assert.equal(j.streamerState, 'READY');
    assert.equal(j.preciousTapes, '1-2');
    const down = fakeWorld('2026-03-26T12:00:00Z', { afclient: async () => ({ exit: 52, stdout: '', stderr: 'afclient: Cannot connect to the server: laptop.invalid\n' }) });
    const u = await run(makeCtx(d, { world: down }), 'status client=laptop');
    assert.equal(u.status, 52);
    assert.equal(body(u).reachable, false);
    assert.match(u.text, /not reachable \(afclient exit 52\)/);
    assert.equal((await run(makeCtx(d), 'status client=nosuch')).status, 41);
  });

  test('list volumes without a readable Server Config: the server asked over the network, said so', async () => {
    const world = fakeWorld('2026-03-26T12:00:00Z');
    const noConf: DirectorDir = { ...d, config: { ...d.config, tapeServers: new Map([['tapehost', { ...d.config.tapeServers.get('tapehost')!, serverConfig: undefined }]]) } };
    const o = await run(makeCtx(noConf, { world }), 'list volumes');
    assert.equal(o.status, 0);
    assert.equal(world.afclientCalls[0]![0], '-w');
    assert.match(o.text, /Server Config =/);
    const j = body(await run(makeCtx(noConf, { world }), 'list volumes'));
    assert.equal(j.servers[0].source, 'remote');
    assert.equal(j.servers[0].streamerState, 'READY');
    const broken = await run(makeCtx(d), 'list volumes');
    assert.equal(broken.status, 1);
    assert.match(body(broken).servers[0].error, /no-afserver\.conf/);
  });

  test('messages: unread lines once, then marked read per console; "all" shows everything', async () => {
    await appendMessage(d.varDir, { time: '2026-03-26T12:01:00+01:00', type: 'info', jobid: null, job: null, client: null, text: 'director started' });
    await appendMessage(d.varDir, { time: '2026-03-26T12:02:00+01:00', type: 'error', jobid: 2, job: 'laptop-backup', client: 'laptop', text: 'cannot connect\tto laptop' });
    const o = await run(makeCtx(d), 'messages');
    assert.equal(o.text, '2026-03-26T12:01:00+01:00 info: director started\n2026-03-26T12:02:00+01:00 error job 2 laptop-backup (laptop): cannot connect\tto laptop\n');
    assert.equal((await run(makeCtx(d), 'messages')).text, 'You have no messages.\n');
    await appendMessage(d.varDir, { time: '2026-03-26T12:03:00+01:00', type: 'warning', jobid: 5, job: 'fileserver-backup', client: 'fileserver', text: 'slow' });
    const j = body(await run(makeCtx(d, { json: true }), 'messages'));
    assert.deepEqual(j.messages, [{ time: '2026-03-26T12:03:00+01:00', type: 'warning', jobid: 5, job: 'fileserver-backup', client: 'fileserver', text: 'slow' }]);
    assert.equal(body(await run(makeCtx(d), 'messages all')).messages.length, 3);
    // Another console has its own read position.
    assert.equal(body(await run(makeCtx(d, { console: 'auditor' }), 'messages')).messages.length, 3);
  });

  test('estimate of a remote client whose program gives no estimate: said plainly (status 78)', async () => {
    const o = await run(makeCtx(d), 'estimate job=fileserver-backup listing');
    assert.equal(o.status, 78);
    assert.match(o.text, /gave no estimate/);
    const j = body(await run(makeCtx(d), 'estimate job=fileserver-backup'));
    assert.equal(j.supported, false);
    assert.equal(j.ok, false);
    assert.equal((await run(makeCtx(d), 'estimate job=nosuch')).status, 41);
  });

  test('restore hands over to afrestore with -W CLIENT and the arguments', async () => {
    const world = fakeWorld('2026-03-26T12:00:00Z');
    const o = await run(makeCtx(d, { world }), 'restore client=fileserver -l "/home/a b"');
    assert.equal(o.status, 0);
    assert.deepEqual(world.afrestoreCalls, [{ args: ['-W', 'fileserver', '-l', '/home/a b'], capture: false }]);
    const j = body(await run(makeCtx(d, { world, json: true }), 'restore -n pattern'));
    assert.deepEqual(j.argv, ['-n', 'pattern']);
    assert.equal(j.stdout, 'restored\n');
    assert.equal(world.afrestoreCalls[1]!.capture, true);
    const failing = fakeWorld('2026-03-26T12:00:00Z', { afrestore: async () => ({ exit: 5, stdout: '', stderr: '' }) });
    assert.equal((await run(makeCtx(d, { world: failing }), 'restore client=laptop x')).status, 5);
  });

  test('help lists the commands; unknown commands and arguments name the word', async () => {
    const o = await run(makeCtx(d), 'help');
    for (const c of ['status director', 'status scheduler', 'list jobs', 'list volumes', 'run', 'wait', 'cancel', 'messages', 'estimate', 'restore']) {
      assert.match(o.text, new RegExp(`^${c} `, 'm'));
    }
    assert.equal(body(await run(makeCtx(d), 'help')).commands.every((c: any) => c.allowed), true);
    const u = await run(makeCtx(d), 'lsit jobs');
    assert.equal(u.status, 2);
    assert.match(u.error!, /unknown command "lsit"/);
    assert.equal(body(u).command, null);
    const a = await run(makeCtx(d), 'list jobs clinet=laptop');
    assert.match(a.error!, /unknown argument "clinet=laptop" for "list jobs"/);
    const s = await run(makeCtx(d), 'status');
    assert.match(s.error!, /"status" needs one of: director, scheduler, client=NAME/);
    const s2 = await run(makeCtx(d), 'status dirctor');
    assert.match(s2.error!, /unknown status "dirctor"/);
    assert.equal((await run(makeCtx(d), 'quit')).quit, true);
  });
});
