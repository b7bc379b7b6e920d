/**
 * The TapeDrive contract as one suite that every backend runs (virtual library drive,
 * directory device, and later the native st drive under its emulator). It knows
 * nothing about any backend: the harness hands it a fresh drive on a blank medium, a
 * device spec that openDevice in a second process turns into the same drive, and
 * optional hooks for what only some backends can do (write-protect, take the medium
 * away, a capacity).
 *
 * Backends without block boundaries (flat files) are tested in fixed-block mode,
 * where every backend must agree: a write is a whole number of blocks, a read
 * returns as many whole blocks as fit in the buffer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OpenDeviceSpec } from '../../src/device/open-device.js';
import type { ReadResult, TapeDrive } from '../../src/device/tape-drive.js';
import { isAfError } from '../../src/errors.js';
import { Child, digest, inChild, pattern, rejectsWith } from './helpers.js';

export interface DriveHarness {
  /** A closed drive with a blank medium in it. */
  drive: TapeDrive;
  /** What openDevice in another process needs to reach the same drive. */
  spec: OpenDeviceSpec;
  /** Closes the drive if open and removes everything the harness made. */
  cleanup(): Promise<void>;
  /** Write-protects or releases the medium (called while the drive is closed). */
  setWriteProtect?(on: boolean): Promise<void>;
  /** Takes the medium out (called while the drive is closed). */
  removeMedium?(): Promise<void>;
}

export interface DriveCaps {
  /** Reads return exactly the blocks written in variable-block mode (tape does; flat files do not). */
  keepsBlockBoundaries: boolean;
  /**
   * The medium's size, when it has one: early warning and end of tape are tested. Other
   * tests write up to about 10 MiB and need that much before the early-warning zone.
   */
  capacity?: { bytes: number; earlyWarning: number };
}

/** Reads until end of data; returns the events as short strings ("data:<bytes>:<digest>", "fm", "eod"). */
async function readAll(drive: TapeDrive, bufSize: number, limit = 100000): Promise<string[]> {
  const buf = Buffer.alloc(bufSize);
  const out: string[] = [];
  for (let i = 0; i < limit; i++) {
    const r = await drive.readBlock(buf);
    out.push(show(r, buf));
    if (r.kind === 'eod') return out;
  }
  throw new Error('no end of data');
}

function show(r: ReadResult, buf: Buffer): string {
  if (r.kind === 'data') return `data:${r.bytes}:${digest(buf.subarray(0, r.bytes))}`;
  return r.kind === 'filemark' ? 'fm' : 'eod';
}

function expectData(b: Buffer): string {
  return `data:${b.length}:${digest(b)}`;
}

