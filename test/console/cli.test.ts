/**
 * The afconsole program (node dist/cli/afconsole.js): one command from the
 * arguments, one command per line from standard input (text and --json: one
 * document per command), exit statuses (0, 1, 2, 32, 40, 41, first failure in
 * stdin mode), -n, --help/--version, and `status client` against a real afserver
 * on loopback through the real afclient.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { takeRequests } from '../../src/director/spool/requests.js';
import { startServer, type TestServer } from '../afclient/helpers.js';
import { afconsole, makeDirectorDir, type DirectorDir } from './helpers.js';
import { writeHistory } from './fixture-history.js';

let d: DirectorDir;
let server: TestServer;
const NOW = { AF_CONSOLE_NOW: '2026-03-26T12:00:00Z' };

before(async () => {
  server = await startServer();
  d = await makeDirectorDir({ port: server.port, key: server.args[server.args.indexOf('-k') + 1]!, serverConf: server.dir.conf });
  await writeHistory(d.varDir);
});
after(async () => {
  d.cleanup();
  await server.close();
});

test('one command from the arguments: text, and --json with exactly one document', async () => {
  const t = await afconsole(['-c', d.conf, 'list', 'jobs', 'client=laptop']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^JobId/);
  assert.equal(t.stdout.trim().split('\n').length, 3);
  const j = await afconsole(['-c', d.conf, '--json', 'list', 'jobs']);
  assert.equal(j.status, 0);
  const lines = j.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const doc = JSON.parse(lines[0]!);
  assert.equal(doc.schema, 'afconsole/1');
  assert.equal(doc.jobs.length, 5);
});

test('stdin: one command per line, blank and # lines skipped, one JSON document per command', async () => {
  const r = await afconsole(['-c', d.conf, '--json'], { stdin: 'status director\n\n# a comment\nlist jobs last\nstatus scheduler days=2\nlist joblog jobid=1\n', env: NOW });
  assert.equal(r.status, 0, r.stderr);
  const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(docs.map((x) => x.command), ['status director', 'list jobs', 'status scheduler', 'list joblog']);
  assert.ok(docs.every((x) => x.ok === true && x.schema === 'afconsole/1'));
  assert.equal(docs[2].from, '2026-03-26T13:00:00+01:00');
  assert.equal(docs[2].runs[0].time, '2026-03-26T23:05:00+01:00');
});

test('echo "status director" | afconsole: text mode', async () => {
  const r = await afconsole(['-c', d.conf], { stdin: 'status director\n' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Director "test-dir"/);
});

test('stdin: every line runs; the exit status is the first failure\'s; quit stops reading', async () => {
  const r = await afconsole(['-c', d.conf, '-n', 'laptop-owner'], { stdin: 'list jobs client=fileserver\nlist joblog jobid=99\nrun job=laptop-backup yes\nquit\nrun job=laptop-backup yes\n' });
  assert.equal(r.status, 40);
  assert.deepEqual(r.stderr.trim().split('\n').map((l) => l.replace(/:.*/, '')), ['afconsole', 'afconsole']);
  assert.match(r.stderr, /client=fileserver is not allowed/);
  assert.match(r.stderr, /jobid=99/);
  const { taken } = await takeRequests(d.varDir);
  assert.equal(taken.length, 1, 'the run before quit was submitted, the one after was not');
});

test('exit statuses: usage 2, denied 40, not found 41, not confirmed 1, config 32, unknown console 2', async () => {
  const s = async (args: string[], stdin = '') => (await afconsole(['-c', d.conf, ...args], { stdin })).status;
  assert.equal(await s(['list', 'jbos']), 2);
  assert.equal(await s(['-n', 'auditor', 'run', 'job=laptop-backup', 'yes']), 40);
  assert.equal(await s(['list', 'joblog', 'jobid=42']), 41);
  assert.equal(await s(['run', 'job=laptop-backup']), 1);
  assert.equal(await s(['--bogus']), 2);
  const twice = await afconsole(['-c', d.conf, '-n', 'laptop-owner', 'list', 'jobs', '-n', '*default*']);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /-n is given more than once/);
  assert.equal(await s(['-c', d.conf, 'list', 'jobs']), 2);
  const unknown = await afconsole(['-c', d.conf, '-n', 'nobody', 'help']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^afconsole: .*no Console "nobody"/);
  const bad = path.join(d.dir, 'bad.conf');
  fs.writeFileSync(bad, 'Director {\n  Name = x\n  Bogus Key = 1\n}\n');
  const c = await afconsole(['-c', bad, 'status', 'director']);
  assert.equal(c.status, 32);
  assert.match(c.stderr, /bad\.conf" line 3: unknown key "Bogus Key"/);
  await takeRequests(d.varDir);
});

test('--json error document on stdout plus one stderr line', async () => {
  const r = await afconsole(['-c', d.conf, '--json', '-n', 'laptop-owner', 'list', 'joblog', 'jobid=1']);
  assert.equal(r.status, 40);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual({ ...doc, error: { ...doc.error, message: undefined } }, { schema: 'afconsole/1', command: 'list joblog', ok: false, console: 'laptop-owner', error: { code: 'CONSOLE_DENIED', exit: 40, message: undefined } });
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('--timeout limits wait: status 43 and the JSON says timedOut', async () => {
  const r = await afconsole(['-c', d.conf, '--json', '--timeout', '1', 'wait', 'jobid=5'], { env: { AF_CONSOLE_POLL_MS: '50' } });
  assert.equal(r.status, 43);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.timedOut, true);
  assert.equal(doc.ok, false);
  const bad = await afconsole(['-c', d.conf, '--timeout', 'soon', 'wait']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--timeout.*"soon"/);
});

test('--help and --version', async () => {
  const h = await afconsole(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /^Usage: afconsole/);
  const v = await afconsole(['--version']);
  assert.match(v.stdout, /^afconsole \(afbackup-ng\)/);
});

test('status client=NAME against a real afserver through the real afclient', async () => {
  const r = await afconsole(['-c', d.conf, '--json', 'status', 'client=fileserver']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.reachable, true);
  assert.match(doc.streamerState, /^[A-Z]+/);
  assert.ok(doc.serverId !== null);
  const t = await afconsole(['-c', d.conf, 'status', 'client=fileserver']);
  assert.match(t.stdout, /streamer state: /);
  // The laptop's address does not resolve: afclient's own exit status comes back.
  const down = await afconsole(['-c', d.conf, '--json', 'status', 'client=laptop']);
  assert.notEqual(down.status, 0);
  assert.equal(JSON.parse(down.stdout).reachable, false);
  assert.equal(JSON.parse(down.stdout).exit, down.status);
});

test('list volumes via the real state files of the afserver', async () => {
  const r = await afconsole(['-c', d.conf, '--json', 'list', 'volumes']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout).servers[0];
  assert.equal(s.source, 'state');
  assert.equal(s.volumes.length, 4);
});
