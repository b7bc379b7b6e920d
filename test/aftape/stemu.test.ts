/**
 * aftape on a st drive, played by the st emulator (native/stemu, loaded into each child
 * with LD_PRELOAD; see test/native/stemu-drive.test.ts). The device node is a symlink
 * to /dev/null that AF_STEMU_DEVICE tells the emulator to answer for.
 *
 * Checks status --json (the GMT_* flags and struct mtget), weof/rewind/fsf/bsf/eod
 * positions, setblk, eject and MTLOAD, selftest, and TapeAlert end to end: LOG SENSE
 * page 0x2E over SG_IO on the drive node, whose flags the emulator takes from
 * AF_STEMU_TAPEALERT, decoded and graded by aftape. Where Debian's mt (mt-st) is installed, its
 * "File number=" agrees with ours after each move; without it that part is skipped,
 * except on CI, which installs mt-st and so fails if it is missing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aftape, ok, repoRoot, scratch } from './helpers.js';

const LIB = path.join(repoRoot, 'native', 'build', 'Release', 'libafstemu.so');
const haveMt = !spawnSync('mt', ['--version'], { encoding: 'utf8' }).error;

interface Emulated {
  dev: string;
  env: NodeJS.ProcessEnv;
  done(): void;
}

function emulated(tag: string): Emulated {
  const dir = scratch(tag);
  const dev = path.join(dir, 'nst0');
  fs.symlinkSync('/dev/null', dev);
  const env = {
    LD_PRELOAD: LIB,
    AF_STEMU_TAPE: path.join(dir, 'tape.img'),
    AF_STEMU_DEVICE: dev,
    AF_STEMU_CAPACITY: String(16 << 20),
    AF_STEMU_EARLY_WARNING: String(4 << 20),
    AF_STEMU_WRITE_PROTECT: '0',
  };
  return { dev, env, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

interface Status {
  kind: string;
  loaded: boolean;
  file: number;
  block: number;
  bot: boolean;
  eod: boolean;
  blockSize: number;
  flags: string[];
  mtget: { type: number; partition: number; density: number };
}

describe('aftape on a st drive under the emulator', { concurrency: 2 }, () => {
  test('status, positions and blocksize agree with status --json (and with mt-st)', async (t) => {
    if (!fs.existsSync(LIB)) {
      t.skip(`${LIB} is not built (npm run build:addon)`);
      return;
    }
    const e = emulated('st');
    const st = async (): Promise<Status> => JSON.parse(await ok(['-f', e.dev, 'status', '--json'], e.env)) as Status;
    const mtFile = (): number | null => {
      if (!haveMt) return null;
      const r = spawnSync('mt', ['-f', e.dev, 'status'], { encoding: 'utf8', env: { ...process.env, ...e.env } });
      assert.equal(r.status, 0, `mt status: ${r.stderr}`);
      const m = /File number=(-?\d+), block number=(-?\d+)/.exec(r.stdout);
      assert.ok(m, r.stdout);
      return Number(m[1]);
    };
    const at = async (file: number, what: string): Promise<Status> => {
      const s = await st();
      assert.equal(s.file, file, `${what}: our file number`);
      const theirs = mtFile();
      if (theirs !== null) assert.equal(theirs, file, `${what}: mt's file number`);
      return s;
    };
    try {
      let s = await st();
      assert.equal(s.kind, 'native');
      assert.deepEqual(s.flags, ['BOT', 'EOD', 'ONLINE']);
      assert.deepEqual([s.loaded, s.file, s.block, s.bot, s.eod, s.blockSize], [true, 0, 0, true, true, 0]);
      assert.equal(s.mtget.type, 0x72);
      const text = await ok(['-f', e.dev, 'status'], e.env);
      assert.match(text, /\(st tape drive\)/);
      assert.match(text, /ONLINE: a cartridge is loaded and ready/);

      await ok(['-f', e.dev, 'weof', '3'], e.env);
      s = await at(3, 'after weof 3');
      assert.equal(s.eod, true);
      await ok(['-f', e.dev, 'rewind'], e.env);
      assert.equal((await at(0, 'after rewind')).bot, true);
      await ok(['-f', e.dev, 'fsf', '2'], e.env);
      assert.equal((await at(2, 'after fsf 2')).block, 0);
      await ok(['-f', e.dev, 'bsf', '1'], e.env);
      assert.equal((await at(1, 'after bsf 1')).block, 0);
      await ok(['-f', e.dev, 'eod'], e.env);
      assert.equal((await at(3, 'after eod')).eod, true);
      const r = await aftape(['-f', e.dev, 'fsf', '1'], e.env);
      assert.equal(r.status, 72, r.stderr);
      await ok(['-f', e.dev, 'setblk', '512'], e.env);
      assert.equal((await st()).blockSize, 512);
      if (haveMt) {
        const m = spawnSync('mt', ['-f', e.dev, 'status'], { encoding: 'utf8', env: { ...process.env, ...e.env } });
        assert.match(m.stdout, /Tape block size 512 bytes/);
      }
      await ok(['-f', e.dev, 'setblk', '0'], e.env);
    } finally {
      e.done();
    }
    if (!haveMt) {
      if (process.env.CI) assert.fail('mt (Debian package mt-st) is missing, but CI installs it');
      t.diagnostic('mt (mt-st) is not installed: the cross-check with mt was skipped');
    }
  });

  test('eject and load, selftest, an empty drive', async (t) => {
    if (!fs.existsSync(LIB)) {
      t.skip(`${LIB} is not built (npm run build:addon)`);
      return;
    }
    const e = emulated('st2');
    try {
      const out = await ok(['-f', e.dev, 'selftest', '--yes'], e.env);
      assert.match(out, /^8 of 8 checks passed\.$/m);
      let r = await aftape(['-f', e.dev, 'label'], e.env);
      assert.equal(r.status, 61, r.stderr);
      await ok(['-f', e.dev, 'eject'], e.env);
      let s = JSON.parse(await ok(['-f', e.dev, 'status', '--json'], e.env)) as Status;
      assert.deepEqual([s.loaded, s.flags], [false, ['DR_OPEN']]);
      r = await aftape(['-f', e.dev, 'rewind'], e.env);
      assert.equal(r.status, 84, r.stderr);
      r = await aftape(['-f', e.dev, 'load', '3'], e.env);
      assert.equal(r.status, 2, 'a st drive loads no slot');
      await ok(['-f', e.dev, 'load'], e.env);
      s = JSON.parse(await ok(['-f', e.dev, 'status', '--json'], e.env)) as Status;
      assert.deepEqual([s.loaded, s.bot], [true, true]);
    } finally {
      e.done();
    }
  });

  test('tapealert: the flags the drive reports in LOG SENSE page 0x2E, in words and as JSON', async (t) => {
    if (!fs.existsSync(LIB)) {
      t.skip(`${LIB} is not built (npm run build:addon)`);
      return;
    }
    const e = emulated('st3');
    try {
      assert.equal(await ok(['-f', e.dev, 'tapealert'], e.env), 'No TapeAlert flag is set.\n');
      const env = { ...e.env, AF_STEMU_TAPEALERT: '20, 3 5' };
      assert.equal(await ok(['-f', e.dev, 'tapealert'], env), ' 3  warning   Hard error\n 5  critical  Read failure\n20  critical  Clean now\n');
      const j = JSON.parse(await ok(['-f', e.dev, 'tapealert', '--json'], env)) as { device: string; page: number; active: { code: number; name: string; severity: string }[] };
      assert.equal(j.device, e.dev);
      assert.equal(j.page, 0x2e);
      assert.deepEqual(
        j.active.map((f) => [f.code, f.severity]),
        [
          [3, 'warning'],
          [5, 'critical'],
          [20, 'critical'],
        ],
      );
      // Without a cartridge the drive still answers LOG SENSE (aftape opens it O_NONBLOCK).
      await ok(['-f', e.dev, 'eject'], e.env);
      assert.equal(await ok(['-f', e.dev, 'tapealert'], { ...e.env, AF_STEMU_TAPEALERT: '11' }), '11  info      Cleaning media\n');
    } finally {
      e.done();
    }
  });
});
