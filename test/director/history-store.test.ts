/**
 * One idea: the job history store creates, updates, lists and logs records in
 * `<vardir>/jobs`, leaves a damaged record alone while reporting it, and hands out
 * unique ids to several processes at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { JobHistory, LOG_FULL, type NewJobRecord } from '../../src/director/history/store.js';
import { isAfError } from '../../src/errors.js';

const run = promisify(execFile);
const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/director/next-id-worker.ts');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'afdir-hist-'));
}

function rec(job: string, client: string): NewJobRecord {
  return { job, client, level: 'Full', status: 'running', start: '2026-03-01T23:05:02+01:00', files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: 0 };
}

test('create, get, update, list with filters, log', async () => {
  const vardir = tmp();
  const h = new JobHistory(vardir);
  const a = await h.create(rec('fs-backup', 'fileserver'));
  const b = await h.create(rec('laptop-backup', 'laptop'));
  const c = await h.create(rec('fs-backup', 'fileserver'));
  assert.deepEqual([a.id, b.id, c.id], [1, 2, 3]);
  assert.ok(fs.existsSync(path.join(vardir, 'jobs', '2')));
  assert.deepEqual(await h.get(2), b);
  assert.equal(await h.get(99), undefined);

  const done = await h.update(1, { status: 'ok', end: '2026-03-01T23:41:10+01:00', files: 10, bytes: 4096, cartridges: [1, 2], tapeFiles: [{ cartridge: 1, file: 3 }, { cartridge: 2, file: 1 }] });
  assert.equal(done.id, 1);
  assert.deepEqual(await h.get(1), done);
  assert.match(fs.readFileSync(path.join(vardir, 'jobs', '1'), 'utf8'), /^cartridges: 1-2$/m);
  const bumped = await h.update(3, (cur) => ({ reschedules: cur.reschedules + 1, status: 'error', error: 'timeout' }));
  assert.equal(bumped.reschedules, 1);

  assert.deepEqual((await h.list()).records.map((r) => r.id), [1, 2, 3]);
  assert.deepEqual((await h.list({ client: 'fileserver' })).records.map((r) => r.id), [1, 3]);
  assert.deepEqual((await h.list({ job: 'laptop-backup' })).records.map((r) => r.id), [2]);
  assert.deepEqual((await h.list({ last: 2 })).records.map((r) => r.id), [2, 3]);
  assert.deepEqual((await h.list({ client: 'fileserver', last: 1 })).records.map((r) => r.id), [3]);

  await h.appendLog(1, 'started');
  await h.appendLog(1, ['wrote file 1.3', 'two\nlines']);
  assert.deepEqual(await h.readLog(1), ['started', 'wrote file 1.3', 'two lines']);
  assert.deepEqual(await h.readLog(2), []);
  assert.equal((await h.list()).records.length, 3, 'log files are not records');
  await assert.rejects(h.update(42, { status: 'ok' }), /no such job record/);
});

test('a log stops at its size limit with one notice line', async () => {
  const h = new JobHistory(tmp());
  await h.appendLog(7, ['0123456789', 'abcdefghij'], { maxBytes: 30 });
  await h.appendLog(7, ['this line does not fit'], { maxBytes: 30 });
  await h.appendLog(7, ['nor this one'], { maxBytes: 30 });
  assert.deepEqual(await h.readLog(7), ['0123456789', 'abcdefghij', LOG_FULL]);
});

test('a record with a typo is reported with file and line and never rewritten', async () => {
  const vardir = tmp();
  const h = new JobHistory(vardir);
  await h.create(rec('j', 'c'));
  await h.create(rec('j', 'c'));
  const file = path.join(vardir, 'jobs', '1');
  const damaged = fs.readFileSync(file, 'utf8').replace('status: running', 'staus: running');
  fs.writeFileSync(file, damaged);

  const { records, problems } = await h.list();
  assert.deepEqual(records.map((r) => r.id), [2]);
  assert.equal(problems.length, 1);
  assert.ok(isAfError(problems[0], 'STATE_SYNTAX'));
  assert.match(problems[0]!.detail!, new RegExp(`^"${file}" line 5: unknown key "staus"`));

  await assert.rejects(h.get(1), /line 5: unknown key "staus"/);
  await assert.rejects(h.update(1, { status: 'ok' }), /line 5/);
  assert.equal(fs.readFileSync(file, 'utf8'), damaged);
  // ids go on after it
  assert.equal((await h.create(rec('j', 'c'))).id, 3);
});

test('a lost counter restarts after the highest record; a damaged counter is refused', async () => {
  const vardir = tmp();
  const h = new JobHistory(vardir);
  for (let i = 0; i < 3; i++) await h.create(rec('j', 'c'));
  fs.unlinkSync(path.join(vardir, 'jobs', 'last-id'));
  assert.equal(await h.nextId(), 4);
  fs.writeFileSync(path.join(vardir, 'jobs', 'last-id'), 'four\n');
  await assert.rejects(h.nextId(), (err: unknown) => isAfError(err, 'STATE_SYNTAX') && /last-id" line 1/.test(err.detail!));
});

test('several processes taking ids at once get unique consecutive ids', async () => {
  const vardir = tmp();
  const procs = 3;
  const each = 8;
  const outs = await Promise.all(
    Array.from({ length: procs }, () => run(process.execPath, ['--import', 'tsx', WORKER, vardir, String(each)], { timeout: 60_000 })),
  );
  const ids = outs.flatMap((o) => o.stdout.trim().split('\n').map(Number));
  assert.equal(ids.length, procs * each);
  assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: procs * each }, (_, i) => i + 1));
  assert.equal(fs.readFileSync(path.join(vardir, 'jobs', 'last-id'), 'utf8'), `${procs * each}\n`);
});
