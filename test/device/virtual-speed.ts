/**
 * Throughput of the file-backed drives (not a test): writes and reads back a few
 * hundred MiB through a virtual library drive and a directory drive with 1 KiB,
 * 256 KiB and 1 MiB blocks, and prints MB/s (10^6 bytes per second).
 *
 *   node --import tsx test/device/virtual-speed.ts [MiB per run, default 256] [scratch dir]
 *
 * Each case runs three times; the median and the best are printed.
 * "write" is the time until the last block was accepted, "+close" adds close()
 * (flush, and the fsync of sync-on-close), "read" reads everything back (mostly from
 * the page cache, as the data was just written). The runs' files are deleted only at
 * the end: deleting hundreds of MiB between runs slows the next run on some disks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TapeDrive } from '../../src/device/tape-drive.js';
import { createVirtualLibrary } from '../../src/device/virtual/library.js';
import { DirectoryDrive } from '../../src/device/directory/directory-drive.js';

const mib = Number(process.argv[2] ?? 256);
const scratch = fs.mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'af-speed-'));
const total = mib * 2 ** 20;

interface Figures {
  write: number;
  close: number;
  read: number;
}

async function run(drive: TapeDrive, blockSize: number, fixed: boolean): Promise<Figures> {
  const block = Buffer.alloc(blockSize);
  for (let i = 0; i < blockSize; i++) block[i] = (i * 7919) & 0xff;
  const blocks = Math.floor(total / blockSize);
  await drive.open();
  if (fixed) await drive.setBlockSize(blockSize);
  await drive.rewind();
  let t0 = performance.now();
  for (let i = 0; i < blocks; i++) {
    const r = await drive.writeBlock(block);
    if (r.kind !== 'written') throw new Error(`unexpected ${r.kind} after ${i} blocks`);
  }
  const tWrite = performance.now() - t0;
  await drive.writeFilemarks(1);
  await drive.close();
  const tClose = performance.now() - t0;

  await drive.open();
  await drive.rewind();
  const buf = Buffer.alloc(blockSize);
  let got = 0;
  t0 = performance.now();
  for (;;) {
    const r = await drive.readBlock(buf);
    if (r.kind !== 'data') break;
    got += r.bytes;
  }
  const tRead = performance.now() - t0;
  await drive.close();
  if (got !== blocks * blockSize) throw new Error(`read ${got} bytes, wrote ${blocks * blockSize}`);
  const rate = (ms: number): number => (blocks * blockSize) / 1e6 / (ms / 1000);
  return { write: rate(tWrite), close: rate(tClose), read: rate(tRead) };
}

const REPS = 3;

/** Runs a case REPS times (each overwriting the last) and prints median and best. */
async function line(label: string, drive: TapeDrive, blockSize: number, fixed: boolean): Promise<void> {
  const runs: Figures[] = [];
  for (let i = 0; i < REPS; i++) runs.push(await run(drive, blockSize, fixed));
  const n = (x: number): string => x.toFixed(0).padStart(5);
  const col = (k: keyof Figures): string => {
    const v = runs.map((r) => r[k]).sort((a, b) => a - b);
    return `${n(v[Math.floor(v.length / 2)])} (${n(v[v.length - 1])})`;
  };
  console.log(`${label.padEnd(32)} write ${col('write')}  +close ${col('close')}  read ${col('read')}`);
}

try {
  console.log(`${mib} MiB per run, ${REPS} runs per case, scratch ${scratch}, Node ${process.version}`);
  console.log('MB/s, median of the runs (best in parentheses)');
  for (const bs of [1024, 256 * 1024, 1024 * 1024]) {
    const label = bs >= 1 << 20 ? `${bs >> 20} MiB` : `${bs >> 10} KiB`;
    const libDir = path.join(scratch, `vtl-${bs}`);
    const lib = createVirtualLibrary(libDir, { slots: 1, capacity: total * 2, earlyWarning: 1 << 20 });
    await lib.changer.load(1, 1);
    await line(`virtual drive, ${label} blocks`, lib.drive(1), bs, false);

    const dir = path.join(scratch, `dir-${bs}`);
    fs.mkdirSync(dir);
    await line(`directory drive, ${label} blocks`, new DirectoryDrive(dir), bs, true);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
