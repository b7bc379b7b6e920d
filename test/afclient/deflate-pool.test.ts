/**
 * Built-in compression on worker threads (src/client/afclient/deflate-pool.ts)
 * gives the same bytes as the sequential code: per buffer against
 * zlib.deflateSync at several levels and input slicings, with jobs running
 * interleaved, for every file of the golden tree-zlib archive through the packer,
 * and for a whole `afclient -c -z '. 9' '' -f` archive against the sequential
 * re-encoding of its own entries.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { DeflatePool } from '../../src/client/afclient/deflate-pool.js';
import { encodeData, encodeEntrySync, END_MARK, archivePadding } from '../../src/archive/packer.js';
import { readArchive } from '../../src/archive/unpacker.js';
import { goldenArchive } from '../archive/fixtures.js';
import { afclient } from './helpers.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* sliced(data: Buffer, n: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += n) yield data.subarray(i, i + n);
}

function sample(): Buffer[] {
  const text = Buffer.from(Array.from({ length: 30000 }, (_, i) => `line ${i % 97} of text ${i % 13}\n`).join(''));
  const noise = crypto.createHash('sha256');
  const rnd = Buffer.concat(Array.from({ length: 8000 }, (_, i) => noise.copy().update(String(i)).digest()));
  return [Buffer.alloc(0), Buffer.from('x'), text, rnd, Buffer.concat([text, rnd, text])];
}

test('pool output equals deflateSync for every level and slicing, also with jobs interleaved', async (t) => {
  const pool = new DeflatePool(2);
  t.after(() => pool.close());
  for (const data of sample()) {
    for (const level of [1, 2, 6, 9]) {
      for (const n of [1000, 65536]) {
        const got = await collect(pool.deflate(sliced(data, n), level));
        assert.ok(got.equals(zlib.deflateSync(data, { level })), `length ${data.length}, level ${level}, slices of ${n}`);
      }
    }
  }
  // Three jobs at once, their output consumed round robin.
  const inputs = sample().slice(2);
  const its = inputs.map((d) => pool.deflate(sliced(d, 4096), 5)[Symbol.asyncIterator]());
  const outs: Buffer[][] = inputs.map(() => []);
  let live = its.length;
  const done = its.map(() => false);
  while (live > 0) {
    for (let i = 0; i < its.length; i++) {
      if (done[i]) continue;
      const r = await its[i]!.next();
      if (r.done) {
        done[i] = true;
        live--;
      } else outs[i]!.push(r.value);
    }
  }
  inputs.forEach((d, i) => assert.ok(Buffer.concat(outs[i]!).equals(zlib.deflateSync(d, { level: 5 }))));
});

test('golden tree-zlib files re-encoded through the pool equal the sequential packer', async (t) => {
  const pool = new DeflatePool(2);
  t.after(() => pool.close());
  const { entries } = await readArchive(goldenArchive('tree-zlib'));
  let files = 0;
  for (const r of entries) {
    if (r.entry.kind !== 'file') continue;
    const gen = encodeData(r.entry, sliced(r.data!, 777), { zlibLevel: 9, deflate: (input, level) => pool.deflate(input, level) });
    const parts: Buffer[] = [];
    for (let s = await gen.next(); !s.done; s = await gen.next()) parts.push(s.value);
    assert.ok(Buffer.concat(parts).equals(encodeEntrySync(r.entry, r.data, { zlibLevel: 9 })), r.entry.name.toString('latin1'));
    files++;
  }
  assert.ok(files >= 4);
});

test('afclient -c -z ". 9" "" -f: the archive equals the sequential encoding of its entries', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afpool-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(tree);
  sample().forEach((d, i) => fs.writeFileSync(path.join(tree, `f${i}`), d));
  fs.writeFileSync(path.join(tree, 'plain.gz'), Buffer.alloc(3000, 1));
  const out = path.join(dir, 'a.af');
  const r = await afclient(['-c', '-R', '-z', '. 9', '', '-s', '*.gz', '-f', out, tree]);
  assert.equal(r.status, 0, r.err.join('\n'));
  const archive = fs.readFileSync(out);
  const { entries, ended } = await readArchive(archive);
  assert.ok(ended);
  const seq = Buffer.concat(entries.filter((e) => e.entry.kind !== 'end').map((e) => encodeEntrySync(e.entry, e.data ?? Buffer.alloc(0), { zlibLevel: 9 })));
  const whole = Buffer.concat([seq, END_MARK]);
  assert.ok(archive.equals(Buffer.concat([whole, archivePadding(whole.length)])));
  const byName = new Map(entries.map((e) => [path.basename(('name' in e.entry ? e.entry.name : Buffer.alloc(0)).toString('latin1')), e.entry]));
  assert.equal((byName.get('plain.gz') as { unprocess: Buffer }).unprocess.length, 0, '-s *.gz is stored plainly');
  assert.equal((byName.get('f0') as { unprocess: Buffer }).unprocess.length, 0, 'an empty file is stored plainly');
  assert.equal((byName.get('f2') as { unprocess: Buffer }).unprocess.toString(), '.');
});
