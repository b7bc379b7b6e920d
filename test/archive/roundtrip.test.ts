/**
 * Every record kind survives encode → decode, fed whole and split at every byte
 * offset; truncated, corrupted and garbage-led streams behave as specified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { END_MARK, archivePadding, encodeEntrySync, informationRecord } from '../../src/archive/packer.js';
import { Unpacker, readArchive, type UnpackEvent } from '../../src/archive/unpacker.js';
import { listingLine } from '../../src/archive/listing.js';
import type { Entry } from '../../src/archive/records.js';
import { goldenArchive } from './fixtures.js';

const L = (s: string): Buffer => Buffer.from(s, 'latin1');
const base = { mode: 0o100644, mtime: 1577934245, uid: 1000, gid: 100 };

const SAMPLES: Array<{ entry: Entry; data?: Buffer }> = [
  { entry: { kind: 'information', text: L('hdr\x08\n## Full backup') } },
  { entry: { kind: 'fifo', name: L('d/fifo'), ...base, mode: 0o10644 } },
  { entry: { kind: 'socket', name: L('d/sock'), ...base, mode: 0o140755 } },
  { entry: { kind: 'blockdevice', name: L('dev/sda'), ...base, mode: 0o60660, rdev: 2048 } },
  { entry: { kind: 'chardevice', name: L('dev/null'), ...base, mode: 0o20666, rdev: 259 } },
  { entry: { kind: 'symlink', name: L('d/l;.'), ...base, target: L('caf\xe9') } },
  { entry: { kind: 'hardlink', name: L('d/h'), ...base, target: L('d/f') } },
  { entry: { kind: 'directory', name: L('d'), ...base, mode: 0o40755, noVerify: true } },
  { entry: { kind: 'file', name: L('d/f'), ...base, crc: false, unprocess: Buffer.alloc(0), size: 6 }, data: L('hello\n') },
  { entry: { kind: 'file', name: L('d/c'), ...base, crc: true, unprocess: Buffer.alloc(0), size: 3 }, data: L('a.;') },
  { entry: { kind: 'file', name: L('d/z'), ...base, crc: false, unprocess: L('.'), size: 0 }, data: L('zzzzzzzzzzzzzzzzzzzzzz') },
  { entry: { kind: 'file', name: L('d/g'), ...base, crc: true, unprocess: L('gunzip'), size: 0 }, data: Buffer.alloc(4095, 7) },
  { entry: { kind: 'filecontents', mtime: 5, name: L('/../dev/x'), crc: true, unprocess: Buffer.alloc(0) }, data: Buffer.alloc(300, 1) },
  { entry: { kind: 'filecontents', mtime: 5, name: L('/../dev/y'), crc: false, unprocess: Buffer.alloc(0) }, data: Buffer.alloc(255, 2) },
  { entry: { kind: 'command', command: L('||| echo hi ||| cat ### comment'), crc: true }, data: L('hi\n') },
  { entry: { kind: 'command', command: L('||| big ||| cat'), crc: false }, data: Buffer.alloc(8192 * 2 + 5, 3) },
  { entry: { kind: 'posixAcl', types: 3, acls: [L('user::rw-\nuser:joe:r--\n'), L('default:user::rwx\n')] } },
  { entry: { kind: 'posixAcl', types: 0, acls: [] } },
];

const archive = Buffer.concat([...SAMPLES.map((s) => encodeEntrySync(s.entry, s.data, { zlibLevel: 9 })), END_MARK]);

test('spec §5.3 examples encode exactly', () => {
  const cmd = encodeEntrySync({ kind: 'command', command: L('||| echo hi ||| cat ### comment'), crc: true }, L('hi\n'));
  assert.deepEqual(cmd, Buffer.concat([L('121;31;||| echo hi ||| cat ### comment;\x00\x03hi\n'), Buffer.from('ed6f7a7a', 'hex'), L('.')]));
  assert.deepEqual(informationRecord(L('my header')), L('100;9;my header.'));
  assert.deepEqual(
    encodeEntrySync({ kind: 'symlink', name: L('tmp/afbtest/data/link'), mode: 41471, mtime: 1577934245, uid: 0, gid: 0, target: L('hello.txt') }),
    L('3;41471;1577934245;0;0;21;tmp/afbtest/data/link;9;hello.txt.'),
  );
  assert.deepEqual(
    encodeEntrySync({ kind: 'fifo', name: L('tmp/afbtest/data/fifo'), mode: 4516, mtime: 1577934245, uid: 0, gid: 0 }),
    L('2;4516;1577934245;0;0;21;tmp/afbtest/data/fifo.'),
  );
  assert.deepEqual(encodeEntrySync({ kind: 'directory', name: L('d'), ...base, noVerify: true }).subarray(0, 4), L('261;'));
  assert.equal(archivePadding(1000).length, 0);
  assert.equal(archivePadding(1001).length, 999);
  const exact = encodeEntrySync({ kind: 'file', name: L('x'), ...base, crc: false, unprocess: L('gzip -d'), size: 0 }, Buffer.alloc(4095));
  assert.deepEqual(exact.subarray(-3), Buffer.from([0, 0, 0x2e]), 'a zero-length chunk ends an exact multiple of 4095');
});

test('every record kind round-trips whole', async () => {
  const { entries, errors, ended } = await readArchive(archive);
  assert.deepEqual(errors, []);
  assert.equal(ended, true);
  assert.equal(entries.length, SAMPLES.length);
  SAMPLES.forEach((s, i) => {
    assert.deepEqual(entries[i]!.entry, s.entry);
    if (s.data) {
      assert.deepEqual(entries[i]!.data, s.data);
      if ('crc' in s.entry && s.entry.crc) assert.equal(entries[i]!.crcOk, true);
    }
    assert.ok(Buffer.isBuffer(listingLine(s.entry)));
  });
});

/** Normalised core events: data merged per entry. */
function coreEvents(chunks: Buffer[]): string[] {
  const u = new Unpacker();
  const evs: UnpackEvent[] = [];
  for (const c of chunks) evs.push(...u.push(c));
  evs.push(...u.end());
  const out: string[] = [];
  let data: Buffer[] = [];
  for (const e of evs) {
    if (e.type === 'data') { data.push(e.data); continue; }
    if (data.length) { out.push('data ' + Buffer.concat(data).toString('hex')); data = []; }
    out.push(e.type === 'error' ? 'error ' + e.error.message : JSON.stringify(e));
  }
  return out;
}

