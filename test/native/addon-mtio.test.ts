/**
 * The addon's tape calls without any tape, as mt-st's own tests do: an st ioctl on
 * /dev/null is ENOTTY, opening a missing node is ENOENT, and the results come back as
 * {errno, syscall} values (the addon decides nothing). The async variants resolve with
 * the same kind of values.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { isErrno, native } from '../../src/native.js';

const E = os.constants.errno;

test('addon: the tape calls are exported with every MTIOCTOP operation', () => {
  const a = native();
  for (const f of ['open', 'close', 'mtop', 'mtget', 'mtpos', 'read', 'write', 'mtopAsync', 'readAsync', 'writeAsync']) {
    assert.equal(typeof a[f], 'function', f);
  }
  // Values from <linux/mtio.h>.
  assert.deepEqual(
    [a.mtOps.MTRESET, a.mtOps.MTFSF, a.mtOps.MTWEOF, a.mtOps.MTREW, a.mtOps.MTEOM, a.mtOps.MTERASE, a.mtOps.MTSETBLK, a.mtOps.MTSEEK, a.mtOps.MTLOAD, a.mtOps.MTWEOFI],
    [0, 1, 5, 6, 12, 13, 20, 22, 30, 35],
  );
  assert.equal(Object.keys(a.mtOps).length, 33);
});

test('addon: opening a missing node is ENOENT', () => {
  const r = native().open('/nonexistent/nst0', 'rw', false);
  assert.ok(isErrno(r));
  assert.deepEqual(r, { errno: E.ENOENT, syscall: 'open' });
});

test('addon: st ioctls on /dev/null are ENOTTY, plain I/O works, close is clean', async () => {
  const a = native();
  const fd = a.open('/dev/null', 'rw', true);
  assert.equal(typeof fd, 'number');
  const f = fd as number;
  try {
    assert.deepEqual(a.mtget(f), { errno: E.ENOTTY, syscall: 'ioctl(MTIOCGET)' });
    assert.deepEqual(a.mtpos(f), { errno: E.ENOTTY, syscall: 'ioctl(MTIOCPOS)' });
    assert.deepEqual(a.mtop(f, 'MTREW', 1), { errno: E.ENOTTY, syscall: 'ioctl(MTIOCTOP)' });
    assert.deepEqual(a.mtop(f, 'fsf', 1), { errno: E.ENOTTY, syscall: 'ioctl(MTIOCTOP)' });
    assert.deepEqual(await a.mtopAsync(f, 6, 1), { errno: E.ENOTTY, syscall: 'ioctl(MTIOCTOP)' });
    assert.equal(a.write(f, Buffer.alloc(100)), 100);
    assert.equal(a.read(f, Buffer.alloc(100)), 0);
    assert.equal(await a.writeAsync(f, Buffer.alloc(1 << 20)), 1 << 20);
    assert.equal(await a.readAsync(f, Buffer.alloc(10)), 0);
  } finally {
    assert.equal(a.close(f), 0);
  }
  assert.deepEqual(a.close(f), { errno: E.EBADF, syscall: 'close' });
  assert.deepEqual(await a.readAsync(f, Buffer.alloc(1)), { errno: E.EBADF, syscall: 'read' });
  assert.throws(() => a.mtop(0, 'MTNOSUCH' as never, 1), TypeError);
});

test('addon: readAsync fills the caller\'s own buffer (no copy)', async () => {
  const a = native();
  const fd = a.open('/dev/zero', 'r', false) as number;
  try {
    const big = Buffer.alloc(64, 0xff);
    const view = big.subarray(16, 48);
    assert.equal(await a.readAsync(fd, view), 32);
    assert.equal(big[15], 0xff);
    assert.equal(big[16], 0);
    assert.equal(big[47], 0);
    assert.equal(big[48], 0xff);
  } finally {
    a.close(fd);
  }
});
