/**
 * The native data path under the st emulator: NativeDrive (the addon's async
 * writes on the thread pool) writing blocks to /dev/nst0 emulated on a file, for
 * 256 KiB and 1 MiB blocks, beside `dd` writing the same bytes with the same block
 * size to the same kind of file. Blocks per second and MB/s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { REPO, scratchBase } from './util.js';

export interface NativePathResult {
  blockSize: number;
  bytes: number;
  oursMBps: number;
  oursBlocksPerSec: number;
  ddMBps: number;
}

const LIB = path.join(REPO, 'native/build/Release/libafstemu.so');

/** The writer that runs under LD_PRELOAD, from the build in dist/. */
const CHILD = `
const { NativeDrive } = await import(process.env.AF_BENCH_DIST + '/device/native/native-drive.js');
const bs = Number(process.env.AF_BENCH_BS), count = Number(process.env.AF_BENCH_COUNT);
const d = new NativeDrive(process.env.AF_STEMU_DEVICE);
await d.open();
await d.setBlockSize(0);
const a = Buffer.alloc(bs, 0x5a), b = Buffer.alloc(bs, 0xa5);
const t = performance.now();
for (let i = 0; i < count; i++) {
  const r = await d.writeBlock(i % 2 ? a : b);
  if (r.kind !== 'written') throw new Error('end of tape after ' + i + ' blocks');
}
await d.writeFilemarks(1);
const ms = performance.now() - t;
await d.close();
process.stdout.write(JSON.stringify({ ms }));
`;

export async function nativePath(blockSize: number, bytes: number): Promise<NativePathResult> {
  if (!fs.existsSync(LIB)) throw new Error(`the st emulator is not built (${LIB})`);
  const dir = fs.mkdtempSync(path.join(scratchBase(), 'af-bench-native-'));
  try {
    const count = Math.max(1, Math.floor(bytes / blockSize));
    const dev = path.join(dir, 'nst0');
    fs.symlinkSync('/dev/null', dev);
    const env = {
      ...process.env,
      LD_PRELOAD: LIB,
      AF_STEMU_TAPE: path.join(dir, 'tape.img'),
      AF_STEMU_DEVICE: dev,
      AF_STEMU_CAPACITY: String(count * blockSize + (64 << 20)),
      AF_BENCH_DIST: path.join(REPO, 'dist'),
      AF_BENCH_BS: String(blockSize),
      AF_BENCH_COUNT: String(count),
    };
    spawnSync('sync');
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      let e = '';
      c.stdout.on('data', (b: Buffer) => (o += b));
      c.stderr.on('data', (b: Buffer) => (e += b));
      const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(o);
        else reject(new Error(`native writer failed (${code}): ${e.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
    const ms = (JSON.parse(out) as { ms: number }).ms;
    fs.rmSync(path.join(dir, 'tape.img'), { force: true });
    spawnSync('sync');
    const t = performance.now();
    const dd = spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'dd.img')}`, `bs=${blockSize}`, `count=${count}`], { stdio: 'ignore' });
    const ddMs = performance.now() - t;
    if (dd.status !== 0) throw new Error('dd failed');
    const total = count * blockSize;
    return { blockSize, bytes: total, oursMBps: total / 1e6 / (ms / 1000), oursBlocksPerSec: count / (ms / 1000), ddMBps: total / 1e6 / (ddMs / 1000) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
