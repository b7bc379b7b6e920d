// Element address assignment page (0x1D) after MODE SENSE(6) and (10) headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { parseElementAddressAssignment } from '../../src/device/scsi/mode-page-1d.js';
import { hex } from './hex.js';

/** A 1-drive, 24-slot, 1-port library. */
const PAGE = `
  9D      # PS + page code 1D
  12      # page length 18
  00 01   # first transport address 1
  00 01   # 1 transport
  10 00   # first storage address 0x1000
  00 18   # 24 slots
  00 10   # first import/export address 0x10
  00 01   # 1 port
  01 00   # first data transfer address 0x100
  00 01   # 1 drive
  00 00   # reserved
`;

const EXPECTED = {
  transport: { first: 1, count: 1 },
  storage: { first: 0x1000, count: 24 },
  importExport: { first: 0x10, count: 1 },
  dataTransfer: { first: 0x100, count: 1 },
};

test('MODE SENSE(6) data, no block descriptor', () => {
  const data = hex(`17 # mode data length 23 | 00 # medium type | 00 # device-specific | 00 # no block descriptors ${PAGE}`);
  assert.equal(data.length, 24);
  assert.deepEqual(parseElementAddressAssignment(data), EXPECTED);
});

test('MODE SENSE(10) data with an 8-byte block descriptor', () => {
  const data = hex(`00 26 # length | 00 00 00 00 | 00 08 # block descriptor length
                    00 00 00 00 00 00 00 00 # the descriptor ${PAGE}`);
  assert.deepEqual(parseElementAddressAssignment(data, 10), EXPECTED);
});

test('another page, or a cut page, is CHANGER_FAILED', () => {
  assert.throws(
    () => parseElementAddressAssignment(hex('0B 00 00 00 | 1C 0A 00 00 00 00 00 00 00 00 00 00')),
    (e) => isAfError(e, 'CHANGER_FAILED') && /page 0x1c/.test(e.message),
  );
  assert.throws(() => parseElementAddressAssignment(hex(`17 00 00 00 ${PAGE}`).subarray(0, 20)), (e) => isAfError(e, 'CHANGER_FAILED'));
  assert.throws(() => parseElementAddressAssignment(hex('07 00 00 00 | 1D 02 00 01')), (e) => isAfError(e, 'CHANGER_FAILED'));
});
