/**
 * ScsiChanger over the emulated SCSI medium changer of native/stemu (LD_PRELOAD): the one
 * MediaChanger contract suite, then the changer's SCSI answers through the bare sgio call,
 * its state file, and a cartridge moved by the changer being read and written through
 * NativeDrive on the emulated st node.
 *
 * As stemu-drive.test.ts does, this file re-runs itself in a child `node --import tsx`
 * with the library preloaded. Every library gets a fresh directory holding three
 * cartridge files (AF0001L9.tape ...), five slots and one port, and its own node names
 * (symlinks to /dev/null, so openDevice sees character devices).
 *
 * The contract's "moves are seen by another process" reaches the changer through openDevice
 * (a `changerDevice` that is a character device gives a ScsiChanger) in drive-child.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NativeDrive } from '../../src/device/native/native-drive.js';
import { ScsiChanger } from '../../src/device/native/scsi-changer.js';
import { openDevice } from '../../src/device/open-device.js';
import { inquiryCdb, modeSense6Cdb, moveMediumCdb, readElementStatusCdb, requestSenseCdb } from '../../src/device/scsi/cdb.js';
import { parseElementStatus } from '../../src/device/scsi/element-status.js';
import { parseInquiry } from '../../src/device/scsi/inquiry.js';
import { parseElementAddressAssignment } from '../../src/device/scsi/mode-page-1d.js';
import { parseSense } from '../../src/device/scsi/sense.js';
import { isErrno, native, type SgResult } from '../../src/native.js';
import { runChangerContract } from '../device/changer-contract.js';
import { pattern, rejectsWith, repoRoot, scratchDir } from '../device/helpers.js';

const LIB = path.join(repoRoot, 'native', 'build', 'Release', 'libafstemu.so');

if (!process.env.AF_STEMU_LIBRARY) {
  test('ScsiChanger under the emulated changer (child process with LD_PRELOAD)', (t) => {
    if (!fs.existsSync(LIB)) {
      t.skip(`${LIB} is not built (npm run build:addon)`);
      return;
    }
    const self = fileURLToPath(import.meta.url);
    // Without the outer runner's context the child reports in TAP, which is read below.
    const env: NodeJS.ProcessEnv = { ...process.env, LD_PRELOAD: LIB, AF_STEMU_LIBRARY: path.join(os.tmpdir(), 'af-stemu-no-library') };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', self], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 120000,
    });
    if (r.status === 0) return;
    const failed = [...r.stdout.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]!.trim());
    process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    assert.equal(r.status, 0, `the emulator suite failed (status ${r.status}, signal ${r.signal}; failed: ${failed.join(', ')}); output above`);
  });
} else {
  const CARTRIDGES = ['AF0001L9', 'AF0002L9', 'AF0003L9'];

  /** A fresh library directory and node names; sets the emulator's environment for them. */
  const fresh = (): { dir: string; sg: string; nst: string } => {
    const dir = scratchDir('stemu-lib');
    for (const c of CARTRIDGES) fs.writeFileSync(path.join(dir, `${c}.tape`), '');
    const sg = path.join(dir, 'sg9');
    const nst = path.join(dir, 'nst0');
    fs.symlinkSync('/dev/null', sg);
    fs.symlinkSync('/dev/null', nst);
    process.env.AF_STEMU_LIBRARY = dir;
    process.env.AF_STEMU_CHANGER_DEVICE = sg;
    process.env.AF_STEMU_DEVICE = nst;
    process.env.AF_STEMU_SLOTS = '5';
    process.env.AF_STEMU_PORTS = '1';
    process.env.AF_STEMU_CAPACITY = String(16 << 20);
    process.env.AF_STEMU_EARLY_WARNING = String(1 << 20);
    return { dir, sg, nst };
  };

  runChangerContract('SCSI changer (ScsiChanger) under the emulator', async () => {
    const { dir, sg, nst } = fresh();
    const drive = new NativeDrive(nst);
    return {
      changer: new ScsiChanger(sg),
      drive: () => drive,
      spec: { device: nst, changerDevice: sg },
      cleanup: async () => {
        await drive.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  /** One SCSI command through the bare addon call. */
  const sg = (fd: number, cdb: Buffer, data: Buffer | null): SgResult => {
    const r = native().sgio(fd, cdb, data ? 'in' : 'none', data, 5000);
    assert.ok(!isErrno(r), JSON.stringify(r));
    return r;
  };

  test('emulated changer: its SCSI answers, through the bare sgio call', () => {
    const { dir, sg: node } = fresh();
    const a = native();
    const fd = a.open(node, 'rw', false) as number;
    assert.equal(typeof fd, 'number');
    try {
      const inqBuf = Buffer.alloc(96);
      const inq = sg(fd, inquiryCdb({ allocationLength: 96 }), inqBuf);
      assert.deepEqual([inq.status, inq.hostStatus, inq.driverStatus, inq.senseLen, inq.resid], [0, 0, 0, 0, 60]);
      const id = parseInquiry(inqBuf.subarray(0, 36));
      assert.deepEqual([id.deviceType, id.deviceTypeName, id.vendor, id.product], [8, 'medium changer', 'AFSTEMU', 'VIRTUAL CHANGER']);

      const ms = Buffer.alloc(255);
      sg(fd, modeSense6Cdb(), ms);
      assert.deepEqual(parseElementAddressAssignment(ms), {
        transport: { first: 1, count: 1 },
        storage: { first: 0x1000, count: 5 },
        importExport: { first: 0x10, count: 1 },
        dataTransfer: { first: 0x100, count: 1 },
      });

      const res = Buffer.alloc(0xffff);
      sg(fd, readElementStatusCdb({ elementType: 0, startingAddress: 0, numberOfElements: 100, volumeTags: true }), res);
      const report = parseElementStatus(res);
      assert.equal(report.truncated, false);
      assert.deepEqual(
        report.elements.map((e) => `${e.type}@${e.address.toString(16)}:${e.primaryVolumeTag?.barcode ?? (e.full ? 'full' : '-')}`),
        ['transport@1:-', 'importExport@10:-', 'dataTransfer@100:-', 'storage@1000:AF0001L9', 'storage@1001:AF0002L9', 'storage@1002:AF0003L9', 'storage@1003:-', 'storage@1004:-'],
      );
      // Without VOLTAG: 12-byte descriptors, no tags; a short allocation cuts the report.
      const short = Buffer.alloc(40);
      const cut = sg(fd, readElementStatusCdb({ elementType: 2, startingAddress: 0x1000, numberOfElements: 5, allocationLength: 40 }), short);
      assert.equal(cut.resid, 0);
      const part = parseElementStatus(short);
      assert.equal(part.truncated, true);
      assert.deepEqual(part.elements.map((e) => [e.address, e.full, e.primaryVolumeTag]), [[0x1000, true, undefined], [0x1001, true, undefined]]);

      // MOVE MEDIUM slot 1 → drive; the drive reports its source.
      assert.equal(sg(fd, moveMediumCdb({ transport: 1, source: 0x1000, destination: 0x100 }), null).status, 0);
      sg(fd, readElementStatusCdb({ elementType: 4, startingAddress: 0x100, numberOfElements: 1, volumeTags: true }), res);
      const [drive] = parseElementStatus(res).elements;
      assert.deepEqual([drive!.full, drive!.sourceAddress, drive!.primaryVolumeTag?.barcode], [true, 0x1000, 'AF0001L9']);

      // Errors: CHECK CONDITION with fixed-format sense.
      const senseOf = (cdb: Buffer): string => {
        const r = sg(fd, cdb, null);
        assert.deepEqual([r.status, r.maskedStatus, r.driverStatus, r.info & 1, r.senseLen], [2, 1, 8, 1, 18]);
        return parseSense(r.sense).message;
      };
      assert.equal(senseOf(moveMediumCdb({ transport: 0, source: 0x1000, destination: 0x1003 })), 'Illegal request: medium source element empty');
      assert.equal(senseOf(moveMediumCdb({ transport: 0, source: 0x1001, destination: 0x100 })), 'Illegal request: medium destination element full');
      assert.equal(senseOf(moveMediumCdb({ transport: 0, source: 0x1001, destination: 0x2000 })), 'Illegal request: invalid element address');
      assert.equal(senseOf(Buffer.from([0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 'Illegal request: invalid command operation code');
      const rs = Buffer.alloc(18);
      sg(fd, requestSenseCdb({ allocationLength: 18 }), rs);
      assert.equal(parseSense(rs).message, 'No sense');

      const state = fs.readFileSync(path.join(dir, 'changer.state'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      assert.deepEqual(state, ['generation 1', 'drive 1 AF0001L9 from slot 1', 'slot 1 empty', 'slot 2 AF0002L9', 'slot 3 AF0003L9', 'slot 4 empty', 'slot 5 empty', 'port 1 empty']);
    } finally {
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('emulated changer: a read-only descriptor cannot move (EPERM, as sg)', () => {
    const { dir, sg: node } = fresh();
    const a = native();
    const fd = a.open(node, 'r', false) as number;
    try {
      assert.deepEqual(a.sgio(fd, moveMediumCdb({ transport: 0, source: 0x1000, destination: 0x100 }), 'none', null, 1000), {
        errno: os.constants.errno.EPERM,
        syscall: 'ioctl(SG_IO)',
      });
    } finally {
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ScsiChanger: cartridges keep their blocks across unload, load of another, load back', async () => {
    const { dir, sg: node, nst } = fresh();
    const c = new ScsiChanger(node);
    const d = new NativeDrive(nst);
    try {
      await c.load(2, 1);
      await d.open();
      const blocks = [pattern(1000, 1), pattern(65536, 2), pattern(7, 3)];
      for (const b of blocks) assert.equal((await d.writeBlock(b)).kind, 'written');
      await d.writeFilemarks(1);
      await d.writeBlock(pattern(500, 4));
      await d.close(); // st adds the filemark after the last write
      await c.unload(1);
      assert.ok(fs.statSync(path.join(dir, 'AF0002L9.tape')).size > 67000);

      await c.load(3, 1);
      await d.open();
      assert.deepEqual(await d.readBlock(Buffer.alloc(10)), { kind: 'eod' });
      await d.writeBlock(pattern(300, 9));
      await d.eject();
      await c.unload(1, 4);

      await c.load(2, 1); // the drive is still open: it sees the cartridge at its next operation
      assert.equal((await d.status()).loaded, true);
      await d.rewind();
      const buf = Buffer.alloc(65536);
      for (const b of blocks) {
        assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: b.length });
        assert.ok(buf.subarray(0, b.length).equals(b));
      }
      assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
      assert.deepEqual(await d.readBlock(buf), { kind: 'data', bytes: 500 });
      assert.deepEqual(await d.readBlock(buf), { kind: 'filemark' });
      assert.deepEqual(await d.readBlock(buf), { kind: 'eod' });
      await d.close();
      await c.unload(1);
      const inv = await c.inventory();
      assert.deepEqual(
        inv.filter((e) => e.full).map((e) => `${e.kind}${e.number}:${e.barcode}`),
        ['slot1:AF0001L9', 'slot2:AF0002L9', 'slot4:AF0003L9'],
      );
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ScsiChanger: an empty drive has no medium; the drive node is not a changer', async () => {
    const { dir, nst } = fresh();
    const d = new NativeDrive(nst);
    try {
      await d.open();
      assert.equal((await d.status()).loaded, false);
      await rejectsWith(() => d.readBlock(Buffer.alloc(10)), 'NO_MEDIUM');
      await d.close();
      await rejectsWith(() => new ScsiChanger(path.join(dir, 'nosuch')).inventory(), 'DEVICE_MISSING');
      await assert.rejects(new ScsiChanger(nst).inventory(), (e: unknown) => (e as { code?: string }).code === 'CHANGER_FAILED');
    } finally {
      await d.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ScsiChanger: moves made in another process are seen here, and the other way round', async () => {
    const { dir, sg: node } = fresh();
    const c = new ScsiChanger(node);
    const script = (body: string): string => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `import { ScsiChanger } from './src/device/native/scsi-changer.ts';\nconst c = new ScsiChanger(${JSON.stringify(node)});\n${body}`],
        { cwd: repoRoot, env: process.env, encoding: 'utf8', timeout: 60000 },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    try {
      await c.load(1, 1);
      const seen = JSON.parse(script('process.stdout.write(JSON.stringify(await c.inventory()));')) as unknown;
      assert.deepEqual(seen, await c.inventory());
      script('await c.unload(1, 5);');
      const inv = await c.inventory();
      assert.deepEqual(inv.find((e) => e.kind === 'slot' && e.number === 5), { kind: 'slot', number: 5, full: true, barcode: 'AF0001L9' });
      assert.equal(inv[0]!.full, false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ScsiChanger: INITIALIZE ELEMENT STATUS takes in new cartridge files and drops vanished ones', () => {
    const { dir, sg: node } = fresh();
    const a = native();
    const fd = a.open(node, 'rw', false) as number;
    try {
      sg(fd, Buffer.from([0x00, 0, 0, 0, 0, 0]), null); // TEST UNIT READY creates the state
      fs.writeFileSync(path.join(dir, 'NEW001L9.tape'), '');
      fs.rmSync(path.join(dir, 'AF0002L9.tape'));
      assert.equal(sg(fd, Buffer.from([0x07, 0, 0, 0, 0, 0]), null).status, 0);
      const state = fs.readFileSync(path.join(dir, 'changer.state'), 'utf8');
      assert.match(state, /^slot 2 NEW001L9$/m);
      assert.match(state, /^slot 3 AF0003L9$/m);
    } finally {
      a.close(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
