/**
 * The addon's SG_IO call (native/src/sgio.cc) without any SCSI device: what it returns
 * on a node that is not SCSI generic, argument checking, the async variant, and what
 * ScsiChanger makes of such nodes. The emulated changer is in stemu-changer.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ScsiChanger } from '../../src/device/native/scsi-changer.js';
import { inquiryCdb, testUnitReadyCdb } from '../../src/device/scsi/cdb.js';
import { isErrno, native } from '../../src/native.js';
import { rejectsWith, repoRoot } from '../device/helpers.js';

const E = os.constants.errno;
const built = fs.existsSync(path.join(repoRoot, 'native', 'build', 'Release', 'afnative.node'));
const skip = built ? false : 'the addon is not built (npm run build:addon)';

test('sgio on /dev/null: an errno result naming the ioctl, not a crash', { skip }, async () => {
  const a = native();
  const fd = a.open('/dev/null', 'rw', false);
  assert.equal(typeof fd, 'number');
  try {
    const sync = a.sgio(fd as number, inquiryCdb({ allocationLength: 96 }), 'in', Buffer.alloc(96), 1000);
    assert.ok(isErrno(sync), JSON.stringify(sync));
    assert.equal(sync.syscall, 'ioctl(SG_IO)');
    assert.ok([E.ENOTTY, E.EINVAL, E.ENOSYS].includes(sync.errno), `errno ${sync.errno}`);
    const buf = Buffer.alloc(96, 0xaa);
    const async = await a.sgioAsync(fd as number, inquiryCdb({ allocationLength: 96 }), 'in', buf, 1000, 32);
    assert.deepEqual(async, sync);
    assert.ok(buf.equals(Buffer.alloc(96, 0xaa)), 'the data buffer is untouched');
    assert.deepEqual(await a.sgioAsync(fd as number, testUnitReadyCdb(), 'none', null, 0), sync);
  } finally {
    a.close(fd as number);
  }
});

test('sgio on a closed descriptor: EBADF', { skip }, async () => {
  const a = native();
  const fd = a.open('/dev/null', 'r', false) as number;
  a.close(fd);
  assert.deepEqual(a.sgio(fd, testUnitReadyCdb(), 'none', null, 1000), { errno: E.EBADF, syscall: 'ioctl(SG_IO)' });
});

test('sgio checks its arguments (TypeError), never the kernel', { skip }, () => {
  const a = native();
  const fd = a.open('/dev/null', 'r', false) as number;
  try {
    const cdb = testUnitReadyCdb();
    assert.throws(() => a.sgio(fd, Buffer.alloc(3), 'none', null, 1000), TypeError);
    assert.throws(() => a.sgio(fd, Buffer.alloc(17), 'none', null, 1000), TypeError);
    assert.throws(() => a.sgio(fd, cdb, 'sideways' as 'in', null, 1000), TypeError);
    assert.throws(() => a.sgio(fd, cdb, 'in', null, 1000), /need a data Buffer/);
    assert.throws(() => a.sgio(fd, cdb, 'none', null, 1000, 253), /senseLen/);
    assert.throws(() => (a.sgio as unknown as (...x: unknown[]) => unknown)(fd, cdb), /too few/);
    assert.throws(() => a.sgioAsync(fd, cdb, 'out', Buffer.alloc(0), 1000), TypeError);
  } finally {
    a.close(fd);
  }
});

test('ScsiChanger: a missing node is DEVICE_MISSING, a non-SCSI node CHANGER_FAILED', { skip }, async () => {
  await rejectsWith(() => new ScsiChanger('/nonexistent/sg9').inventory(), 'DEVICE_MISSING');
  const c = new ScsiChanger('/dev/null');
  await assert.rejects(
    () => c.load(1, 1),
    (e: unknown) => (e as { code?: string }).code === 'CHANGER_FAILED' && /INQUIRY on "\/dev\/null": ioctl\(SG_IO\) failed with E/.test((e as Error).message),
  );
});
