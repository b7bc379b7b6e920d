// Backup-Device specifications: drives, changers, slots, load ports, escapes, vtl:.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseDeviceSpecs } from '../../src/config/device-spec.js';

test('a plain device', () => {
  assert.deepEqual(parseDeviceSpecs('/dev/nst0'), [{ kind: 'device', device: '/dev/nst0', drive: 0 }]);
});

test('spec §7.1 example: /dev/nst0@/dev/sg0#7', () => {
  assert.deepEqual(parseDeviceSpecs('/dev/nst0@/dev/sg0#7'), [
    { kind: 'device', device: '/dev/nst0', drive: 0, changer: '/dev/sg0', slots: 7 },
  ]);
});

test('spec §7.1 example with blanks: /dev/nst0 =1 @ /dev/sg0 #6 ^2', () => {
  assert.deepEqual(parseDeviceSpecs('/dev/nst0 =1 @ /dev/sg0 #6 ^2'), [
    { kind: 'device', device: '/dev/nst0', drive: 0, changer: '/dev/sg0', slots: 6, loadports: 2 },
  ]);
});

test('several devices, drive numbers stored 0-based', () => {
  assert.deepEqual(parseDeviceSpecs('/dev/nst0=1@/dev/sg0#20^1 /dev/nst1 = 2 @ /dev/sg0 # 20 /dev/nst2'), [
    { kind: 'device', device: '/dev/nst0', drive: 0, changer: '/dev/sg0', slots: 20, loadports: 1 },
    { kind: 'device', device: '/dev/nst1', drive: 1, changer: '/dev/sg0', slots: 20 },
    { kind: 'device', device: '/dev/nst2', drive: 0 },
  ]);
});

test('load ports before slots are accepted', () => {
  assert.deepEqual(parseDeviceSpecs('/dev/nst0@/dev/sg1^0#4'), [
    { kind: 'device', device: '/dev/nst0', drive: 0, changer: '/dev/sg1', slots: 4, loadports: 0 },
  ]);
});

test('backslash escapes special characters and blanks', () => {
  assert.deepEqual(parseDeviceSpecs('/tape/dir\\#1\\ x@/dev/ch\\@0'), [
    { kind: 'device', device: '/tape/dir#1 x', drive: 0, changer: '/dev/ch@0' },
  ]);
});

test('a directory device and the no-device dash', () => {
  assert.deepEqual(parseDeviceSpecs('/srv/afdemo/tape/vol'), [{ kind: 'device', device: '/srv/afdemo/tape/vol', drive: 0 }]);
  assert.deepEqual(parseDeviceSpecs('-'), [{ kind: 'none', device: '-', drive: 0 }]);
});

test('vtl: with absolute and relative library directories', () => {
  assert.deepEqual(parseDeviceSpecs('vtl:/srv/vtl'), [{ kind: 'vtl', device: 'vtl:/srv/vtl', drive: 0, library: '/srv/vtl' }]);
  assert.deepEqual(parseDeviceSpecs('vtl:library =2', { baseDir: '/var/lib/afbackup' }), [
    { kind: 'vtl', device: 'vtl:library', drive: 1, library: '/var/lib/afbackup/library' },
  ]);
  assert.deepEqual(parseDeviceSpecs('vtl:../lib/./x', { baseDir: '/var/afb' }), [
    { kind: 'vtl', device: 'vtl:../lib/./x', drive: 0, library: '/var/lib/x' },
  ]);
});

test('errors name the specification', () => {
  for (const bad of ['=1', '/dev/nst0=', '/dev/nst0=0', '/dev/nst0=x', '/dev/nst0@', '/dev/nst0@/dev/sg0#', '/dev/nst0@/dev/sg0#0', '/dev/nst0#3', 'vtl:']) {
    assert.throws(
      () => parseDeviceSpecs(bad),
      (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && e.message.includes(`"${bad}"`),
      bad,
    );
  }
});

test('empty text gives no devices', () => {
  assert.deepEqual(parseDeviceSpecs('   '), []);
});
