/**
 * A self-test of the TapeDrive contract that an operator can run against a named
 * device with a scratch cartridge in it (aftape selftest). It is the short, runtime
 * cousin of the test suite's contract: the same promises (positions, filemarks, end
 * of data, overwriting, erasing, a too-small buffer), checked with a few KiB of data
 * so that it finishes in seconds even on a real drive.
 *
 * EVERYTHING ON THE CARTRIDGE IS LOST: every check starts by rewinding and erasing,
 * and the run ends with an erased tape. The block size in force before the run is
 * set again at the end.
 *
 * The checks work in fixed-block mode (1024 bytes), which every backend honours the
 * same way (flat-file backends keep no block boundaries in variable mode). Each check
 * builds its own tape contents, so one failure does not spoil the next check.
 */
import { AfError, isAfError, type ErrorCode } from '../errors.js';
import type { ReadResult, TapeDrive } from './tape-drive.js';

/** Block size the checks write with. */
export const SELFTEST_BLOCK = 1024;

export interface SelftestCheck {
  name: string;
  /** Runs on an open drive holding a writable cartridge; throws SelftestFailure (or anything) on failure. */
  run(drive: TapeDrive): Promise<void>;
}

export interface SelftestResult {
  name: string;
  ok: boolean;
  /** Why it failed. */
  detail?: string;
  /** Milliseconds it took. */
  ms: number;
}

/** A check's expectation that did not hold. */
export class SelftestFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelftestFailure';
  }
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new SelftestFailure(what);
}

/** Block n of the self-test: 1024 bytes that differ from block to block. */
export function selftestBlock(n: number): Buffer {
  const b = Buffer.alloc(SELFTEST_BLOCK);
  let x = (n * 2246822519 + 374761393) >>> 0;
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  b.writeUInt32BE(n, 0);
  return b;
}

/** Rewinds, erases and writes `files`: for each file the numbers of its blocks, then a filemark. */
async function prepare(d: TapeDrive, files: number[][]): Promise<void> {
  await d.rewind();
  await d.erase();
  await d.setBlockSize(SELFTEST_BLOCK);
  for (const file of files) {
    for (const n of file) {
      const r = await d.writeBlock(selftestBlock(n));
      expect(r.kind === 'written', `block ${n} was not written (the tape reported its end)`);
    }
    await d.writeFilemarks(1);
  }
  await d.rewind();
}

/** What a read gave, as a short word: "b<n>" for a self-test block, "fm", "eod", "data?" for anything else. */
function word(r: ReadResult, buf: Buffer): string {
  if (r.kind !== 'data') return r.kind === 'filemark' ? 'fm' : 'eod';
  if (r.bytes !== SELFTEST_BLOCK) return `data(${r.bytes} bytes)`;
  const n = buf.readUInt32BE(0);
  return selftestBlock(n).equals(buf.subarray(0, r.bytes)) ? `b${n}` : 'data?';
}

/** Reads up to end of data (at most `limit` reads) and returns the words. */
async function readAll(d: TapeDrive, limit = 64): Promise<string[]> {
  const buf = Buffer.alloc(SELFTEST_BLOCK);
  const out: string[] = [];
  for (let i = 0; i < limit; i++) {
    const r = await d.readBlock(buf);
    out.push(word(r, buf));
    if (r.kind === 'eod') return out;
  }
  throw new SelftestFailure(`no end of data after ${limit} reads: ${out.join(' ')}`);
}

async function readOne(d: TapeDrive): Promise<string> {
  const buf = Buffer.alloc(SELFTEST_BLOCK);
  return word(await d.readBlock(buf), buf);
}

function same(got: string[], want: string[], what: string): void {
  expect(got.join(' ') === want.join(' '), `${what}: read "${got.join(' ')}", expected "${want.join(' ')}"`);
}

async function at(d: TapeDrive, file: number, block: number, what: string): Promise<void> {
  const s = await d.status();
  expect(s.file === file && s.block === block, `${what}: status says file ${s.file} block ${s.block}, expected file ${file} block ${block}`);
}

async function fails(fn: () => Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    expect(isAfError(e, code), `${what}: expected ${code}, got ${isAfError(e) ? e.code : String(e)}`);
    return;
  }
  throw new SelftestFailure(`${what}: expected ${code}, but it succeeded`);
}

