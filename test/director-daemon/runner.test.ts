/**
 * The process runner with local programs (Client Local Backup = yes): the record and
 * log it writes, before/after commands, a failing before command, cancel killing the
 * whole process group; and the notifications — Mail Command gets the report on stdin,
 * the webhook POSTs JSON to a local HTTP server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { JobHistory } from '../../src/director/history/store.js';
import { ProcessJobRunner } from '../../src/director/runner/job-runner.js';
import { sendMails } from '../../src/director/runner/mail.js';
import { postWebhook } from '../../src/director/runner/webhook.js';
import type { StartPlan } from '../../src/director/runner/runner-api.js';
import { systemClock } from '../../src/director/daemon/clock.js';
import { config, tempVar } from './helpers.js';

function setup(jobExtra: string, program: string) {
  const vd = tempVar();
  const prog = path.join(vd, 'backup.sh');
  fs.writeFileSync(prog, `#!/bin/sh\n${program}\n`, { mode: 0o755 });
  const cfg = config(`Client { Name = c; Address = localhost; Local Backup = yes; Full Backup Command = "${prog} full"; Incremental Backup Command = "${prog} incr" }
Job { Name = j; Client = c; Full Cartridge Set = 4; ${jobExtra} }`, vd);
  const history = new JobHistory(vd);
  const runner = new ProcessJobRunner({ config: cfg, history, clock: systemClock, afclient: ['/bin/false'] });
  const plan: StartPlan = {
    job: cfg.jobs.get('j')!, client: cfg.clients.get('c')!, level: 'Full', requested: 'Incremental', upgradeReason: 'no earlier successful Full in the history',
    cartridgeSet: 4, scheduled: new Date(), start: new Date(), attempt: 0, source: 'console', selectionHash: 'x',
  };
  return { vd, history, runner, plan };
}

test('a local backup: before/after commands, arguments, the JSON summary into the record, lines into the log', async () => {
  const { vd, history, runner, plan } = setup(`Run Before Job = "echo before %n %l %i >> ${tempVar()}/x; echo before-ran"; Run After Job = "echo after-ran %c"`,
    'echo "args: $*"; echo oops >&2; echo \'{"files":5,"bytes":512,"cartridges":[4],"tapeFiles":[{"cartridge":4,"file":9}]}\'');
  const run = await runner.start(plan);
  assert.equal((await history.get(run.id))!.status === 'running' || (await history.get(run.id))!.status === 'ok', true);
  const out = await run.done;
  assert.equal(out.status, 'ok');
  const rec = (await history.get(run.id))!;
  assert.deepEqual([rec.status, rec.files, rec.bytes, rec.cartridges, rec.tapeFiles], ['ok', 5, 512, [4], [{ cartridge: 4, file: 9 }]]);
  const log = (await history.readLog(run.id)).join('\n');
  assert.match(log, /upgraded to Full: no earlier successful Full/);
  assert.match(log, /\[before\] before-ran/);
  assert.match(log, /\[backup\] args: full -S 4 --json/);
  assert.match(log, /\[backup\] stderr: oops/);
  assert.match(log, /\[after\] after-ran c/);
  assert.ok(log.indexOf('before-ran') < log.indexOf('args:') && log.indexOf('args:') < log.indexOf('after-ran'));
  fs.rmSync(vd, { recursive: true, force: true });
});

test('a failing before command fails the job; the backup does not run; Run After Failed Job does', async () => {
  const { history, runner, plan } = setup('Run Before Job = "exit 4"; Run After Job = "echo ok-after"; Run After Failed Job = "echo failed-after"', 'echo BACKUP-RAN');
  const run = await runner.start(plan);
  const out = await run.done;
  assert.equal(out.status, 'error');
  assert.match(out.error!, /before command "exit 4" failed: exit status 4/);
  const log = (await history.readLog(run.id)).join('\n');
  assert.doesNotMatch(log, /BACKUP-RAN|ok-after/);
  assert.match(log, /failed-after/);
  assert.equal((await history.get(run.id))!.status, 'error');
});

test('cancel kills the whole process group and records canceled', async () => {
  const vd = tempVar();
  const pidFile = path.join(vd, 'grandchild.pid');
  const { history, runner, plan } = setup('', `sleep 60 & echo $! > ${pidFile}; wait`);
  const run = await runner.start(plan);
  for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
  run.cancel('canceled by console "ops"');
  const out = await run.done;
  assert.equal(out.status, 'canceled');
  assert.equal((await history.get(run.id))!.error, 'canceled by console "ops"');
  await new Promise((r) => setTimeout(r, 200));
  // gone, or a zombie waiting for a PID 1 that does not reap (containers)
  let state = 'gone';
  try {
    state = fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8').replace(/^.*\) /s, '')[0]!;
  } catch {
    /* gone */
  }
  assert.ok(state === 'gone' || state === 'Z', `the background sleep of the program is gone too (state ${state})`);
});

