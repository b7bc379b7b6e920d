/** flock() on <file>.lck: exclusion, sharing, timeout, and no stale lock after SIGKILL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isAfError } from '../../src/errors.js';
import { lockPathFor, withLock } from '../../src/state/file-lock.js';
import { killHard, removeDir, startChild, tempDir, waitForLine } from './helpers.js';

test('the lock file sits beside the state file and is created 0600', async () => {
  const dir = await tempDir();
  try {
    const lp = lockPathFor(path.join(dir, 'tapepos'));
    assert.equal(lp, path.join(dir, 'tapepos.lck'));
    const r = await withLock(lp, 'ex', () => 7);
    assert.equal(r, 7);
    assert.equal(fs.statSync(lp).mode & 0o777, 0o600);
  } finally {
    await removeDir(dir);
  }
});

test('exclusive holders in one process take turns; shared holders overlap', async () => {
  const dir = await tempDir();
  try {
    const lp = path.join(dir, 'f.lck');
    const events: string[] = [];
    const ex = (name: string) =>
      withLock(lp, 'ex', async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 60));
        events.push(`${name}-`);
      });
    await Promise.all([ex('a'), ex('b'), ex('c')]);
    for (let i = 0; i < events.length; i += 2) assert.equal(events[i]!.slice(0, -1), events[i + 1]!.slice(0, -1));

    let inside = 0;
    let most = 0;
    const sh = () =>
      withLock(lp, 'sh', async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 60));
        inside--;
      });
    await Promise.all([sh(), sh(), sh()]);
    assert.equal(most, 3);
  } finally {
    await removeDir(dir);
  }
});

test('the lock is released when the callback throws', async () => {
  const dir = await tempDir();
  try {
    const lp = path.join(dir, 'f.lck');
    await assert.rejects(withLock(lp, 'ex', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await withLock(lp, 'ex', () => 'free', { timeoutMs: 0 }), 'free');
  } finally {
    await removeDir(dir);
  }
});

test('waiting gives up with CANNOT_LOCK naming the file, without blocking the event loop', async () => {
  const dir = await tempDir();
  const lp = path.join(dir, 'busy.lck');
  const child = startChild('hold-lock', [lp, 'ex']);
  try {
    await waitForLine(child, 'locked');
    // A timer due long before the give-up must fire while we wait: the wait does not block.
    let fired = false;
    setTimeout(() => (fired = true), 20);
    const started = Date.now();
    await assert.rejects(withLock(lp, 'sh', () => 1, { timeoutMs: 400 }), (e: unknown) => {
      assert.ok(isAfError(e, 'CANNOT_LOCK'));
      assert.match(e.message, /busy\.lck/);
      return true;
    });
    const waited = Date.now() - started;
    assert.ok(waited >= 380, `gave up after ${waited} ms, before the 400 ms limit`);
    assert.ok(fired, 'the event loop ran other timers while waiting');
  } finally {
    await killHard(child);
    await removeDir(dir);
  }
});

test('a child killed with SIGKILL while holding the lock does not block the next process', async () => {
  const dir = await tempDir();
  const lp = path.join(dir, 'state.lck');
  const child = startChild('hold-lock', [lp, 'ex']);
  try {
    await waitForLine(child, 'locked');
    await assert.rejects(withLock(lp, 'ex', () => 0, { timeoutMs: 0 }), (e: unknown) => isAfError(e, 'CANNOT_LOCK'));
    await killHard(child);
    const started = Date.now();
    assert.equal(await withLock(lp, 'ex', () => 'mine', { timeoutMs: 2000 }), 'mine');
    assert.ok(Date.now() - started < 1000);
  } finally {
    await killHard(child);
    await removeDir(dir);
  }
});

test('a missing directory is a STATE_IO error', async () => {
  await assert.rejects(withLock('/nonexistent-dir-af/x.lck', 'ex', () => 0), (e: unknown) => isAfError(e, 'STATE_IO'));
});
