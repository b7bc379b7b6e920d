// Sense data: fixed and descriptor format, the common changer and drive conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseSense, senseMessage } from '../../src/device/scsi/sense.js';
import { hex } from './hex.js';

/** Fixed-format current sense, 18 bytes, with the given key and ASC/ASCQ. */
function fixed(key: string, asc: string, ascq: string): Buffer {
  return hex(`70 # current, fixed | 00 | ${key} # sense key | 00 00 00 00 # information
              0A # additional length 10 | 00 00 00 00 # command-specific
              ${asc} ${ascq} | 00 # FRU | 00 00 00 # sense-key specific`);
}

test('not ready, medium not present', () => {
  const s = parseSense(fixed('02', '3A', '00'));
  assert.equal(s.format, 'fixed');
  assert.equal(s.current, true);
  assert.deepEqual([s.senseKey, s.asc, s.ascq], [2, 0x3a, 0]);
  assert.equal(s.message, 'Not ready: medium not present');
  assert.equal(s.information, undefined);
});

test('not ready, becoming ready', () => {
  assert.equal(parseSense(fixed('02', '04', '01')).message, 'Not ready: logical unit is becoming ready');
});

test('illegal request: destination full, source empty, invalid element, invalid field', () => {
  assert.equal(parseSense(fixed('05', '3B', '0D')).message, 'Illegal request: medium destination element full');
  assert.equal(parseSense(fixed('05', '3B', '0E')).message, 'Illegal request: medium source element empty');
  assert.equal(parseSense(fixed('05', '21', '01')).message, 'Illegal request: invalid element address');
  assert.equal(parseSense(fixed('05', '24', '00')).message, 'Illegal request: invalid field in CDB');
});

test('unit attention after a door was opened', () => {
  const s = parseSense(fixed('06', '28', '00'));
  assert.equal(s.senseKey, 6);
  assert.equal(s.message, 'Unit attention: not ready to ready change, medium may have changed');
});

test('unknown codes are named by key and hex', () => {
  assert.equal(parseSense(fixed('04', '80', '01')).message, 'Hardware error: additional sense code 80/01');
  assert.equal(parseSense(fixed('00', '00', '00')).message, 'No sense');
  assert.equal(senseMessage(0x0b, 0x47, 0x00), 'Aborted command: additional sense code 47/00');
});

test('fixed format with VALID information, FILEMARK, deferred', () => {
  const s = parseSense(hex('F1 # VALID + deferred | 00 | 80 # FILEMARK, key 0 | 00 00 00 05 # info 5 | 0A 00000000 | 00 01 | 00 000000'));
  assert.equal(s.current, false);
  assert.equal(s.filemark, true);
  assert.equal(s.eom, false);
  assert.equal(s.information, 5);
  assert.equal(s.message, 'No sense: filemark detected');
});

test('short fixed sense (8 bytes, no ASC) still gives the key', () => {
  const s = parseSense(hex('70 00 02 00 00 00 00 00'));
  assert.deepEqual([s.senseKey, s.asc, s.ascq], [2, 0, 0]);
  assert.equal(s.message, 'Not ready');
});

test('descriptor format with information and stream descriptors', () => {
  const s = parseSense(
    hex(`72 # current, descriptor | 08 # BLANK CHECK | 00 05 # end of data | 00 00 00
         10 # additional length 16
         00 0A 80 00 | 00 00 00 00 00 00 01 00 # information descriptor, VALID, 256
         04 02 00 40 # stream commands descriptor, EOM`),
  );
  assert.equal(s.format, 'descriptor');
  assert.equal(s.information, 256);
  assert.equal(s.eom, true);
  assert.equal(s.message, 'Blank check: end of data detected');
});

test('descriptor format, deferred, no descriptors', () => {
  const s = parseSense(hex('73 05 3B 0E 00 00 00 00'));
  assert.equal(s.current, false);
  assert.equal(s.message, 'Illegal request: medium source element empty');
});

test('anything else is not sense data', () => {
  assert.throws(() => parseSense(hex('00 00 00 00')), (e) => isAfError(e, 'DEVICE_IO'));
  assert.throws(() => parseSense(Buffer.alloc(0)), (e) => isAfError(e, 'DEVICE_IO'));
  assert.throws(() => parseSense(hex('72 05')), (e) => isAfError(e, 'DEVICE_IO'));
});
