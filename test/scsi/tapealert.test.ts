// TapeAlert: the flag table, log page 0x2E parameters, log page 0x12 bit field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseTapeAlert, tapeAlertFlag, TAPEALERT_FLAGS } from '../../src/device/scsi/tapealert.js';
import { hex } from './hex.js';

test('64 flags, numbered 1..64, well-known names', () => {
  assert.equal(TAPEALERT_FLAGS.length, 64);
  TAPEALERT_FLAGS.forEach((f, i) => assert.equal(f.code, i + 1));
  assert.equal(tapeAlertFlag(0x03).name, 'Hard error');
  assert.equal(tapeAlertFlag(0x14).name, 'Clean now');
  assert.equal(tapeAlertFlag(0x14).severity, 'critical');
  assert.equal(tapeAlertFlag(0x15).name, 'Clean periodic');
  assert.equal(tapeAlertFlag(0x04).name, 'Media');
  assert.equal(tapeAlertFlag(0x3c).name, 'WORM medium overwrite attempted');
  assert.throws(() => tapeAlertFlag(0), (e) => isAfError(e, 'DEVICE_IO'));
  assert.throws(() => tapeAlertFlag(65), (e) => isAfError(e, 'DEVICE_IO'));
});

test('page 0x2E with three parameters, two set', () => {
  const r = parseTapeAlert(
    hex(`2E 00 | 00 0F # page length 15
         00 03 | 00 | 01 | 01   # flag 3 set
         00 14 | 00 | 01 | 01   # flag 20 set
         00 01 | 00 | 01 | 00   # flag 1 clear`),
  );
  assert.equal(r.page, 0x2e);
  assert.deepEqual(r.active.map((f) => f.name), ['Hard error', 'Clean now']);
  assert.equal(r.mask, (1n << 2n) | (1n << 19n));
});

test('a full page 0x2E of 64 parameters', () => {
  // Built naively: five bytes per flag, flags 1, 11 and 64 set.
  let body = '';
  for (let code = 1; code <= 64; code++) body += `00 ${code.toString(16).padStart(2, '0')} 03 01 ${[1, 11, 64].includes(code) ? '01' : '00'} `;
  const r = parseTapeAlert(hex(`2E 00 01 40 ${body}`));
  assert.deepEqual(r.active.map((f) => f.code), [1, 11, 64]);
  assert.equal(r.mask, 1n | (1n << 10n) | (1n << 63n));
});

test('a page cut by the allocation length keeps the parameters that arrived', () => {
  const r = parseTapeAlert(hex('2E 00 01 40 | 00 01 03 01 01 | 00 02 03 01 01 | 00 03 03'));
  assert.deepEqual(r.active.map((f) => f.code), [1, 2]);
});

test('page 0x12, one 8-byte bit field', () => {
  const r = parseTapeAlert(
    hex(`12 00 00 0C
         00 00 | 03 | 08            # parameter 0, 8 bytes
         20 # flags 1-8: flag 3 | 00 # flags 9-16 | 10 # flags 17-24: flag 20 | 00 00 00 00
         01 # flags 57-64: flag 64`),
  );
  assert.equal(r.page, 0x12);
  assert.deepEqual(r.active.map((f) => f.code), [3, 20, 64]);
});

test('no flags set, or another page', () => {
  assert.deepEqual(parseTapeAlert(hex('2E 00 00 00')).active, []);
  assert.throws(() => parseTapeAlert(hex('17 00 00 00')), (e) => isAfError(e, 'DEVICE_IO'));
  assert.throws(() => parseTapeAlert(hex('2E 00')), (e) => isAfError(e, 'DEVICE_IO'));
});
