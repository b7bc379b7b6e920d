/**
 * NativeDrive over the st emulator (native/stemu, loaded with LD_PRELOAD): the one
 * TapeDrive contract suite, then st behaviour seen through the bare addon calls.
 *
 * LD_PRELOAD must be set before a process starts, so this file re-runs itself in a
 * child `node --import tsx` with the library preloaded; the parent only checks that
 * the child passed (and passes its output through when it did not). The contract's
 * second processes (drive-child.ts) inherit the preload from the child.
 *
 * Each drive gets a fresh tape image and its own device node name: a symlink to
 * /dev/null, so openDevice sees a character device, and AF_STEMU_DEVICE makes the
 * emulator answer for that exact path (the emulator reads its environment at each open).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NativeDrive } from '../../src/device/native/native-drive.js';
import { openDevice } from '../../src/device/open-device.js';
import { isErrno, type MtGet, native } from '../../src/native.js';
import { runDriveContract } from '../device/drive-contract.js';
import { pattern, repoRoot, scratchDir } from '../device/helpers.js';

const LIB = path.join(repoRoot, 'native', 'build', 'Release', 'libafstemu.so');
const CAPACITY = 16 << 20;
const EARLY_WARNING = 4 << 20;
const E = os.constants.errno;

if (!process.env.AF_STEMU_TAPE) {
  test('NativeDrive under the st emulator (child process with LD_PRELOAD)', (t) => {
    if (!fs.existsSync(LIB)) {
      t.skip(`${LIB} is not built (npm run build:addon)`);
      return;
    }
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=dot', self], {
      cwd: repoRoot,
      env: { ...process.env, LD_PRELOAD: LIB, AF_STEMU_TAPE: path.join(os.tmpdir(), 'af-stemu-unused.img') },
      encoding: 'utf8',
      timeout: 120000,
    });
    if (r.status !== 0) process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    assert.equal(r.status, 0, `the emulator suite failed (status ${r.status}, signal ${r.signal}); output above`);
  });
} else {
  /** A fresh tape image and device name; sets the emulator's environment for them. */
  const fresh = (): { dir: string; dev: string } => {
    const dir = scratchDir('stemu');
    const dev = path.join(dir, 'nst0');
    fs.symlinkSync('/dev/null', dev);
    process.env.AF_STEMU_TAPE = path.join(dir, 'tape.img');
    process.env.AF_STEMU_DEVICE = dev;
    process.env.AF_STEMU_CAPACITY = String(CAPACITY);
    process.env.AF_STEMU_EARLY_WARNING = String(EARLY_WARNING);
    process.env.AF_STEMU_WRITE_PROTECT = '0';
    return { dir, dev };
  };

  runDriveContract(
    'native st drive under the emulator',
    async () => {
      const { dir, dev } = fresh();
      const opened = openDevice({ device: dev });
      assert.equal(opened.kind, 'native');
      const drive = opened.drive;
      return {
        drive,
        spec: { device: dev },
        cleanup: async () => {
          await drive.close();
          process.env.AF_STEMU_WRITE_PROTECT = '0';
          fs.rmSync(dir, { recursive: true, force: true });
        },
        setWriteProtect: async (on) => {
          process.env.AF_STEMU_WRITE_PROTECT = on ? '1' : '0';
        },
        removeMedium: async () => {
          await drive.open();
          await drive.eject();
          await drive.close();
        },
      };
    },
    { keepsBlockBoundaries: true, capacity: { bytes: CAPACITY, earlyWarning: EARLY_WARNING } },
  );

  const flagsOf = (g: MtGet | unknown): string[] => {
    assert.ok(!isErrno(g), JSON.stringify(g));
    return (g as MtGet).flags;
  };

  test('emulator: st read semantics through the bare addon calls', () => {
    const { dir, dev } = fresh();
    const a = native();
    const fd = a.open(dev, 'rw', false) as number;
    assert.equal(typeof fd, 'number');
    try {
      assert.deepEqual(flagsOf(a.mtget(fd)), ['BOT', 'EOD', 'ONLINE']);
      assert.equal(a.write(fd, pattern(3000, 1)), 3000);
      assert.equal(a.write(fd, pattern(10, 2)), 10);
      assert.equal(a.mtop(fd, 'MTWEOF', 1), 0);
      assert.equal(a.mtpos(fd), 3);
      assert.equal(a.mtop(fd, 'MTREW', 1), 0);
      // A short buffer: ENOMEM, and st skips the block.
      assert.deepEqual(a.read(fd, Buffer.alloc(100)), { errno: E.ENOMEM, syscall: 'read' });
      const g = a.mtget(fd) as MtGet;
      assert.deepEqual([g.fileno, g.blkno], [0, 1]);
      assert.equal(a.read(fd, Buffer.alloc(100)), 10);
      // The filemark reads as 0 bytes with GMT_EOF; end of data as 0 once, then EIO.
      assert.equal(a.read(fd, Buffer.alloc(100)), 0);
      const fm = a.mtget(fd) as MtGet;
      assert.deepEqual([fm.fileno, fm.blkno, fm.flags.includes('EOF')], [1, 0, true]);
      assert.equal(a.read(fd, Buffer.alloc(100)), 0);
      assert.equal(flagsOf(a.mtget(fd)).includes('EOF'), false);
      assert.deepEqual(a.read(fd, Buffer.alloc(100)), { errno: E.EIO, syscall: 'read' });
      // Spacing: fsf past the end is EIO; bsf stops before the filemark, block unknown.
      assert.equal(a.mtop(fd, 'MTREW', 1), 0);
      assert.deepEqual(a.mtop(fd, 'MTFSF', 2), { errno: E.EIO, syscall: 'ioctl(MTIOCTOP)' });
      assert.equal(a.mtop(fd, 'MTBSF', 1), 0);
      const b = a.mtget(fd) as MtGet;
      assert.deepEqual([b.fileno, b.blkno], [0, -1]);
      assert.equal(a.mtop(fd, 'MTSEEK', 1), 0);
      assert.equal(a.mtpos(fd), 1);
      assert.deepEqual(a.mtop(fd, 'MTTELL', 0), { errno: E.ENOSYS, syscall: 'ioctl(MTIOCTOP)' });
      // Fixed mode: writes must be whole blocks.
      assert.equal(a.mtop(fd, 'MTSETBLK', 512), 0);
      assert.equal((a.mtget(fd) as MtGet).blockSize, 512);
      assert.deepEqual(a.write(fd, Buffer.alloc(700)), { errno: E.EINVAL, syscall: 'write' });
      assert.equal(a.mtop(fd, 'MTSETBLK', 0), 0);
      // A second open is EBUSY.
      assert.deepEqual(a.open(dev, 'r', false), { errno: E.EBUSY, syscall: 'open' });
    } finally {
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulator: close after a write adds a filemark; position survives the close', () => {
    const { dir, dev } = fresh();
    const a = native();
    try {
      let fd = a.open(dev, 'rw', false) as number;
      a.write(fd, pattern(100, 1));
      a.close(fd);
      fd = a.open(dev, 'r', false) as number;
      const g = a.mtget(fd) as MtGet;
      assert.deepEqual([g.fileno, g.blkno, g.flags.includes('EOD')], [1, 0, true]);
      a.close(fd);
      assert.match(fs.readFileSync(`${process.env.AF_STEMU_TAPE}.pos`, 'utf8'), /^loaded 1 blksize 0 density 0 off \d+ fileno 1 blkno 0 lblk 2$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulator: ejected, write-protected and missing tapes at open', () => {
    const { dir, dev } = fresh();
    const a = native();
    try {
      let fd = a.open(dev, 'rw', false) as number;
      assert.equal(a.mtop(fd, 'MTOFFL', 1), 0);
      a.close(fd);
      assert.deepEqual(a.open(dev, 'r', false), { errno: 123 /* ENOMEDIUM */, syscall: 'open' });
      fd = a.open(dev, 'r', true) as number;
      assert.deepEqual(flagsOf(a.mtget(fd)), ['DR_OPEN']);
      assert.deepEqual(a.read(fd, Buffer.alloc(10)), { errno: 123, syscall: 'read' });
      assert.equal(a.mtop(fd, 'MTLOAD', 1), 0);
      assert.deepEqual(flagsOf(a.mtget(fd)), ['BOT', 'EOD', 'ONLINE']);
      a.close(fd);
      process.env.AF_STEMU_WRITE_PROTECT = '1';
      assert.deepEqual(a.open(dev, 'rw', false), { errno: E.EROFS, syscall: 'open' });
      fd = a.open(dev, 'rw', true) as number;
      assert.ok(flagsOf(a.mtget(fd)).includes('WR_PROT'));
      assert.deepEqual(a.write(fd, Buffer.alloc(10)), { errno: E.EACCES, syscall: 'write' });
      a.close(fd);
    } finally {
      process.env.AF_STEMU_WRITE_PROTECT = '0';
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulator: early warning alternates ENOSPC and success, as st does', () => {
    const { dir, dev } = fresh();
    const a = native();
    const fd = a.open(dev, 'rw', false) as number;
    try {
      const block = Buffer.alloc(1 << 20);
      const results: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = a.write(fd, block);
        results.push(isErrno(r) ? 'ENOSPC' : 'ok');
      }
      // 12 MiB fit before the zone (the 13th write lands in it), then every other write is refused until 16 MiB.
      assert.deepEqual(results, [...Array(13).fill('ok'), 'ENOSPC', 'ok', 'ENOSPC', 'ok', 'ENOSPC', 'ok', 'ENOSPC']);
      assert.ok(flagsOf(a.mtget(fd)).includes('EOT'));
      assert.equal(a.mtop(fd, 'MTWEOF', 1), 0);
    } finally {
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulator: the unmodified mt(1) of mt-st agrees with it (oracle)', (t) => {
    if (spawnSync('mt', ['--version'], { encoding: 'utf8' }).error) {
      t.skip('mt (Debian package mt-st) is not installed');
      return;
    }
    const { dir, dev } = fresh();
    const mt = (...args: string[]): string => {
      const r = spawnSync('mt', ['-f', dev, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 0, `mt ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    try {
      mt('weof', '2');
      mt('rewind');
      mt('fsf', '1');
      assert.match(mt('status'), /File number=1, block number=0/);
      mt('eod');
      const s = mt('status');
      assert.match(s, /File number=2, block number=0/);
      assert.match(s, /EOD ONLINE/);
      assert.match(mt('tell'), /At block 2\./);
      // bsf stops before the filemark it crossed: the end of file 1 (block unknown, as st says).
      mt('bsf', '1');
      assert.match(mt('status'), /File number=1, block number=-1/);
      assert.match(mt('tell'), /At block 1\./);
      // asf: rewind, then forward to file 1.
      mt('asf', '1');
      const a = mt('status');
      assert.match(a, /File number=1, block number=0/);
      assert.doesNotMatch(a, /BOT/);
      assert.match(mt('tell'), /At block 1\./);
      mt('rewind');
      assert.match(mt('status'), /BOT/);
      // Spacing past the end of data fails as on a real drive (EIO).
      const past = spawnSync('mt', ['-f', dev, 'fsf', '5'], { encoding: 'utf8' });
      assert.notEqual(past.status, 0);
      assert.match(past.stderr, /Input\/output error/);
      mt('eod');
      mt('setblk', '512');
      assert.match(mt('status'), /Tape block size 512 bytes/);
      // What mt did is what NativeDrive sees.
      return (async () => {
        const d = new NativeDrive(dev);
        await d.open();
        const st = await d.status();
        assert.deepEqual([st.file, st.block, st.blockSize, st.eod], [2, 0, 512, true]);
        await d.close();
      })().finally(() => fs.rmSync(dir, { recursive: true, force: true }));
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  });

  test('emulator: SG_IO on the drive node: INQUIRY, TEST UNIT READY, LOG SENSE pages 0x00, 0x12, 0x2E', () => {
    const { dir, dev } = fresh();
    process.env.AF_STEMU_TAPEALERT = '1,20,64';
    const a = native();
    const fd = a.open(dev, 'r', true) as number;
    try {
      const cmd = (cdb: number[], len: number) => {
        const data = Buffer.alloc(len);
        const r = a.sgio(fd, Buffer.from(cdb), len > 0 ? 'in' : 'none', len > 0 ? data : null, 5000);
        assert.ok(!isErrno(r), JSON.stringify(r));
        return { r, data: data.subarray(0, len - r.resid) };
      };
      const inq = cmd([0x12, 0, 0, 0, 96, 0], 96);
      assert.equal(inq.r.status, 0);
      assert.equal(inq.data[0], 0x01, 'a sequential-access device');
      assert.equal(inq.data.subarray(8, 28).toString('latin1'), 'AFSTEMU VIRTUAL TAPE');
      assert.equal(cmd([0x00, 0, 0, 0, 0, 0], 0).r.status, 0);
      const pages = cmd([0x4d, 0, 0x40, 0, 0, 0, 0, 0, 64, 0], 64);
      assert.deepEqual([...pages.data], [0x00, 0, 0, 3, 0x00, 0x12, 0x2e]);
      const p12 = cmd([0x4d, 0, 0x52, 0, 0, 0, 0, 0, 64, 0], 64);
      assert.deepEqual([...p12.data], [0x12, 0, 0, 12, 0, 0, 0, 8, 0x80, 0, 0x10, 0, 0, 0, 0, 0x01]);
      const p2e = cmd([0x4d, 0, 0x6e, 0, 0, 0, 0, 0x02, 0, 0], 0x200);
      assert.equal(p2e.data.length, 4 + 64 * 5);
      assert.deepEqual([...p2e.data.subarray(0, 4)], [0x2e, 0, 0x01, 0x40]);
      const on = [...Array(64).keys()].filter((i) => p2e.data[4 + i * 5 + 4] === 1).map((i) => p2e.data.readUInt16BE(4 + i * 5));
      assert.deepEqual(on, [1, 20, 64]);
      const bad = cmd([0xa5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0);
      assert.equal(bad.r.status, 2, 'CHECK CONDITION');
      assert.deepEqual([bad.r.sense[2]! & 0x0f, bad.r.sense[12], bad.r.sense[13]], [5, 0x20, 0]);
      // Without a cartridge: TEST UNIT READY says "medium not present".
      assert.equal(a.mtop(fd, 'MTOFFL', 1), 0);
      const tur = cmd([0x00, 0, 0, 0, 0, 0], 0);
      assert.deepEqual([tur.r.status, tur.r.sense[2]! & 0x0f, tur.r.sense[12]], [2, 2, 0x3a]);
    } finally {
      delete process.env.AF_STEMU_TAPEALERT;
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulator: NativeDrive maps a missing node to DEVICE_MISSING', async () => {
    const d = new NativeDrive('/nonexistent/nst9');
    await assert.rejects(() => d.open(), (e: unknown) => (e as { code?: string }).code === 'DEVICE_MISSING');
  });
}
