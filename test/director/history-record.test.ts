/**
 * One idea: a job record's text form round-trips exactly, and a damaged record is a
 * STATE_SYNTAX error naming the file and the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJobRecord, isoWithOffset, parseJobRecord, type JobRecord } from '../../src/director/history/job-record.js';
import { isAfError } from '../../src/errors.js';

const FULL: JobRecord = {
  id: 17, job: 'fileserver-backup', client: 'fileserver', level: 'Incremental', status: 'error',
  scheduled: '2026-03-01T23:05:00+01:00', start: '2026-03-01T23:05:02+01:00', end: '2026-03-01T23:41:10.250+01:00',
  files: 1234, bytes: 987654321, cartridges: [1, 2, 3, 7], tapeFiles: [{ cartridge: 3, file: 4 }, { cartridge: 1, file: 12 }],
  reschedules: 2, error: 'client said:\n  "disk full" \\ no space ',
};

const FULL_TEXT = [
  'id: 17', 'job: fileserver-backup', 'client: fileserver', 'level: Incremental', 'status: error',
  'scheduled: 2026-03-01T23:05:00+01:00', 'start: 2026-03-01T23:05:02+01:00', 'end: 2026-03-01T23:41:10.250+01:00',
  'files: 1234', 'bytes: 987654321', 'cartridges: 1-3,7', 'tapefiles: 3.4 1.12', 'reschedules: 2',
  'error: client said:\\n  "disk full" \\\\ no space ', '',
].join('\n');

const MINIMAL: JobRecord = {
  id: 1, job: 'j', client: 'c', level: 'Full', status: 'running',
  files: 0, bytes: 0, cartridges: [], tapeFiles: [], reschedules: 0,
};

test('format gives the documented text', () => {
  assert.equal(formatJobRecord(FULL), FULL_TEXT);
  assert.equal(formatJobRecord(MINIMAL), 'id: 1\njob: j\nclient: c\nlevel: Full\nstatus: running\nfiles: 0\nbytes: 0\ncartridges:\ntapefiles:\nreschedules: 0\n');
});

test('records and texts round-trip exactly', () => {
  for (const r of [FULL, MINIMAL, { ...MINIMAL, error: '' }, { ...MINIMAL, job: 'Sicherung-Büro', status: 'canceled' as const, start: '2026-07-01T00:00:00Z' }]) {
    const text = formatJobRecord(r);
    assert.deepEqual(parseJobRecord(text, 'r'), r);
    assert.equal(formatJobRecord(parseJobRecord(text, 'r')), text);
  }
});

test('comments and blank lines are skipped; any key order is read', () => {
  const text = '# written by hand\nstatus: ok\n\nid: 1\njob: j\nclient: c\nlevel: Full\n';
  assert.deepEqual(parseJobRecord(text, 'r'), { ...MINIMAL, status: 'ok' });
});

test('damaged records name file and line', () => {
  const bad: [string, number, RegExp][] = [
    [FULL_TEXT.replace('status: error', 'stauts: error'), 5, /unknown key "stauts"/],
    [FULL_TEXT.replace('files: 1234', 'files: 12x4'), 9, /"files" must be a whole number/],
    [FULL_TEXT.replace('level: Incremental', 'level: incr'), 4, /unknown level/],
    [FULL_TEXT.replace('start: 2026-03-01T23:05:02+01:00', 'start: 2026-03-01 23:05'), 7, /ISO 8601/],
    [FULL_TEXT.replace('cartridges: 1-3,7', 'cartridges: 1-x'), 11, /range list/],
    [FULL_TEXT.replace('tapefiles: 3.4 1.12', 'tapefiles: 3.4 1,12'), 12, /"1,12" is not cartridge.file/],
    [FULL_TEXT + 'id: 18\n', 15, /"id" given twice \(first on line 1\)/],
    [FULL_TEXT.replace('bytes: 987654321', 'bytes 987654321'), 10, /expected "key: value"/],
    [FULL_TEXT.replace('error: client said:\\n', 'error: client said:\\q'), 14, /escape/],
  ];
  for (const [text, line, what] of bad) {
    assert.throws(() => parseJobRecord(text, '/v/jobs/17'), (err: unknown) => {
      assert.ok(isAfError(err, 'STATE_SYNTAX'), String(err));
      assert.match(err.detail!, new RegExp(`^"/v/jobs/17" line ${line}: `), err.detail);
      assert.match(err.detail!, what);
      return true;
    });
  }
  assert.throws(() => parseJobRecord('id: 1\njob: j\nclient: c\nlevel: Full\n', 'f'), /"status:" is missing/);
});

test('format refuses what it could not read back', () => {
  assert.throws(() => formatJobRecord({ ...MINIMAL, job: 'a\nb' }), TypeError);
  assert.throws(() => formatJobRecord({ ...MINIMAL, start: '2026-03-01T23:05:00' }), TypeError);
  assert.throws(() => formatJobRecord({ ...MINIMAL, cartridges: [3, 1] }), TypeError);
});

test('isoWithOffset writes local time with the zone offset', () => {
  const d = new Date('2026-03-01T22:05:00Z');
  assert.equal(isoWithOffset(d, 'Europe/Berlin'), '2026-03-01T23:05:00+01:00');
  assert.equal(isoWithOffset(new Date('2026-07-01T22:05:00Z'), 'Europe/Berlin'), '2026-07-02T00:05:00+02:00');
  assert.equal(isoWithOffset(d, 'America/St_Johns'), '2026-03-01T18:35:00-03:30');
  assert.equal(isoWithOffset(d, 'UTC'), '2026-03-01T22:05:00+00:00');
  assert.equal(Date.parse(isoWithOffset(d)), d.getTime());
});
