/** The device lock file: afbackup's content, busy reports, release, crash safety and the unlink race. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lockContent, parseHolder, readHolder, tryAcquire } from '../../src/state/device-lock.js';
import { killHard, removeDir, startChild, tempDir, waitForLine } from './helpers.js';

test('the file holds exactly "<pid> w\\n\\0" and is created 0644', async () => {
  const dir = await tempDir();
  try {
    const p = path.join(dir, 'Lck.afbu_server.^usr');
    const r = await tryAcquire(p, 'w');
    assert.ok('held' in r);
    assert.deepEqual(fs.readFileSync(p), Buffer.from(`${process.pid} w\n\0`, 'latin1'));
    assert.equal(fs.statSync(p).mode & 0o777, 0o644 & ~process.umask());
    await r.held.setIntent('r');
    assert.deepEqual(fs.readFileSync(p), Buffer.from(`${process.pid} r\n\0`, 'latin1'));
    assert.equal(r.held.intent, 'r');
    await r.held.release();
    assert.equal(fs.existsSync(p), false);
    await r.held.release();
  } finally {
    await removeDir(dir);
  }
});

test('a second taker sees "busy" with the holder pid and intent', async () => {
  const dir = await tempDir();
  try {
    const p = path.join(dir, 'lock');
    const first = await tryAcquire(p, 'r', { pid: 4242 });
    assert.ok('held' in first);
    const second = await tryAcquire(p, 'w');
    assert.deepEqual(second, { busy: { pid: 4242, intent: 'r' } });
    assert.deepEqual(await readHolder(p), { pid: 4242, intent: 'r' });
    await first.held.release();
    assert.equal(await readHolder(p), null);
    const third = await tryAcquire(p, 'w');
    assert.ok('held' in third);
    await third.held.release();
  } finally {
    await removeDir(dir);
  }
});

test('holder content is parsed leniently for diagnostics', () => {
  assert.deepEqual(parseHolder(lockContent(8579, 'w')), { pid: 8579, intent: 'w' });
  assert.deepEqual(parseHolder(Buffer.from('8579 r\n\0junk')), { pid: 8579, intent: 'r' });
  assert.deepEqual(parseHolder(Buffer.from('77\n')), { pid: 77, intent: null });
  assert.deepEqual(parseHolder(Buffer.alloc(0)), { pid: null, intent: null });
});

test('a holder killed with SIGKILL does not block the next process', async () => {
  const dir = await tempDir();
  const p = path.join(dir, 'lock');
  const child = startChild('hold-device-lock', [p, 'w']);
  try {
    await waitForLine(child, 'held');
    const busy = await tryAcquire(p, 'w');
    assert.deepEqual(busy, { busy: { pid: child.pid, intent: 'w' } });
    await killHard(child);
    assert.equal(fs.existsSync(p), true, 'the stale file stays behind');
    const r = await tryAcquire(p, 'r');
    assert.ok('held' in r);
    assert.deepEqual(fs.readFileSync(p), Buffer.from(`${process.pid} r\n\0`, 'latin1'));
    await r.held.release();
  } finally {
    await killHard(child);
    await removeDir(dir);
  }
});

test('a lock taken on an inode that was unlinked meanwhile is dropped and taken again on the new file', async () => {
  const dir = await tempDir();
  try {
    const p = path.join(dir, 'lock');
    const first = await tryAcquire(p, 'w', { pid: 1 });
    assert.ok('held' in first);
    // Someone removes the file behind the holder's back; a newcomer creates a fresh one.
    fs.unlinkSync(p);
    const second = await tryAcquire(p, 'w', { pid: 2 });
    assert.ok('held' in second);
    // The first holder's release must not remove the newcomer's file.
    await first.held.release();
    assert.deepEqual(await readHolder(p), { pid: 2, intent: 'w' });
    await second.held.release();
  } finally {
    await removeDir(dir);
  }
});

test('losing the race to a releasing holder (old inode locked after its unlink) starts over on a new file', async () => {
  const dir = await tempDir();
  try {
    const p = path.join(dir, 'lock');
    const first = await tryAcquire(p, 'w', { pid: 1 });
    assert.ok('held' in first);
    const attempts: number[] = [];
    const second = await tryAcquire(p, 'r', {
      pid: 2,
      // Opened the old file; the holder releases (unlink, close) before we lock it.
      onOpened: async (attempt) => {
        attempts.push(attempt);
        if (attempt === 0) await first.held.release();
      },
    });
    assert.ok('held' in second);
    assert.deepEqual(attempts, [0, 1]);
    assert.deepEqual(await readHolder(p), { pid: 2, intent: 'r' });
    await second.held.release();
    assert.equal(fs.existsSync(p), false);
  } finally {
    await removeDir(dir);
  }
});

test('a symbolic link at the lock path is removed, not followed', async () => {
  const dir = await tempDir();
  try {
    const target = path.join(dir, 'victim');
    fs.writeFileSync(target, 'keep me');
    const p = path.join(dir, 'lock');
    fs.symlinkSync(target, p);
    const r = await tryAcquire(p, 'w');
    assert.ok('held' in r);
    assert.equal(fs.readFileSync(target, 'latin1'), 'keep me');
    assert.equal(fs.lstatSync(p).isFile(), true);
    await r.held.release();
  } finally {
    await removeDir(dir);
  }
});
