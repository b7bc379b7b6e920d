// INQUIRY parsing: a changer and a tape drive, the attached-changer bit, VPD 0x80, short data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseInquiry, parseUnitSerialNumber } from '../../src/device/scsi/inquiry.js';
import { hex, ascii } from './hex.js';

const CHANGER = hex(`
  08            # qualifier 0, device type 8 (medium changer)
  80            # RMB
  05            # version SPC-3
  02            # response data format 2
  1F            # additional length 31: 36 bytes in all
  00 00 00      # flags
  48 50 20 20 20 20 20 20                          # vendor "HP      "
  4D 53 4C 20 47 33 20 53 65 72 69 65 73 20 20 20  # product "MSL G3 Series   "
  45 2E 30 30                                      # revision "E.00"
`);

const TAPE = hex(`
  01 | 80 | 06 | 12 # HiSup + format 2
  3B | 00 | 08 # MCHNGR | 00
  ${ascii('IBM', 8)}
  ${ascii('ULT3580-TD6', 16)}
  47 33 35 30       # revision "G350"
  ${'00'.repeat(24)} # vendor-specific bytes 36..59
`);

test('a medium changer', () => {
  assert.deepEqual(parseInquiry(CHANGER), {
    qualifier: 0,
    deviceType: 8,
    deviceTypeName: 'medium changer',
    removable: true,
    version: 5,
    responseDataFormat: 2,
    attachedChanger: false,
    vendor: 'HP',
    product: 'MSL G3 Series',
    revision: 'E.00',
  });
});

test('a tape drive with an attached changer', () => {
  const d = parseInquiry(TAPE);
  assert.equal(d.deviceType, 1);
  assert.equal(d.deviceTypeName, 'tape');
  assert.equal(d.attachedChanger, true);
  assert.equal(d.responseDataFormat, 2);
  assert.equal(d.version, 6);
  assert.deepEqual([d.vendor, d.product, d.revision], ['IBM', 'ULT3580-TD6', 'G350']);
});

test('no device at this LUN: qualifier 3, type 0x1F', () => {
  const b = Buffer.from(CHANGER);
  b[0] = 0x7f;
  const d = parseInquiry(b);
  assert.equal(d.qualifier, 3);
  assert.equal(d.deviceTypeName, 'unknown');
});

test('INQUIRY data shorter than 36 bytes is DEVICE_IO', () => {
  assert.throws(() => parseInquiry(CHANGER.subarray(0, 30)), (e) => isAfError(e, 'DEVICE_IO') && /too short/.test(e.message));
});

test('unit serial number page', () => {
  assert.equal(parseUnitSerialNumber(hex(`01 80 | 00 0C # length 12 | 20 20 ${ascii('1068000123', 10)}`)), '1068000123');
  assert.throws(() => parseUnitSerialNumber(hex('01 83 00 00')), (e) => isAfError(e, 'DEVICE_IO'));
  assert.throws(() => parseUnitSerialNumber(hex('01 80 00 20 41 42')), (e) => isAfError(e, 'DEVICE_IO'));
});
