/**
 * The three golden archives of vectors §8: decoded entries, the `-t -v` listing
 * byte for byte, and re-encoding back to the archive bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { readArchive, type ReadEntry } from '../../src/archive/unpacker.js';
import { listing } from '../../src/archive/listing.js';
import {
  END_MARK,
  archivePadding,
  encodeData,
  encodeEntrySync,
  type DataOptions,
} from '../../src/archive/packer.js';
import { type Entry, type RegularFile } from '../../src/archive/records.js';
import { GOLDENS, goldenArchive, goldenListing, treeSums, type Golden } from './fixtures.js';

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
const L = (s: string): Buffer => Buffer.from(s, 'latin1');
const P = '/srv/afdemo/';

function reencode(entries: readonly ReadEntry[], opts: DataOptions): Buffer {
  const parts = entries.map((r) => encodeEntrySync(r.entry, r.data, opts));
  parts.push(END_MARK);
  const body = Buffer.concat(parts);
  return Buffer.concat([body, archivePadding(body.length)]);
}

/** A deflater that hands back the golden's own zlib bytes for the same input. */
function replayDeflater(entries: readonly ReadEntry[], golden: Buffer) {
  const map = new Map<string, Buffer>();
  for (const r of entries) {
    const e = r.entry;
    if (e.kind !== 'file' || e.unprocess.length === 0) continue;
    map.set(sha(r.data!), storedBytes(golden, r.offset));
  }
  return (data: Buffer): Buffer => {
    const z = map.get(sha(data));
    assert.ok(z, 'no golden zlib bytes for this data');
    return z;
  };
}

/** The concatenated chunk payloads of the chunked file record starting at `offset`. */
function storedBytes(golden: Buffer, offset: number): Buffer {
  // type;mode;mtime;uid;gid;namelen; name ; n; unprocess ; size;
  const text = golden.subarray(offset, offset + 400).toString('latin1');
  const m = /^\d+;\d+;\d+;\d+;\d+;(\d+);/.exec(text)!;
  let p = offset + m[0].length + Number(m[1]) + 1;
  const rest = golden.subarray(p, p + 64).toString('latin1');
  const m2 = /^(\d+);/.exec(rest)!;
  p += m2[0].length + Number(m2[1]) + 1;
  const m3 = /^(\d+);/.exec(golden.subarray(p, p + 32).toString('latin1'))!;
  p += m3[0].length;
  const parts: Buffer[] = [];
  for (;;) {
    const n = golden.readUInt16BE(p);
    parts.push(golden.subarray(p + 2, p + 2 + n));
    p += 2 + n;
    if (n !== 4095) break;
  }
  return Buffer.concat(parts);
}

const names = (es: readonly ReadEntry[]): string[] => es.map((r) => ('name' in r.entry ? r.entry.name.toString('latin1') : r.entry.kind));

for (const g of GOLDENS) {
  test(`${g}: decodes to the data tree`, async () => {
    const golden = goldenArchive(g);
    const { entries, errors, ended } = await readArchive(golden);
    assert.deepEqual(errors, []);
    assert.equal(ended, true);
    const files = entries.filter((r) => r.entry.kind !== 'information');
    assert.deepEqual(names(files), [
      `${P}data/link-to-text`, `${P}data/text.txt`, `${P}data/empty`, `${P}data/sub/hardlink.txt`,
      `${P}data/sub/random.bin`, `${P}data/sub`, `${P}data/caf\xe9.txt`, `${P}data`,
    ]);
    const caf = files[6]!.entry as RegularFile;
    assert.equal(caf.name.at(-5), 0xe9, 'the Latin-1 byte stays one byte');
    assert.equal(caf.name.length, 25);
    const sums = treeSums();
    for (const r of files) {
      const e = r.entry as Exclude<Entry, { kind: 'information' | 'end' | 'command' | 'posixAcl' | 'filecontents' }>;
      assert.equal(e.uid, 0);
      assert.equal(e.gid, 0);
      assert.equal(e.noVerify, undefined);
      if (e.kind === 'file') {
        assert.equal(r.complete, true);
        const rel = e.name.subarray(P.length).toString('latin1');
        assert.equal(sha(r.data!), sums.get(rel), rel);
        const zipped = g === 'tree-zlib' && r.data!.length > 0;
        assert.deepEqual(e.unprocess, zipped ? L('.') : Buffer.alloc(0));
        assert.equal(e.size, zipped ? 0 : r.data!.length);
        assert.equal(e.mode, 0o100644);
      }
    }
    const byName = new Map(files.map((r) => [(r.entry as { name: Buffer }).name.toString('latin1'), r.entry]));
    assert.deepEqual(byName.get(`${P}data/link-to-text`), {
      kind: 'symlink', name: L(`${P}data/link-to-text`), mode: 0o120777, mtime: 1430802305, uid: 0, gid: 0, target: L('text.txt'),
    });
    assert.deepEqual(byName.get(`${P}data/sub/hardlink.txt`), {
      kind: 'hardlink', name: L(`${P}data/sub/hardlink.txt`), mode: 0o100644, mtime: 1306929600, uid: 0, gid: 0, target: L(`${P}data/text.txt`),
    });
    assert.equal(byName.get(`${P}data`)!.kind, 'directory');
    assert.equal((byName.get(`${P}data`) as { mode: number }).mode, 0o40755);
    assert.equal((byName.get(`${P}data`) as { mtime: number }).mtime, 1499411227);
    assert.equal((byName.get(`${P}data/sub`) as { mtime: number }).mtime, 1465193166);
    assert.equal((byName.get(`${P}data/empty`) as { mtime: number }).mtime, 1330473600);
    assert.equal((byName.get(`${P}data/caf\xe9.txt`) as { mtime: number }).mtime, 1362279783);
    assert.equal((byName.get(`${P}data/sub/random.bin`) as { mtime: number }).mtime, 1396584244);
    if (g === 'tree-header') {
      assert.deepEqual(entries[0]!.entry, { kind: 'information', text: L('golden archive header\tline 1\nline 2') });
    }
  });

  test(`${g}: listing equals afclient -t -v byte for byte`, async () => {
    const { entries } = await readArchive(goldenArchive(g));
    assert.deepEqual(listing(entries.map((r) => r.entry)), goldenListing(g));
  });
}

