/**
 * The scheduler's tick logic on a hand-moved clock with a fake runner: due runs,
 * catch-up across a downtime, level upgrades, due-based jobs, reschedules on error,
 * no duplicates, concurrency limits, priority order, Max Start Delay and cancel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { submitRequest } from '../../src/director/spool/requests.js';
import { config, endRun, rig, started, tickThrough, tempVar } from './helpers.js';

const CLIENTS = 'Client { Name = c1; Address = h1 }\nClient { Name = c2; Address = h2 }\n';
const WEEKLY = 'Schedule { Name = W; Run = Full sun at 23:05; Run = Incremental mon-sat at 23:05 }\n';

test('a weekly cycle: a Full on Sunday and Incrementals Monday to Saturday, each once', async () => {
  const cfg = config(CLIENTS + WEEKLY + 'Job { Name = j; Client = c1; Schedule = W }', tempVar(), 'Tick Interval = 15 min');
  const r = await rig(cfg, '2026-03-01T00:00:00Z', () => 'ok'); // a Sunday
  await tickThrough(r, '2026-03-04T00:00:00Z', 900);
  assert.deepEqual(started(r), [
    'j Full 2026-03-01T23:15:00.000Z',
    'j Incremental 2026-03-02T23:15:00.000Z',
    'j Incremental 2026-03-03T23:15:00.000Z',
  ]);
  const { records } = await r.history.list();
  assert.deepEqual(records.map((x) => [x.level, x.status, x.scheduled]), [
    ['Full', 'ok', '2026-03-01T23:05:00+00:00'], ['Incremental', 'ok', '2026-03-02T23:05:00+00:00'], ['Incremental', 'ok', '2026-03-03T23:05:00+00:00'],
  ]);
});

for (const [policy, expect] of [
  ['none', ['j Full 2026-03-01T23:05:00.000Z', 'j Incremental 2026-03-05T23:05:00.000Z']],
  ['latest', ['j Full 2026-03-01T23:05:00.000Z', 'j Incremental 2026-03-05T12:00:00.000Z', 'j Incremental 2026-03-05T23:05:00.000Z']],
] as const) {
  test(`catch-up ${policy} across a downtime of three days`, async () => {
    const cfg = config(CLIENTS + WEEKLY + 'Job { Name = j; Client = c1; Schedule = W }', tempVar(), `Catch Up = ${policy}`);
    const before = await rig(cfg, '2026-03-01T23:00:00Z', () => 'ok');
    await tickThrough(before, '2026-03-01T23:10:00Z', 60);
    // the director is down from Sunday night until Thursday noon (Mon, Tue, Wed runs missed);
    // a new process starts on the same var directory
    const r = await rig(cfg, '2026-03-05T12:00:00Z', () => 'ok');
    await tickThrough(r, '2026-03-05T23:10:00Z', 300);
    assert.deepEqual([...started(before), ...started(r)], expect);
    if (policy === 'latest') {
      const { records } = await r.history.list();
      assert.equal(records[1]!.scheduled, '2026-03-04T23:05:00+00:00', 'the caught-up run is the latest missed one');
    }
  });
}

test('level upgrade: no Full yet, after a Full, selection changed, Max Full Interval', async () => {
  const vd = tempVar();
  const job = (sel: string) => config(CLIENTS + `Job { Name = j; Client = c1; Level = Incremental; Max Full Interval = 7 days; File Selection = "${sel}" }`, vd);
  let r = await rig(job('/home'), '2026-03-01T10:00:00Z', () => 'ok');
  const runAt = async (iso: string) => {
    r.clock.set(iso);
    await submitRequest(vd, { kind: 'run', job: 'j', console: 'test', submitted: iso });
    await r.scheduler.tick();
    await r.scheduler.settle();
    return r.runner.runs.at(-1)!.plan;
  };
  let p = await runAt('2026-03-01T10:00:00Z');
  assert.equal(p.level, 'Full');
  assert.match(p.upgradeReason!, /no earlier successful Full/);
  p = await runAt('2026-03-02T10:00:00Z');
  assert.equal(p.level, 'Incremental');
  assert.equal(p.upgradeReason, undefined);
  // the same var directory, a configuration whose file selection changed
  r = await rig(job('/home /srv'), '2026-03-03T10:00:00Z', () => 'ok');
  p = await runAt('2026-03-03T10:00:00Z');
  assert.equal(p.level, 'Full');
  assert.match(p.upgradeReason!, /file selection changed/);
  p = await runAt('2026-03-04T10:00:00Z');
  assert.equal(p.level, 'Incremental');
  p = await runAt('2026-03-10T10:00:01Z');
  assert.equal(p.level, 'Full');
  assert.match(p.upgradeReason!, /Max Full Interval/);
});

test('a failed Full does not count: the next Incremental is still a Full', async () => {
  const vd = tempVar();
  const r = await rig(config(CLIENTS + 'Job { Name = j; Client = c1 }', vd), '2026-03-01T10:00:00Z', () => 'error');
  await submitRequest(vd, { kind: 'run', job: 'j', level: 'Full', console: 't', submitted: 'x' });
  await r.scheduler.tick();
  await r.scheduler.settle();
  r.runner.auto = () => 'ok';
  await submitRequest(vd, { kind: 'run', job: 'j', console: 't', submitted: 'x' });
  r.clock.advance(60);
  await r.scheduler.tick();
  await r.scheduler.settle();
  assert.deepEqual(r.runner.runs.map((x) => x.plan.level), ['Full', 'Full']);
});

test('due-based: runs when the client answers and the last success is old enough, never more often than allowed', async () => {
  const cfg = config(CLIENTS + 'Job { Name = lap; Client = c2; Due After = 1 day; Not More Often Than = 6 hours; Reschedule On Error = no }', tempVar());
  const r = await rig(cfg, '2026-03-01T08:00:00Z', () => 'ok');
  await tickThrough(r, '2026-03-01T09:00:00Z', 600);
  assert.equal(r.runner.runs.length, 0, 'the client does not answer: nothing runs');
  assert.ok(r.probes.length >= 6, 'the client is probed at each tick');
  r.answers.add('c2');
  await tickThrough(r, '2026-03-02T08:00:00Z', 600);
  assert.deepEqual(started(r), ['lap Full 2026-03-01T09:10:00.000Z'], 'one run, then not again within Due After');
  await tickThrough(r, '2026-03-02T10:00:00Z', 600);
  assert.deepEqual(started(r).slice(1), ['lap Incremental 2026-03-02T09:10:00.000Z'], 'due again a day after the last success');
  // a failure: the last success stays old, but Not More Often Than holds the next try back 6 hours
  r.runner.auto = () => 'error';
  r.clock.set('2026-03-03T09:20:00Z');
  await tickThrough(r, '2026-03-03T16:00:00Z', 600);
  assert.deepEqual(started(r).slice(2), ['lap Incremental 2026-03-03T09:20:00.000Z', 'lap Incremental 2026-03-03T15:20:00.000Z']);
});

test('reschedule on error: Reschedule Times attempts, Reschedule Interval apart, then it gives up', async () => {
  const cfg = config(CLIENTS + 'Schedule { Name = D; Run = daily at 01:00 }\nJob { Name = j; Client = c1; Schedule = D; Reschedule On Error = yes; Reschedule Interval = 30 min; Reschedule Times = 2 }', tempVar());
  const r = await rig(cfg, '2026-03-02T00:59:00Z', () => 'error');
  await tickThrough(r, '2026-03-02T03:00:00Z', 60);
  assert.deepEqual(started(r), ['j Full 2026-03-02T01:00:00.000Z', 'j Full 2026-03-02T01:30:00.000Z', 'j Full 2026-03-02T02:00:00.000Z']);
  const { records } = await r.history.list();
  assert.deepEqual(records.map((x) => [x.status, x.reschedules]), [['error', 0], ['error', 1], ['error', 2]]);
  assert.equal(r.scheduler.state.queue.length, 0);
});

test('no duplicate: a run that comes while the job still runs gets a canceled record', async () => {
  const cfg = config(CLIENTS + 'Schedule { Name = H; Run = hourly at :00 }\nJob { Name = j; Client = c1; Schedule = H }', tempVar());
  const r = await rig(cfg, '2026-03-02T00:59:00Z');
  await tickThrough(r, '2026-03-02T02:00:00Z', 60);
  assert.equal(r.runner.runs.length, 1, 'the first run never ended; the 02:00 run was not started');
  const { records } = await r.history.list();
  assert.deepEqual(records.map((x) => x.status), ['running', 'canceled']);
  assert.match(records[1]!.error!, /still running \(id 1\)/);
  r.runner.runs[0]!.finish('ok');
  await r.scheduler.settle();
  await tickThrough(r, '2026-03-02T03:00:00Z', 60);
  assert.equal(r.runner.runs.length, 2);
});

test('concurrency: Director and tape server limits hold; priority decides the order; waiting runs start later', async () => {
  const body = CLIENTS + 'TapeServer { Name = t1; Address = s1; Maximum Concurrent Jobs = 1 }\nTapeServer { Name = t2; Address = s2; Maximum Concurrent Jobs = 2 }\n'
    + 'Schedule { Name = N; Run = daily at 22:00 }\n'
    + 'Job { Name = a; Client = c1; Schedule = N; Tape Server = t1; Priority = 20 }\n'
    + 'Job { Name = b; Client = c2; Schedule = N; Tape Server = t1; Priority = 5 }\n'
    + 'Job { Name = c; Client = c1; Schedule = N; Tape Server = t2; Priority = 10 }\n'
    + 'Job { Name = e; Client = c2; Schedule = N; Tape Server = t2; Priority = 30 }\n'
    + 'Job { Name = f; Client = c2; Schedule = N; Tape Server = t2; Priority = 40 }';
  const r = await rig(config(body, tempVar(), 'Maximum Concurrent Jobs = 3'), '2026-03-02T21:59:00Z');
  await tickThrough(r, '2026-03-02T22:01:00Z', 60);
  assert.deepEqual(r.runner.runs.map((x) => x.plan.job.name), ['b', 'c', 'e'], 'b (prio 5) takes t1; a waits; c, e fill t2 and the director limit');
  await endRun(r, 'b');
  await tickThrough(r, '2026-03-02T22:02:00Z', 60);
  assert.deepEqual(r.runner.runs.map((x) => x.plan.job.name), ['b', 'c', 'e', 'a'], 'a gets t1 next; f still waits for t2');
  await endRun(r, 'c');
  await tickThrough(r, '2026-03-02T22:03:00Z', 60);
  assert.deepEqual(r.runner.runs.map((x) => x.plan.job.name), ['b', 'c', 'e', 'a', 'f']);
});

test('Max Start Delay: a run that waited too long is dropped with a canceled record', async () => {
  const body = CLIENTS + 'Schedule { Name = N; Run = daily at 22:00 }\n'
    + 'Job { Name = long; Client = c1; Schedule = N; Priority = 1 }\nJob { Name = late; Client = c2; Schedule = N; Priority = 2; Max Start Delay = 10 min }';
  const r = await rig(config(body, tempVar(), 'Maximum Concurrent Jobs = 1'), '2026-03-02T21:59:00Z');
  await tickThrough(r, '2026-03-02T22:15:00Z', 60);
  assert.deepEqual(r.runner.runs.map((x) => x.plan.job.name), ['long']);
  const { records } = await r.history.list();
  assert.equal(records[1]!.job, 'late');
  assert.equal(records[1]!.status, 'canceled');
  assert.match(records[1]!.error!, /Max Start Delay/);
});

test('cancel from the spool stops the running job; an unknown id is reported', async () => {
  const vd = tempVar();
  const r = await rig(config(CLIENTS + 'Job { Name = j; Client = c1 }', vd), '2026-03-01T10:00:00Z');
  await submitRequest(vd, { kind: 'run', job: 'j', console: 'ops', submitted: 'x' });
  await r.scheduler.tick();
  const id = r.runner.runs[0]!.id;
  await submitRequest(vd, { kind: 'cancel', jobid: id, console: 'ops', submitted: 'x' });
  await submitRequest(vd, { kind: 'cancel', jobid: 99, console: 'ops', submitted: 'x' });
  const rep = await r.scheduler.tick();
  await r.scheduler.settle();
  assert.deepEqual(rep.canceled, [id]);
  assert.match(rep.problems.join('\n'), /jobid=99.*no such running job/);
  assert.match(r.runner.runs[0]!.canceled!, /console "ops"/);
  assert.equal((await r.history.get(id))!.status, 'canceled');
});

test('the queue and the considered instants survive a restart (state file)', async () => {
  const vd = tempVar();
  const cfg = config(CLIENTS + 'Schedule { Name = D; Run = daily at 01:00 }\nJob { Name = j; Client = c1; Schedule = D; Reschedule On Error = yes; Reschedule Interval = 1 hour; Reschedule Times = 1 }', vd);
  let r = await rig(cfg, '2026-03-02T01:00:00Z', () => 'error');
  await r.scheduler.tick();
  await r.scheduler.settle();
  assert.equal(r.scheduler.state.queue.length, 1);
  r = await rig(cfg, '2026-03-02T02:00:00Z', () => 'ok');
  assert.equal(r.scheduler.state.queue[0]!.attempt, 1);
  await r.scheduler.tick();
  await r.scheduler.settle();
  assert.deepEqual(started(r), ['j Full 2026-03-02T02:00:00.000Z']);
  assert.equal(r.runner.runs[0]!.plan.attempt, 1);
});

test('shutdown: a job that ends within the grace period is left to finish', async () => {
  const vd = tempVar();
  const r = await rig(config(CLIENTS + 'Job { Name = j; Client = c1 }', vd), '2026-03-01T10:00:00Z');
  await submitRequest(vd, { kind: 'run', job: 'j', console: 'ops', submitted: 'x' });
  await r.scheduler.tick();
  r.clock.sleepMode = 'until-abort';
  const down = r.scheduler.shutdown(300_000);
  r.runner.runs[0]!.finish('ok');
  await down;
  assert.equal(r.runner.runs[0]!.canceled, undefined);
  assert.equal((await r.history.get(r.runner.runs[0]!.id))!.status, 'ok');
});

test('shutdown: after the grace period (or at a second signal) running jobs are canceled', async () => {
  for (const how of ['grace', 'hurry'] as const) {
    const vd = tempVar();
    const r = await rig(config(CLIENTS + 'Job { Name = j; Client = c1 }', vd), '2026-03-01T10:00:00Z');
    await submitRequest(vd, { kind: 'run', job: 'j', console: 'ops', submitted: 'x' });
    await r.scheduler.tick();
    const hurry = new AbortController();
    if (how === 'hurry') {
      r.clock.sleepMode = 'until-abort';
      setTimeout(() => hurry.abort(), 20);
    }
    await r.scheduler.shutdown(300_000, hurry.signal);
    assert.match(r.runner.runs[0]!.canceled!, /director is stopping/, how);
    assert.equal((await r.history.get(r.runner.runs[0]!.id))!.status, 'canceled', how);
  }
});

for (const [zone, day, untilIso, runs] of [
  ['Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z', ['j Incremental 2026-03-29T01:00:00.000Z']],
  ['Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', ['j Incremental 2026-10-25T00:30:00.000Z']],
  ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z', ['j Incremental 2026-03-08T07:00:00.000Z']],
  ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z', ['j Incremental 2026-11-01T05:30:00.000Z']],
] as const) {
  test(`DST through the scheduler: ${zone} ${day.slice(0, 10)}: a daily run in the shifted hour runs exactly once`, async () => {
    const at = zone === 'Europe/Berlin' ? '02:30' : day.slice(5, 7) === '03' ? '02:30' : '01:30';
    const cfg = config(CLIENTS + `Schedule { Name = S; Run = Incremental daily at ${at} }\nJob { Name = j; Client = c1; Schedule = S }`, tempVar(), `Time Zone = ${zone}`);
    const r = await rig(cfg, day, () => 'ok');
    // a Full exists already, so the level stays Incremental
    await r.history.create({ job: 'j', client: 'c1', level: 'Full', status: 'ok', end: '2026-01-01T00:00:00Z', files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: 0 });
    await tickThrough(r, untilIso, 300);
    assert.deepEqual(started(r), runs);
  });
}

test('a late tick of a running director misses nothing, even with Catch Up = none', async () => {
  const cfg = config(CLIENTS + 'Schedule { Name = D; Run = daily at 01:00 }\nJob { Name = j; Client = c1; Schedule = D }', tempVar(), 'Catch Up = none');
  const r = await rig(cfg, '2026-03-02T00:50:00Z', () => 'ok');
  await r.scheduler.tick();
  r.clock.set('2026-03-02T01:30:00Z'); // the host was busy: the next tick comes 40 minutes late
  await r.scheduler.tick();
  await r.scheduler.settle();
  assert.deepEqual(started(r), ['j Full 2026-03-02T01:30:00.000Z']);
});