/** The checks, in the order they run. */
export const SELFTEST_CHECKS: readonly SelftestCheck[] = [
  {
    name: 'an erased tape is blank: at the beginning, at end of data, reads give end of data',
    async run(d) {
      await prepare(d, []);
      const s = await d.status();
      expect(s.bot, 'status does not report the beginning of the tape');
      expect(s.eod, 'status does not report end of data');
      same([await readOne(d), await readOne(d)], ['eod', 'eod'], 'reading a blank tape');
      await at(d, 0, 0, 'after reading a blank tape');
    },
  },
  {
    name: 'files written with filemarks read back block by block',
    async run(d) {
      await prepare(d, [[1, 2, 3], [4], [5, 6]]);
      same(await readAll(d), ['b1', 'b2', 'b3', 'fm', 'b4', 'fm', 'b5', 'b6', 'fm', 'eod'], 'reading the tape');
    },
  },
  {
    name: 'status counts blocks within a file and files after a filemark',
    async run(d) {
      await prepare(d, [[1, 2, 3], [4]]);
      await readOne(d);
      await readOne(d);
      await at(d, 0, 2, 'after two blocks');
      await readOne(d);
      same([await readOne(d)], ['fm'], 'the end of file 0');
      await at(d, 1, 0, 'after the filemark');
    },
  },
  {
    name: 'seekFile reaches block 0 of every file and end of data; beyond fails',
    async run(d) {
      await prepare(d, [[1, 2], [3], [4, 5]]);
      await d.seekFile(2);
      await at(d, 2, 0, 'seekFile 2');
      same([await readOne(d)], ['b4'], 'the first block of file 2');
      await d.seekFile(1);
      await at(d, 1, 0, 'seekFile 1 (backwards)');
      same([await readOne(d)], ['b3'], 'the first block of file 1');
      await d.seekFile(3);
      same([await readOne(d)], ['eod'], 'seekFile to the file after the last');
      await fails(() => d.seekFile(4), 'SETFILE_FAILED', 'seekFile beyond end of data');
    },
  },
  {
    name: 'seekEod positions after the last file, where a new file is appended',
    async run(d) {
      await prepare(d, [[1], [2, 3]]);
      await d.seekEod();
      const s = await d.status();
      expect(s.file === 2 && s.eod, `after seekEod status says file ${s.file}, eod ${s.eod}; expected file 2 at end of data`);
      const r = await d.writeBlock(selftestBlock(9));
      expect(r.kind === 'written', 'appending failed');
      await d.writeFilemarks(1);
      await d.rewind();
      same(await readAll(d), ['b1', 'fm', 'b2', 'b3', 'fm', 'b9', 'fm', 'eod'], 'after appending');
    },
  },
  {
    name: 'writing at the start of a file discards it and every later file',
    async run(d) {
      await prepare(d, [[1, 2], [3], [4]]);
      await d.seekFile(1);
      await d.writeBlock(selftestBlock(7));
      await d.writeFilemarks(1);
      await d.rewind();
      same(await readAll(d), ['b1', 'b2', 'fm', 'b7', 'fm', 'eod'], 'after overwriting file 1');
    },
  },
  {
    name: 'erase from a file ends the data there',
    async run(d) {
      await prepare(d, [[1], [2], [3]]);
      await d.seekFile(1);
      await d.erase();
      await d.rewind();
      same(await readAll(d), ['b1', 'fm', 'eod'], 'after erasing from file 1');
    },
  },
  {
    name: 'a buffer smaller than a block is refused and the position stays',
    async run(d) {
      await prepare(d, [[1, 2]]);
      await fails(() => d.readBlock(Buffer.alloc(SELFTEST_BLOCK / 2)), 'BLOCK_TOO_SMALL', 'reading with a half-block buffer');
      await at(d, 0, 0, 'after the refused read');
      same([await readOne(d)], ['b1'], 'the block after the refused read');
    },
  },
];

export interface SelftestOptions {
  /** Called after each check. */
  onResult?(r: SelftestResult): void;
}

/**
 * Runs every check on an open drive and returns one result per check. Before the
 * first check the drive must hold a writable cartridge (else NO_MEDIUM or
 * WRITE_PROTECTED is thrown and nothing is written). Afterwards the tape is rewound
 * and erased, and the block size is what it was.
 */
export async function runDriveSelftest(drive: TapeDrive, opts: SelftestOptions = {}): Promise<SelftestResult[]> {
  const before = await drive.status();
  if (!before.loaded) throw new AfError('NO_MEDIUM', `"${drive.name}" has no cartridge for the self-test`);
  if (before.writeProtected) throw new AfError('WRITE_PROTECTED', `the self-test writes to the tape in "${drive.name}"`);
  const results: SelftestResult[] = [];
  try {
    for (const check of SELFTEST_CHECKS) {
      const t0 = Date.now();
      let result: SelftestResult;
      try {
        await check.run(drive);
        result = { name: check.name, ok: true, ms: Date.now() - t0 };
      } catch (e) {
        const detail = e instanceof SelftestFailure ? e.message : `unexpected ${isAfError(e) ? e.code : 'error'}: ${(e as Error).message ?? String(e)}`;
        result = { name: check.name, ok: false, detail, ms: Date.now() - t0 };
      }
      results.push(result);
      opts.onResult?.(result);
    }
  } finally {
    await drive.rewind().catch(() => undefined);
    await drive.erase().catch(() => undefined);
    await drive.setBlockSize(before.blockSize).catch(() => undefined);
  }
  return results;
}
