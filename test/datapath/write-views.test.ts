/**
 * The copy-free write path: the write stream hands a drive that has
 * writeBlockViews() the client's own bytes as pieces of each block; the virtual
 * drive keeps them and writes them in batches with pwritev(); the flat-file writer
 * keeps the order when appends by reference and by copy alternate. What must hold:
 * the tape files contain exactly the bytes (blocks, padding, trailing zero block)
 * that the copying path writes, the index counts the same blocks, and a drive
 * without the method still gets whole blocks of its own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FlatWriter, SHARED_BATCH_BYTES } from '../../src/device/directory/flat-file.js';
import type { TapeDrive, WriteResult } from '../../src/device/tape-drive.js';
import { createVirtualLibrary } from '../../src/device/virtual/library.js';
import { WriteStream, type WritePosition } from '../../src/server/write-stream.js';

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function scratch(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `af-datapath-${tag}-`));
}

test('flat-file writer: appends by reference and by copy land in order, in batches', () => {
  const dir = scratch('flat');
  try {
    const file = path.join(dir, 'data.1');
    const fd = fs.openSync(file, 'w+');
    const w = new FlatWriter(dir);
    w.attach(fd, 0);
    const expect: Buffer[] = [];
    // Enough pieces to pass the batch size more than once, with copies in between.
    for (let i = 0; i < 40; i++) {
      const a = pattern(65536, i);
      const b = pattern(1000 + i, 100 + i);
      assert.equal(w.appendShared([a, b], a.length + b.length), 'ok');
      expect.push(a, b);
      if (i % 7 === 3) {
        const c = pattern(300, 500 + i);
        assert.equal(w.append(c), 'ok');
        expect.push(c);
      }
    }
    const want = Buffer.concat(expect);
    assert.ok(want.length > 2 * SHARED_BATCH_BYTES);
    assert.equal(w.size, want.length);
    // Some batches were written already; the rest waits for the flush.
    const before = fs.fstatSync(fd).size;
    assert.ok(before > 0 && before < want.length, `written before the flush: ${before}`);
    w.detach();
    fs.closeSync(fd);
    assert.equal(fs.readFileSync(file).equals(want), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('flat-file writer: batches written in the background land in order; a failed one is reported by drain()', async () => {
  const dir = scratch('flat-bg');
  try {
    const file = path.join(dir, 'data.1');
    const fd = fs.openSync(file, 'w+');
    const w = new FlatWriter(dir);
    w.attach(fd, 0);
    const expect: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const a = pattern(65536 + i, i);
      assert.equal(await w.appendSharedAsync([a], a.length), 'ok');
      expect.push(a);
      if (i % 13 === 5) {
        await w.drain(); // appends by copy need the file to themselves
        const c = pattern(777, 900 + i);
        assert.equal(w.append(c), 'ok');
        expect.push(c);
      }
    }
    await w.drain();
    assert.equal(w.busy, false);
    w.detach();
    fs.closeSync(fd);
    assert.equal(fs.readFileSync(file).equals(Buffer.concat(expect)), true);

    // A descriptor that cannot be written: the batch fails in the background, drain() says so.
    const ro = fs.openSync(file, 'r');
    const bad = new FlatWriter(dir);
    bad.attach(ro, 0);
    const big = pattern(SHARED_BATCH_BYTES, 3);
    assert.equal(await bad.appendSharedAsync([big], big.length), 'ok');
    await assert.rejects(() => bad.drain(), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.equal(bad.busy, false);
    bad.detach();
    fs.closeSync(ro);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Position 1 on cartridge 1 with a generous limit: no end of tape in these tests. */
const START: WritePosition = { cartridge: 1, file: 1, bytesOnTape: 0 };
const noEnd = { onEndOfTape: async () => null };

async function streamThrough(drive: TapeDrive, bs: number, inputs: Buffer[]): Promise<void> {
  const ws = new WriteStream(drive, { ...START }, { blockSize: bs, maxBytesPerFile: 2 ** 40, maxBytesPerTape: () => Infinity, trailingZeroBlock: true }, noEnd);
  for (const d of inputs) await ws.write(d);
  await ws.finish();
}

/** What the tape file must hold: the input, zero padding to a whole block, one zero block. */
function expected(bs: number, inputs: Buffer[]): Buffer {
  const data = Buffer.concat(inputs);
  const padded = Math.ceil(data.length / bs) * bs;
  return Buffer.concat([data, Buffer.alloc(padded - data.length), Buffer.alloc(bs)]);
}

test('write stream: pieces of the client data go to writeBlockViews uncopied, one block each', async () => {
  const bs = 4096;
  const got: Buffer[][] = [];
  const drive = {
    writeBlockViews: async (parts: readonly Buffer[], length: number): Promise<WriteResult> => {
      assert.equal(length, bs);
      assert.equal(parts.reduce((n, p) => n + p.length, 0), bs);
      got.push([...parts]);
      return { kind: 'written', earlyWarning: false };
    },
    writeBlock: async () => assert.fail('whole blocks are not wanted when the drive takes pieces'),
    writeFilemarks: async () => undefined,
  } as unknown as TapeDrive;
  const inputs = [pattern(1000, 1), pattern(5000, 2), pattern(4096, 3), pattern(10, 4)];
  await streamThrough(drive, bs, inputs);
  assert.equal(Buffer.concat(got.flat()).equals(expected(bs, inputs)), true);
  // The first block starts with the first input itself, not a copy of it.
  assert.equal(got[0]![0]!.buffer, inputs[0]!.buffer);
  assert.equal(got[0]![0]!.byteOffset, inputs[0]!.byteOffset);
});

test('write stream: the virtual drive stores the same bytes and blocks by either path', async () => {
  const bs = 8192;
  const inputs: Buffer[] = [];
  for (let i = 0; i < 700; i++) inputs.push(pattern(3000 + ((i * 37) % 5000), i + 1));
  const results: { data: Buffer; index: string }[] = [];
  for (const copy of [false, true]) {
    const dir = scratch('vtl');
    try {
      const lib = createVirtualLibrary(dir, { slots: 1, capacity: 64 << 20, earlyWarning: 1 << 20, syncOnClose: false });
      await lib.changer.load(1, 1);
      const d = lib.drive(1);
      await d.open();
      await d.setBlockSize(bs);
      await d.writeBlock(pattern(bs, 99)); // a label-like file 0
      await d.writeFilemarks(1);
      // Hiding writeBlockViews makes the stream take its copying path.
      const drive = copy ? (Object.create(d, { writeBlockViews: { value: undefined } }) as TapeDrive) : d;
      await streamThrough(drive, bs, inputs);
      await d.close();
      const cart = lib.cartridgeDir('AF0001L9');
      results.push({ data: fs.readFileSync(path.join(cart, 'data.1')), index: fs.readFileSync(path.join(cart, 'index'), 'utf8') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const want = expected(bs, inputs);
  assert.equal(results[0]!.data.equals(want), true, 'views path');
  assert.equal(results[1]!.data.equals(want), true, 'copying path');
  assert.equal(results[0]!.index, results[1]!.index);
  assert.match(results[0]!.index, new RegExp(`file 1 ${want.length / bs}x${bs} filemark`));
});