export function runDriveContract(label: string, makeDrive: () => Promise<DriveHarness>, caps: DriveCaps): void {
  /** Block size the suite writes with when boundaries are not kept. */
  const S = 1024;
  const mode = caps.keepsBlockBoundaries ? 0 : S;
  /** Read buffer that yields one block per read in either mode. */
  const RB = caps.keepsBlockBoundaries ? 65536 : S;
  /** Sizes of the blocks in a typical file: varied where the backend keeps boundaries. */
  const sizes = (n: number, seed: number): number[] =>
    Array.from({ length: n }, (_, i) => (caps.keepsBlockBoundaries ? [1000, 1, 65536, 777, 4096][(i + seed) % 5] : S));

  /** Runs body with an open drive (block size set), cleaning up afterwards. */
  const withDrive = async (body: (d: TapeDrive, h: DriveHarness) => Promise<void>): Promise<void> => {
    const h = await makeDrive();
    try {
      await h.drive.open();
      await h.drive.setBlockSize(mode);
      await body(h.drive, h);
    } finally {
      await h.cleanup();
    }
  };

  /** Writes files, each a list of blocks followed by a filemark; returns the expected read events. */
  const writeFiles = async (d: TapeDrive, files: number[][], seed = 1): Promise<string[][]> => {
    const expected: string[][] = [];
    let s = seed;
    for (const file of files) {
      const events: string[] = [];
      for (const size of file) {
        const b = pattern(size, s++);
        assert.deepEqual(await d.writeBlock(b), { kind: 'written', earlyWarning: false });
        events.push(expectData(b));
      }
      await d.writeFilemarks(1);
      events.push('fm');
      expected.push(events);
    }
    return expected;
  };

  describe(`TapeDrive contract: ${label}`, () => {
    test('a blank medium: loaded, at the beginning, at end of data', async () => {
      await withDrive(async (d) => {
        const s = await d.status();
        assert.equal(s.loaded, true);
        assert.equal(s.writeProtected, false);
        assert.equal(s.file, 0);
        assert.equal(s.block, 0);
        assert.equal(s.bot, true);
        assert.equal(s.eod, true);
        assert.equal(s.blockSize, mode);
        assert.deepEqual(await d.readBlock(Buffer.alloc(RB)), { kind: 'eod' });
      });
    });

    test('operations on a drive that is not open are refused', async () => {
      const h = await makeDrive();
      try {
        await assert.rejects(() => h.drive.readBlock(Buffer.alloc(1024)), (e: unknown) => isAfError(e));
        await assert.rejects(() => h.drive.writeBlock(Buffer.alloc(1024)), (e: unknown) => isAfError(e));
        await h.drive.close(); // closing a closed drive is harmless
      } finally {
        await h.cleanup();
      }
    });

    test('files written with filemarks read back block by block, with exact lengths', async () => {
      await withDrive(async (d) => {
        const expected = await writeFiles(d, [sizes(1, 0), sizes(7, 1), sizes(3, 2)]);
        const s = await d.status();
        assert.equal(s.file, 3);
        assert.equal(s.block, 0);
        assert.equal(s.eod, true);
        await d.rewind();
        assert.equal((await d.status()).bot, true);
        assert.deepEqual(await readAll(d, RB), [...expected.flat(), 'eod']);
      });
    });

    test('a filemark moves to block 0 of the next file; end of data does not move', async () => {
      await withDrive(async (d) => {
        await writeFiles(d, [sizes(2, 0), sizes(1, 3)]);
        await d.rewind();
        const buf = Buffer.alloc(RB);
        assert.equal((await d.readBlock(buf)).kind, 'data');
        assert.deepEqual(await d.status().then((s) => [s.file, s.block]), [0, 1]);
        assert.equal((await d.readBlock(buf)).kind, 'data');
        assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
        assert.deepEqual(await d.status().then((s) => [s.file, s.block, s.bot]), [1, 0, false]);
        assert.equal((await d.readBlock(buf)).kind, 'data');
        assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
        assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
        const at = await d.status();
        assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
        const again = await d.status();
        assert.deepEqual([again.file, again.block, again.eod], [at.file, at.block, true]);
      });
    });

    test('two filemarks make an empty file', async () => {
      await withDrive(async (d) => {
        const b = pattern(mode || 500, 9);
        await d.writeBlock(b);
        await d.writeFilemarks(2);
        assert.equal((await d.status()).file, 2);
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [expectData(b), 'fm', 'fm', 'eod']);
        await d.seekFile(1);
        assert.deepEqual(await d.readBlock(Buffer.alloc(RB)), { kind: 'filemark' });
      });
    });

    test('seekFile positions at block 0 of any file, and at end of data; beyond it fails', async () => {
      await withDrive(async (d) => {
        const expected = await writeFiles(d, [sizes(2, 0), sizes(3, 1), sizes(1, 2)]);
        for (const n of [2, 0, 1]) {
          await d.seekFile(n);
          const s = await d.status();
          assert.deepEqual([s.file, s.block], [n, 0]);
          assert.deepEqual(await readAll(d, RB), [...expected.slice(n).flat(), 'eod']);
        }
        await d.seekFile(3);
        assert.equal((await d.status()).eod, true);
        assert.deepEqual(await d.readBlock(Buffer.alloc(RB)), { kind: 'eod' });
        await rejectsWith(() => d.seekFile(4), 'SETFILE_FAILED');
        await rejectsWith(() => d.seekFile(-1), 'SETFILE_FAILED');
      });
    });

    test('seekEod positions after the last file, where a new file is appended', async () => {
      await withDrive(async (d) => {
        const first = await writeFiles(d, [sizes(2, 0), sizes(1, 1)]);
        await d.rewind();
        await d.seekEod();
        const s = await d.status();
        assert.deepEqual([s.file, s.block, s.eod], [2, 0, true]);
        const more = await writeFiles(d, [sizes(2, 4)], 50);
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [...first.flat(), ...more.flat(), 'eod']);
      });
    });

    test('writing at the start of a file discards it and every later file', async () => {
      await withDrive(async (d) => {
        const old = await writeFiles(d, [sizes(2, 0), sizes(2, 1), sizes(2, 2), sizes(1, 3)]);
        await d.seekFile(1);
        const fresh = await writeFiles(d, [sizes(3, 4)], 90);
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [...old[0], ...fresh[0], 'eod']);
        await d.seekFile(2);
        await rejectsWith(() => d.seekFile(3), 'SETFILE_FAILED');
      });
    });

    test('writing in the middle of a file keeps the blocks before the position', async () => {
      await withDrive(async (d) => {
        const old = await writeFiles(d, [sizes(4, 0), sizes(2, 1)]);
        await d.rewind();
        const buf = Buffer.alloc(RB);
        assert.equal((await d.readBlock(buf)).kind, 'data');
        assert.equal((await d.readBlock(buf)).kind, 'data');
        const b = pattern(mode || 333, 77);
        await d.writeBlock(b);
        await d.writeFilemarks(1);
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [old[0][0], old[0][1], expectData(b), 'fm', 'eod']);
      });
    });

    test('a filemark written in the middle of the tape ends the data there', async () => {
      await withDrive(async (d) => {
        const old = await writeFiles(d, [sizes(3, 0), sizes(2, 1), sizes(2, 2)]);
        await d.seekFile(1);
        await d.writeFilemarks(1);
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [...old[0], 'fm', 'eod']);
      });
    });

    test('erase removes everything from the position on', async () => {
      await withDrive(async (d) => {
        const old = await writeFiles(d, [sizes(2, 0), sizes(2, 1), sizes(2, 2)]);
        await d.seekFile(1);
        await d.erase();
        assert.deepEqual(await d.readBlock(Buffer.alloc(RB)), { kind: 'eod' });
        await rejectsWith(() => d.seekFile(2), 'SETFILE_FAILED');
        await d.rewind();
        assert.deepEqual(await readAll(d, RB), [...old[0], 'eod']);
        await d.rewind();
        await d.erase();
        assert.deepEqual(await d.readBlock(Buffer.alloc(RB)), { kind: 'eod' });
        assert.equal((await d.status()).eod, true);
      });
    });

    test('a block larger than the buffer throws BLOCK_TOO_SMALL and does not move', async () => {
      await withDrive(async (d) => {
        const big = pattern(caps.keepsBlockBoundaries ? 3000 : S, 5);
        const next = pattern(caps.keepsBlockBoundaries ? 10 : S, 6);
        await d.writeBlock(big);
        await d.writeBlock(next);
        await d.writeFilemarks(1);
        await d.rewind();
        await rejectsWith(() => d.readBlock(Buffer.alloc(big.length - 1)), 'BLOCK_TOO_SMALL');
        const s = await d.status();
        assert.deepEqual([s.file, s.block], [0, 0]);
        const buf = Buffer.alloc(big.length);
        assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: big.length });
        assert.ok(buf.equals(big));
      });
    });

    if (caps.keepsBlockBoundaries) {
      test('variable-block mode: a block smaller than the buffer returns its real length', async () => {
        await withDrive(async (d) => {
          const blocks = [pattern(10, 1), pattern(5000, 2), pattern(1, 3)];
          for (const b of blocks) await d.writeBlock(b);
          await d.writeFilemarks(1);
          await d.rewind();
          const buf = Buffer.alloc(1 << 20);
          for (const b of blocks) {
            assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: b.length });
            assert.ok(buf.subarray(0, b.length).equals(b));
          }
          assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
        });
      });
    }

    test('fixed-block mode: writes are whole blocks; a read returns the whole blocks that fit', async () => {
      await withDrive(async (d) => {
        await d.setBlockSize(512);
        assert.equal((await d.status()).blockSize, 512);
        await rejectsWith(() => d.writeBlock(Buffer.alloc(1000)), 'DEVICE_IO');
        const data = pattern(512 * 8, 3);
        await d.writeBlock(data);
        await d.writeFilemarks(1);
        await d.rewind();
        const buf = Buffer.alloc(1024 + 100);
        assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 1024 });
        assert.ok(buf.subarray(0, 1024).equals(data.subarray(0, 1024)));
        assert.equal((await d.status()).block, 2);
        const small = Buffer.alloc(512);
        assert.deepEqual(await d.readBlock(small), { kind: 'data', bytes: 512 });
        assert.ok(small.equals(data.subarray(1024, 1536)));
        await rejectsWith(() => d.readBlock(Buffer.alloc(100)), 'BLOCK_TOO_SMALL');
        const rest = Buffer.alloc(1 << 16);
        assert.deepEqual(await d.readBlock(rest), { kind: 'data', bytes: 512 * 5 });
        assert.ok(rest.subarray(0, 512 * 5).equals(data.subarray(1536)));
        assert.deepEqual(await d.readBlock(rest), { kind: 'filemark' });
      });
    });

    test('large blocks and many small ones survive the buffering on both paths', async () => {
      await withDrive(async (d) => {
        const big = caps.keepsBlockBoundaries ? [1 << 20, 3 << 20, 200 * 1024, 5] : [S * 1024, S * 3072, S * 200];
        const files: Buffer[][] = [[], []];
        let seed = 1;
        for (const size of big) {
          const b = pattern(size, seed++);
          assert.equal((await d.writeBlock(b)).kind, 'written');
          files[0].push(b);
        }
        await d.writeFilemarks(1);
        const small = pattern(caps.keepsBlockBoundaries ? 1000 : S, 42);
        for (let i = 0; i < 6000; i++) {
          small[0] = i & 0xff;
          small[1] = i >> 8;
          assert.equal((await d.writeBlock(small)).kind, 'written');
          files[1].push(Buffer.from(small));
        }
        await d.writeFilemarks(1);
        await d.rewind();
        // Compare each file's bytes as a whole (flat backends split big writes into blocks),
        // and the block lengths where the backend keeps them.
        const buf = Buffer.alloc(4 << 20);
        for (const file of files) {
          const got: Buffer[] = [];
          for (;;) {
            const r = await d.readBlock(buf);
            if (r.kind !== 'data') {
              assert.equal(r.kind, 'filemark');
              break;
            }
            got.push(Buffer.from(buf.subarray(0, r.bytes)));
          }
          assert.equal(digest(Buffer.concat(got)), digest(Buffer.concat(file)));
          if (caps.keepsBlockBoundaries) assert.deepEqual(got.map((b) => b.length), file.map((b) => b.length));
        }
        assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
      });
    });

    test('close flushes what was written (no filemark is added)', async () => {
      const h = await makeDrive();
      try {
        const d = h.drive;
        await d.open();
        await d.setBlockSize(mode);
        const blocks = [pattern(mode || 700, 1), pattern(mode || 900, 2), pattern(mode || 1100, 3)];
        for (const b of blocks) await d.writeBlock(b);
        await d.close();
        const reports = await inChild(h.spec, [['open'], ['rewind'], ['readAll', RB], ['close']]);
        assert.ok(reports.every((r) => r.ok), JSON.stringify(reports));
        const events = (reports[2].value as (ReadResult & { digest?: string })[]).map((r) =>
          r.kind === 'data' ? `data:${r.bytes}:${r.digest}` : r.kind === 'filemark' ? 'fm' : 'eod',
        );
        const data = blocks.map(expectData);
        assert.deepEqual(events.slice(0, 3), data);
        // A tape reads end of data right after the last block; a flat file may show its end as a filemark first.
        assert.ok(
          JSON.stringify(events.slice(3)) === '["eod"]' || JSON.stringify(events.slice(3)) === '["fm","eod"]',
          `after the data: ${events.slice(3).join(' ')}`,
        );
      } finally {
        await h.cleanup();
      }
    });

    test('a second opener gets DEVINUSE, in this process and in another', async () => {
      const h = await makeDrive();
      try {
        await h.drive.open();
        await rejectsWith(() => h.drive.open(), 'DEVINUSE');
        const busy = await inChild(h.spec, [['open']]);
        assert.equal(busy[0].ok, false);
        assert.equal(busy[0].code, 'DEVINUSE');
        await h.drive.close();
        const free = await inChild(h.spec, [['open'], ['close']]);
        assert.ok(free.every((r) => r.ok), JSON.stringify(free));
      } finally {
        await h.cleanup();
      }
    });

    test('while another process holds the drive this one gets DEVINUSE until it closes', async () => {
      const h = await makeDrive();
      const child = new Child(h.spec, [['open'], ['wait'], ['close']]);
      try {
        const first = await child.reported(1);
        assert.equal(first[0].ok, true, JSON.stringify(first));
        await rejectsWith(() => h.drive.open(), 'DEVINUSE');
        child.go();
        const all = await child.done();
        assert.ok(all.every((r) => r.ok), JSON.stringify(all));
        await h.drive.open();
        await h.drive.close();
      } finally {
        child.kill();
        await h.cleanup();
      }
    });

    test('position and contents survive into a new process', async () => {
      const h = await makeDrive();
      try {
        const d = h.drive;
        await d.open();
        await d.setBlockSize(mode);
        const expected = await writeFiles(d, [sizes(2, 0), sizes(3, 1), sizes(1, 2)]);
        await d.seekFile(1);
        await d.close();
        const reports = await inChild(h.spec, [['open'], ['status'], ['read', RB], ['seekFile', 2], ['close']]);
        assert.ok(reports.every((r) => r.ok), JSON.stringify(reports));
        const s = reports[1].value as { file: number; block: number; loaded: boolean };
        assert.deepEqual([s.loaded, s.file, s.block], [true, 1, 0]);
        const r = reports[2].value as { bytes: number; digest: string };
        assert.equal(`data:${r.bytes}:${r.digest}`, expected[1][0]);
        await d.open();
        const back = await d.status();
        assert.deepEqual([back.file, back.block], [2, 0]);
        assert.deepEqual(await readAll(d, RB), [...expected[2], 'eod']);
      } finally {
        await h.cleanup();
      }
    });

    test('data written by another process is read here', async () => {
      const h = await makeDrive();
      try {
        const size = mode || 4000;
        const reports = await inChild(h.spec, [['open'], ['write', size, 7], ['write', size, 8], ['filemarks', 1], ['close']]);
        assert.ok(reports.every((r) => r.ok), JSON.stringify(reports));
        await h.drive.open();
        await h.drive.setBlockSize(mode);
        await h.drive.rewind();
        assert.deepEqual(await readAll(h.drive, RB), [expectData(pattern(size, 7)), expectData(pattern(size, 8)), 'fm', 'eod']);
      } finally {
        await h.cleanup();
      }
    });

    if (caps.capacity) {
      const { bytes: cap, earlyWarning: ew } = caps.capacity;
      test('early warning near the end, then end of tape with nothing written', async () => {
        await withDrive(async (d) => {
          const size = 64 * 1024;
          const block = pattern(size, 1);
          let used = 0;
          let n = 0;
          for (;;) {
            const r = await d.writeBlock(block);
            if (used + size > cap) {
              assert.deepEqual(r, { kind: 'eot' });
              break;
            }
            used += size;
            n++;
            assert.deepEqual(r, { kind: 'written', earlyWarning: used > cap - ew }, `block ${n}, ${used} bytes`);
            assert.ok(n < 100000);
          }
          // End of tape again, then the filemark still goes on.
          assert.deepEqual(await d.writeBlock(block), { kind: 'eot' });
          await d.writeFilemarks(1);
          await d.rewind();
          const events = await readAll(d, size);
          assert.equal(events.filter((e) => e.startsWith('data:')).length, n);
          assert.deepEqual(events.slice(-2), ['fm', 'eod']);
          // Writing from the start again makes room.
          await d.rewind();
          assert.deepEqual(await d.writeBlock(block), { kind: 'written', earlyWarning: size > cap - ew });
        });
      });
    }

    test('write protection refuses writes, filemarks and erase; reads go on', async (t) => {
      const h = await makeDrive();
      if (!h.setWriteProtect) {
        await h.cleanup();
        t.skip('the backend cannot write-protect its medium');
        return;
      }
      try {
        const d = h.drive;
        await d.open();
        await d.setBlockSize(mode);
        const expected = await writeFiles(d, [sizes(2, 0)]);
        await d.close();
        await h.setWriteProtect(true);
        await d.open();
        assert.equal((await d.status()).writeProtected, true);
        await d.rewind();
        await rejectsWith(() => d.writeBlock(pattern(mode || 100, 1)), 'WRITE_PROTECTED');
        await rejectsWith(() => d.writeFilemarks(1), 'WRITE_PROTECTED');
        await rejectsWith(() => d.erase(), 'WRITE_PROTECTED');
        assert.deepEqual(await readAll(d, RB), [...expected[0], 'eod']);
        await d.close();
        await h.setWriteProtect(false);
        await d.open();
        assert.equal((await d.status()).writeProtected, false);
        await d.seekEod();
        await d.writeBlock(pattern(mode || 100, 2));
        await d.close();
      } finally {
        await h.cleanup();
      }
    });

    test('without a medium: open succeeds, tape operations throw NO_MEDIUM', async (t) => {
      const h = await makeDrive();
      if (!h.removeMedium) {
        await h.cleanup();
        t.skip('the backend cannot take its medium away');
        return;
      }
      try {
        await h.removeMedium();
        const d = h.drive;
        await d.open();
        assert.equal((await d.status()).loaded, false);
        await rejectsWith(() => d.readBlock(Buffer.alloc(1024)), 'NO_MEDIUM');
        await rejectsWith(() => d.writeBlock(Buffer.alloc(1024)), 'NO_MEDIUM');
        await rejectsWith(() => d.rewind(), 'NO_MEDIUM');
        await rejectsWith(() => d.writeFilemarks(1), 'NO_MEDIUM');
        await d.close();
      } finally {
        await h.cleanup();
      }
    });
  });
}