test('tree-plain and tree-header re-encode byte-identically', async () => {
  for (const g of ['tree-plain', 'tree-header'] as Golden[]) {
    const golden = goldenArchive(g);
    const { entries } = await readArchive(golden);
    const again = reencode(entries, {});
    assert.equal(again.length, golden.length);
    assert.ok(again.equals(golden), g);
  }
});

test('tree-zlib: framing is byte-identical given zlib 1.2.13 bytes; node:zlib output inflates to the same data', async () => {
  const golden = goldenArchive('tree-zlib');
  const { entries } = await readArchive(golden);
  const replay = replayDeflater(entries, golden);
  const framed = reencode(entries, { zlibLevel: 9, deflateSync: (d) => replay(d) });
  assert.ok(framed.equals(golden));
  const ours = reencode(entries, { zlibLevel: 9 });
  const back = await readArchive(ours);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(back.entries.map((r) => [r.entry, r.data]), entries.map((r) => [r.entry, r.data]));
  // Node's bundled zlib (a Chromium fork) does not produce zlib 1.2.13's bytes.
  const text = entries.find((r) => r.entry.kind === 'file' && r.data!.length === 1880)!;
  const nodeBytes = zlib.deflateSync(text.data!, { level: 9 });
  const goldenBytes = storedBytes(golden, text.offset);
  assert.deepEqual(zlib.inflateSync(nodeBytes), zlib.inflateSync(goldenBytes));
});

test('streaming encodeData matches encodeEntrySync for every golden file', async () => {
  for (const g of GOLDENS) {
    const { entries } = await readArchive(goldenArchive(g));
    for (const r of entries) {
      const e = r.entry;
      if (e.kind !== 'file') continue;
      const pieces: Buffer[] = [];
      const src = (function* () {
        for (let i = 0; i < r.data!.length; i += 777) yield r.data!.subarray(i, i + 777);
      })();
      const gen = encodeData(e, src, { zlibLevel: 9 });
      let step = await gen.next();
      while (!step.done) {
        pieces.push(step.value);
        step = await gen.next();
      }
      assert.deepEqual(step.value, { zeroFilled: 0, dropped: 0 });
      const streamed = Buffer.concat(pieces);
      const sync = encodeEntrySync(e, r.data, { zlibLevel: 9 });
      if (e.unprocess.length === 0) assert.ok(streamed.equals(sync));
      else {
        const [a, b] = [await readArchive(streamed), await readArchive(sync)];
        assert.deepEqual(a.entries[0]!.data, r.data);
        assert.deepEqual(b.entries[0]!.data, r.data);
      }
    }
  }
});

test('tree-plain fed in 997-byte slices decodes the same', async () => {
  const golden = goldenArchive('tree-plain');
  const whole = await readArchive(golden);
  const slices: Buffer[] = [];
  for (let i = 0; i < golden.length; i += 997) slices.push(golden.subarray(i, i + 997));
  const sliced = await readArchive(slices);
  assert.deepEqual(sliced, whole);
});