test('split at every byte offset gives the same events', async () => {
  const whole = coreEvents([archive]);
  assert.ok(!whole.some((s) => s.startsWith('error')));
  for (let i = 0; i <= archive.length; i++) {
    assert.deepEqual(coreEvents([archive.subarray(0, i), archive.subarray(i)]), whole, `split at ${i}`);
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < archive.length; i++) bytes.push(archive.subarray(i, i + 1));
  assert.deepEqual(coreEvents(bytes), whole);
  const viaAsync = await readArchive(bytes);
  assert.deepEqual(viaAsync, await readArchive(archive));
});

test('a truncated archive yields the intact entries, then ARCHIVE_DAMAGED naming the damaged one', async () => {
  const golden = goldenArchive('tree-plain');
  const cut = golden.subarray(0, 5000); // inside sub/random.bin
  const { entries, errors, ended } = await readArchive(cut);
  assert.equal(ended, false);
  assert.deepEqual(entries.filter((r) => r.complete).map((r) => (r.entry as { name: Buffer }).name.toString('latin1')), [
    '/srv/afdemo/data/link-to-text', '/srv/afdemo/data/text.txt', '/srv/afdemo/data/empty', '/srv/afdemo/data/sub/hardlink.txt',
  ]);
  assert.equal(errors.length, 1);
  assert.ok(isAfError(errors[0], 'ARCHIVE_DAMAGED'));
  assert.match(errors[0]!.message, /random\.bin/);
  // cut at every offset of the small archive: never throws, always one final error
  for (let i = 0; i < archive.length - 1; i++) {
    const r = await readArchive(archive.subarray(0, i));
    assert.equal(r.ended, false);
    assert.equal(r.errors.length, 1, `cut at ${i}`);
    assert.ok(r.entries.filter((e) => e.complete).length <= SAMPLES.length);
  }
});

test('garbage between records is reported once and reading resynchronises', async () => {
  const a = encodeEntrySync(SAMPLES[8]!.entry, SAMPLES[8]!.data);
  const b = encodeEntrySync(SAMPLES[1]!.entry);
  const junk = Buffer.from('\x00\xff12x;;9999999999999999999999999999999999999999999999;zz');
  const { entries, errors, ended } = await readArchive(Buffer.concat([a, junk, b, END_MARK]));
  assert.equal(ended, true);
  assert.deepEqual(entries.map((r) => r.entry), [SAMPLES[8]!.entry, SAMPLES[1]!.entry]);
  assert.equal(errors.length, 1);
  assert.ok(isAfError(errors[0], 'ARCHIVE_DAMAGED'));
});

test('a corrupted CRC and a missing terminator are reported; later entries survive', async () => {
  const crcRec = Buffer.from(encodeEntrySync(SAMPLES[9]!.entry, SAMPLES[9]!.data));
  crcRec[crcRec.length - 2] ^= 1;
  const broken = Buffer.from(encodeEntrySync(SAMPLES[8]!.entry, SAMPLES[8]!.data));
  broken[broken.length - 1] = 0x21; // '!' instead of '.'
  const after = encodeEntrySync(SAMPLES[2]!.entry);
  const r = await readArchive(Buffer.concat([crcRec, broken, after, END_MARK]));
  assert.equal(r.entries[0]!.crcOk, false);
  assert.equal(r.entries[1]!.complete, false);
  assert.deepEqual(r.entries.at(-1)!.entry, SAMPLES[2]!.entry);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0]!.message, /CRC mismatch/);
  assert.match(r.errors[1]!.message, /not terminated/);
  assert.equal(r.ended, true);
});

test('leading garbage: reported normally, silent with skipLeadingGarbage (-g)', async () => {
  const golden = goldenArchive('tree-plain');
  const mid = golden.subarray(golden.indexOf(L('5;16877;1465193166')) - 100); // starts inside random.bin
  const loud = await readArchive(mid);
  assert.equal(loud.errors.length, 1);
  const quiet = await readArchive(mid, { skipLeadingGarbage: true });
  assert.deepEqual(quiet.errors, []);
  assert.equal(quiet.ended, true);
  assert.deepEqual(quiet.entries.map((r) => (r.entry as { name: Buffer }).name.toString('latin1')), [
    '/srv/afdemo/data/sub', '/srv/afdemo/data/caf\xe9.txt', '/srv/afdemo/data',
  ]);
});

test('damaged zlib data is an ARCHIVE_DAMAGED error', async () => {
  const e: Entry = { kind: 'file', name: L('z'), ...base, crc: false, unprocess: L('.'), size: 0 };
  const bad = encodeEntrySync(e, L('not zlib'), { deflateSync: (d) => d });
  const r = await readArchive(Buffer.concat([bad, END_MARK]));
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /inflate/);
  assert.equal(r.ended, true);
});