test('Max Run Time cancels a run that goes on too long', async () => {
  const { runner, plan } = setup('Max Run Time = 1', 'sleep 30');
  const out = await (await runner.start(plan)).done;
  assert.equal(out.status, 'canceled');
  assert.match(out.error!, /Max Run Time/);
});

test('mail: the Mail Command gets the report on stdin, once per selected recipient', async () => {
  const vd = tempVar();
  const box = path.join(vd, 'mail.txt');
  const cfg = config(`Messages { Name = M; Mail Command = "echo == %r %e >> ${box}; cat >> ${box}"; Mail = a@x = all; Mail On Error = b@x = error }`, vd);
  const problems = await sendMails(cfg.messages.get('M')!, { id: 3, job: 'j', client: 'c', level: 'Full', status: 'error', body: 'the report' });
  assert.deepEqual(problems, []);
  const text = fs.readFileSync(box, 'utf8');
  assert.match(text, /== a@x error\nTo: a@x\nSubject: afdirector: job j \(3\) error\n\nthe report/);
  assert.match(text, /== b@x error/);
  const bad = config('Messages { Name = M; Mail Command = "exit 7"; Mail = a@x = all }', vd);
  assert.match((await sendMails(bad.messages.get('M')!, { id: 3, job: 'j', client: 'c', level: 'Full', status: 'ok', body: '' }))[0]!, /exit 7/);
});

test('webhook: one JSON POST; a non-2xx reply is reported', async () => {
  const got: { method?: string; type?: string; body: string }[] = [];
  let status = 204;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      got.push({ method: req.method, type: req.headers['content-type'], body });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const payload = { schema: 'afdirector.job-end/1' as const, director: 'd', id: 1, job: 'j', client: 'c', level: 'Full', status: 'ok', files: 2, bytes: 3, cartridges: [1] };
  assert.equal(await postWebhook(url, payload), null);
  status = 500;
  assert.match((await postWebhook(url, payload))!, /HTTP status 500/);
  server.close();
  assert.equal(got[0]!.method, 'POST');
  assert.equal(got[0]!.type, 'application/json');
  assert.deepEqual(JSON.parse(got[0]!.body), payload);
  assert.match((await postWebhook('http://127.0.0.1:1/none', payload))!, /ECONNREFUSED/);
});

test('Job Log selects which lines reach the job log', async () => {
  const vd = tempVar();
  const prog = path.join(vd, 'b.sh');
  fs.writeFileSync(prog, '#!/bin/sh\necho to-stdout\necho to-stderr >&2\n', { mode: 0o755 });
  const cfg = config(`Messages { Name = M; Job Log = all, !warning }
Client { Name = c; Address = localhost; Local Backup = yes; Full Backup Command = "${prog}" }
Job { Name = j; Client = c; Messages = M }`, vd);
  const history = new JobHistory(vd);
  const runner = new ProcessJobRunner({ config: cfg, history, clock: systemClock, afclient: ['/bin/false'] });
  const run = await runner.start({ job: cfg.jobs.get('j')!, client: cfg.clients.get('c')!, level: 'Full', requested: 'Full', scheduled: new Date(), start: new Date(), attempt: 0, source: 'console', selectionHash: 'x' });
  await run.done;
  const log = (await history.readLog(run.id)).join('\n');
  assert.match(log, /to-stdout/);
  assert.doesNotMatch(log, /to-stderr|no --json summary/);
  assert.match(log, /end: ok/);
});
