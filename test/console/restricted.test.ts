/**
 * A restricted console (laptop-owner: Client ACL laptop, Job ACL laptop-backup, no
 * cancel) cannot see or steer the other client's jobs, and can do everything with
 * its own; a console without `run` in its Command ACL is refused with status 40.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { takeRequests } from '../../src/director/spool/requests.js';
import { appendMessage } from '../../src/director/console/messages-file.js';
import { fakeWorld, makeCtx, makeDirectorDir, run, type DirectorDir } from './helpers.js';
import { writeHistory } from './fixture-history.js';

let d: DirectorDir;
before(async () => {
  d = await makeDirectorDir();
  await writeHistory(d.varDir);
});
after(() => d.cleanup());

const owner = () => makeCtx(d, { console: 'laptop-owner' });

test('list jobs shows only the laptop\'s jobs, in text and JSON', async () => {
  const o = await run(owner(), 'list jobs');
  assert.doesNotMatch(o.text, /fileserver/);
  assert.match(o.text, /laptop-backup/);
  const doc = o.document as any;
  assert.equal(doc.console, 'laptop-owner');
  assert.deepEqual(doc.jobs.map((r: any) => r.id), [2, 4]);
});

test('naming the other client or its job is refused with 40, naming the word', async () => {
  for (const line of ['list jobs client=fileserver', 'list jobs job=fileserver-backup', 'list joblog jobid=1', 'run job=fileserver-backup yes', 'status client=fileserver', 'wait jobid=5', 'restore client=fileserver x', 'estimate job=fileserver-backup']) {
    const o = await run(owner(), line);
    assert.equal(o.status, 40, line);
    assert.equal((o.document as any).error.code, 'CONSOLE_DENIED', line);
    assert.match(o.error!, /fileserver|jobid=1|jobid=5/, line);
    assert.match(o.error!, /console "laptop-owner"/, line);
  }
  assert.equal((await takeRequests(d.varDir)).taken.length, 0, 'nothing reached the spool');
});

test('commands outside the Command ACL are refused with 40; help shows only the allowed ones', async () => {
  const c = await run(owner(), 'cancel jobid=4');
  assert.equal(c.status, 40);
  assert.match(c.error!, /the command "cancel" is not allowed/);
  const help = await run(owner(), 'help');
  assert.doesNotMatch(help.text, /^cancel /m);
  assert.match(help.text, /^run /m);
  const auditor = await run(makeCtx(d, { console: 'auditor' }), 'run job=laptop-backup yes');
  assert.equal(auditor.status, 40);
  assert.match(auditor.error!, /"run"/);
});

test('status director and status scheduler show only what the console may see', async () => {
  const sd = (await run(owner(), 'status director')).document as any;
  assert.deepEqual(sd.running.map((r: any) => r.id), [4]);
  assert.equal(sd.director.jobs, 1);
  assert.equal(sd.director.clients, 1);
  const ss = (await run(owner(), 'status scheduler days=3')).document as any;
  assert.ok(ss.runs.length >= 3);
  assert.ok(ss.runs.every((r: any) => r.job === 'laptop-backup' && r.client === 'laptop'));
});

test('positive: the owner runs, waits for and restores its own client', async () => {
  const r = await run(owner(), 'run job=laptop-backup level=Full yes');
  assert.equal(r.status, 0);
  const { taken } = await takeRequests(d.varDir);
  assert.deepEqual(taken.map((t) => [t.request.kind, (t.request as any).job, (t.request as any).level, t.request.console]), [['run', 'laptop-backup', 'Full', 'laptop-owner']]);
  const w = await run(owner(), 'wait jobid=2');
  assert.equal(w.status, 42, 'job 2 ended in error');
  const world = fakeWorld('2026-03-26T12:00:00Z');
  const rs = await run(makeCtx(d, { console: 'laptop-owner', world }), 'restore -l -A 2026-03-01 /home');
  assert.equal(rs.status, 0);
  assert.deepEqual(world.afrestoreCalls[0]!.args, ['-W', 'laptop', '-l', '-A', '2026-03-01', '/home']);
});

test('restore: a restricted console may not pass -W, -C, -h or emergency options', async () => {
  for (const opt of ['-W', '-Wfileserver', '-C', '-h', '-lW', '-e', '-E']) {
    const world = fakeWorld('2026-03-26T12:00:00Z');
    const o = await run(makeCtx(d, { console: 'laptop-owner', world }), `restore ${opt} fileserver`);
    assert.equal(o.status, 40, opt);
    assert.match(o.error!, new RegExp(`"${opt}"`));
    assert.equal(world.afrestoreCalls.length, 0);
  }
});

test('messages: the owner sees its client\'s lines only, not director-wide ones', async () => {
  await appendMessage(d.varDir, { time: '2026-03-26T12:01:00+01:00', type: 'info', jobid: null, job: null, client: null, text: 'director started' });
  await appendMessage(d.varDir, { time: '2026-03-26T12:02:00+01:00', type: 'error', jobid: 5, job: 'fileserver-backup', client: 'fileserver', text: 'secret path /srv/x' });
  await appendMessage(d.varDir, { time: '2026-03-26T12:03:00+01:00', type: 'info', jobid: 4, job: 'laptop-backup', client: 'laptop', text: 'laptop started' });
  const m = (await run(owner(), 'messages')).document as any;
  assert.deepEqual(m.messages.map((x: any) => x.text), ['laptop started']);
});
