// CDB builders: exact bytes for every command, and argument checking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import {
  inquiryCdb,
  initializeElementStatusCdb,
  initializeElementStatusRangeCdb,
  logSenseCdb,
  modeSense10Cdb,
  modeSense6Cdb,
  moveMediumCdb,
  readElementStatusCdb,
  requestSenseCdb,
  testUnitReadyCdb,
} from '../../src/device/scsi/cdb.js';
import { hex } from './hex.js';

const throwsCode = (fn: () => unknown, code: 'CHANGER_FAILED' | 'DEVICE_IO') =>
  assert.throws(fn, (e) => isAfError(e, code));

test('TEST UNIT READY is six zero bytes', () => {
  assert.deepEqual(testUnitReadyCdb(), hex('00 00 00 00 00 00'));
});

test('REQUEST SENSE: opcode 03, DESC bit, allocation length in byte 4', () => {
  assert.deepEqual(requestSenseCdb(), hex('03 00 00 00 FC 00'));
  assert.deepEqual(requestSenseCdb({ allocationLength: 18, descriptor: true }), hex('03 01 00 00 12 00'));
  throwsCode(() => requestSenseCdb({ allocationLength: 256 }), 'DEVICE_IO');
});

test('INQUIRY standard and VPD', () => {
  assert.deepEqual(inquiryCdb(), hex('12 | 00 # EVPD 0 | 00 # page | 00 60 # alloc 96 | 00'));
  assert.deepEqual(inquiryCdb({ vpdPage: 0x80 }), hex('12 | 01 # EVPD | 80 # unit serial | 00 FF | 00'));
  assert.deepEqual(inquiryCdb({ vpdPage: 0x83, allocationLength: 0x1000 }), hex('12 01 83 10 00 00'));
  throwsCode(() => inquiryCdb({ vpdPage: 0x100 }), 'DEVICE_IO');
  throwsCode(() => inquiryCdb({ allocationLength: -1 }), 'DEVICE_IO');
  throwsCode(() => inquiryCdb({ allocationLength: 1.5 }), 'DEVICE_IO');
});

test('MODE SENSE(6) for page 0x1D', () => {
  assert.deepEqual(modeSense6Cdb(), hex('1A | 08 # DBD | 1D # PC 0, page 1D | 00 # subpage | FF # alloc | 00'));
  assert.deepEqual(modeSense6Cdb({ dbd: false, pageControl: 2, allocationLength: 136 }), hex('1A 00 9D 00 88 00'));
  throwsCode(() => modeSense6Cdb({ allocationLength: 0x100 }), 'CHANGER_FAILED');
  throwsCode(() => modeSense6Cdb({ page: 0x40 }), 'CHANGER_FAILED');
  throwsCode(() => modeSense6Cdb({ pageControl: 4 }), 'CHANGER_FAILED');
});

test('MODE SENSE(10) for page 0x1D', () => {
  assert.deepEqual(modeSense10Cdb(), hex('5A | 08 | 1D | 00 | 00 00 00 # reserved | FF FF # alloc | 00'));
  assert.deepEqual(modeSense10Cdb({ allocationLength: 0x200 }), hex('5A 08 1D 00 00 00 00 02 00 00'));
  throwsCode(() => modeSense10Cdb({ allocationLength: 0x10000 }), 'CHANGER_FAILED');
});

test('READ ELEMENT STATUS', () => {
  assert.deepEqual(
    readElementStatusCdb({ elementType: 2, startingAddress: 0x1000, numberOfElements: 24, volumeTags: true }),
    hex(`B8
         12        # VOLTAG 0x10 + type 2 (storage)
         10 00     # starting address 0x1000
         00 18     # 24 elements
         00        # no DVCID, no CURDATA
         00 FF FF  # allocation length 0xFFFF
         00 00     # reserved, control`),
  );
  assert.deepEqual(
    readElementStatusCdb({ elementType: 4, startingAddress: 0x100, numberOfElements: 2, deviceIds: true, allocationLength: 0x123456 }),
    hex('B8 04 01 00 00 02 01 12 34 56 00 00'),
  );
  assert.deepEqual(
    readElementStatusCdb({ elementType: 0, startingAddress: 0, numberOfElements: 0xffff, currentData: true, attached: true }),
    hex('B4 00 00 00 FF FF 02 00 FF FF 00 00'),
  );
  throwsCode(() => readElementStatusCdb({ elementType: 5, startingAddress: 0, numberOfElements: 1 }), 'CHANGER_FAILED');
  throwsCode(() => readElementStatusCdb({ elementType: 2, startingAddress: 0x10000, numberOfElements: 1 }), 'CHANGER_FAILED');
  throwsCode(() => readElementStatusCdb({ elementType: 2, startingAddress: 0, numberOfElements: -1 }), 'CHANGER_FAILED');
  throwsCode(
    () => readElementStatusCdb({ elementType: 2, startingAddress: 0, numberOfElements: 1, allocationLength: 0x1000000 }),
    'CHANGER_FAILED',
  );
});

test('MOVE MEDIUM', () => {
  assert.deepEqual(
    moveMediumCdb({ transport: 1, source: 0x1002, destination: 0x100 }),
    hex(`A5 00
         00 01   # transport
         10 02   # source
         01 00   # destination
         00 00   # reserved
         00      # INVERT 0
         00`),
  );
  assert.deepEqual(moveMediumCdb({ transport: 0, source: 1, destination: 2, invert: true, attached: true }), hex('A7 00 0000 0001 0002 0000 01 00'));
  throwsCode(() => moveMediumCdb({ transport: 0, source: 70000, destination: 1 }), 'CHANGER_FAILED');
  throwsCode(() => moveMediumCdb({ transport: 0, source: 1, destination: NaN }), 'CHANGER_FAILED');
});

test('INITIALIZE ELEMENT STATUS, with and without range', () => {
  assert.deepEqual(initializeElementStatusCdb(), hex('07 00 00 00 00 00'));
  assert.deepEqual(
    initializeElementStatusRangeCdb({ startingAddress: 0x1000, numberOfElements: 24, fast: true }),
    hex('37 | 03 # RANGE, FAST | 10 00 | 00 00 | 00 18 | 00 00'),
  );
  throwsCode(() => initializeElementStatusRangeCdb({ startingAddress: 0, numberOfElements: 0x10000 }), 'CHANGER_FAILED');
});

test('LOG SENSE for TapeAlert', () => {
  assert.deepEqual(logSenseCdb(), hex('4D | 00 # PPC 0 SP 0 | 6E # PC 1 cumulative, page 2E | 00 | 00 | 00 00 # param ptr | 02 00 # alloc | 00'));
  assert.deepEqual(logSenseCdb({ page: 0x12, pageControl: 0, allocationLength: 0x40 }), hex('4D 00 12 00 00 00 00 00 40 00'));
  throwsCode(() => logSenseCdb({ page: 0x40 }), 'DEVICE_IO');
  throwsCode(() => logSenseCdb({ parameterPointer: 0x10000 }), 'DEVICE_IO');
});
