/**
 * Cross-checks with a program nobody here wrote: Debian's mtx, run unmodified against the
 * emulated SCSI changer of native/stemu (LD_PRELOAD, AF_STEMU_LIBRARY). Whatever mtx
 * reports or does must be what our ScsiChanger (SG_IO through the addon) and the
 * emulator's state file say, and the other way round:
 *
 *   - `mtx status` (parsed by our own mtx-status.ts) equals ScsiChanger.inventory();
 *   - `mtx load`, `unload` and `transfer` move what ScsiChanger then sees, and moves made
 *     by ScsiChanger show in the next `mtx status`;
 *   - a refused mtx move (empty source) changes nothing;
 *   - a CommandChanger whose changer.conf runs the real mtx (changer.conf.mtx style)
 *     passes the MediaChanger contract suite on the same emulated library.
 *
 * As stemu-changer.test.ts does, the file re-runs itself in a child with the library
 * preloaded; mtx inherits the child's environment. Skipped only when mtx is not
 * installed (Debian package mtx).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandChanger } from '../../src/device/command/command-changer.js';
import { parseChangerConf } from '../../src/device/command/changer-conf.js';
import { parseMtxStatus } from '../../src/device/command/mtx-status.js';
import { NativeDrive } from '../../src/device/native/native-drive.js';
import { ScsiChanger } from '../../src/device/native/scsi-changer.js';
import type { Element } from '../../src/device/tape-drive.js';
import { expandTemplate } from '../../src/config/command-template.js';
import { readParamLines } from '../../src/config/param-file.js';
import { runChangerContract } from '../device/changer-contract.js';
import { repoRoot, scratchDir } from '../device/helpers.js';

const LIB = path.join(repoRoot, 'native', 'build', 'Release', 'libafstemu.so');
const haveMtx = (): boolean => {
  const r = spawnSync('mtx', ['--version'], { encoding: 'utf8' });
  return !r.error;
};

if (!process.env.AF_STEMU_LIBRARY) {
  test('mtx (Debian) against the emulated changer agrees with ScsiChanger (child process with LD_PRELOAD)', (t) => {
    if (!haveMtx()) {
      t.skip('mtx is not installed (Debian package mtx): the cross-check with mtx was skipped');
      return;
    }
    assert.ok(fs.existsSync(LIB), `${LIB} is built (npm run build:addon)`);
    const self = fileURLToPath(import.meta.url);
    const env: NodeJS.ProcessEnv = { ...process.env, LD_PRELOAD: LIB, AF_STEMU_LIBRARY: path.join(os.tmpdir(), 'af-stemu-no-library') };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', self], { cwd: repoRoot, env, encoding: 'utf8', timeout: 180000 });
    const failed = [...r.stdout.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]!.trim());
    const passed = [...r.stdout.matchAll(/^\s*ok \d+ - (.*)$/gm)].length;
    if (r.status !== 0) process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
    assert.equal(r.status, 0, `the mtx cross-check failed (status ${r.status}, signal ${r.signal}; failed: ${failed.join(', ')}); output above`);
    t.diagnostic(`${passed} checks passed under the emulator`);
  });
} else {
  const CARTRIDGES = ['AF0001L9', 'AF0002L9', 'AF0003L9'];

  /** A fresh library (3 cartridges, 5 slots, 1 port) with its own node names. */
  const fresh = (ports = 1): { dir: string; sg: string; nst: string } => {
    const dir = scratchDir('stemu-mtx');
    for (const c of CARTRIDGES) fs.writeFileSync(path.join(dir, `${c}.tape`), '');
    const sg = path.join(dir, 'sg9');
    const nst = path.join(dir, 'nst0');
    fs.symlinkSync('/dev/null', sg);
    fs.symlinkSync('/dev/null', nst);
    Object.assign(process.env, {
      AF_STEMU_LIBRARY: dir,
      AF_STEMU_CHANGER_DEVICE: sg,
      AF_STEMU_DEVICE: nst,
      AF_STEMU_SLOTS: '5',
      AF_STEMU_PORTS: String(ports),
      AF_STEMU_CAPACITY: String(16 << 20),
      AF_STEMU_EARLY_WARNING: String(1 << 20),
    });
    return { dir, sg, nst };
  };

  /** Runs mtx on the emulated changer; returns its exit status and output. */
  const mtx = (sg: string, ...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync('mtx', ['-f', sg, ...args], { encoding: 'utf8', env: process.env });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const mtxOk = (sg: string, ...args: string[]): string => {
    const r = mtx(sg, ...args);
    assert.equal(r.status, 0, `mtx ${args.join(' ')}: ${r.out}`);
    return r.out;
  };

  const words = (inv: Element[]): string[] =>
    inv.map((e) => `${e.kind}${e.number}:${e.full ? (e.barcode ?? 'full') : '-'}${e.sourceSlot !== undefined ? `<${e.sourceSlot}` : ''}`);

  /** mtx status, parsed by our parser, must equal ScsiChanger's inventory; returns it. */
  const agree = async (sg: string, changer: ScsiChanger): Promise<string[]> => {
    const text = mtxOk(sg, 'status');
    const theirs = parseMtxStatus(text);
    const ours = await changer.inventory();
    assert.deepEqual(words(theirs.elements), words(ours), `mtx status:\n${text}`);
    return words(ours);
  };

  test('mtx status: the header and every element agree with ScsiChanger and the state file', async () => {
    const { dir, sg } = fresh();
    try {
      const text = mtxOk(sg, 'status');
      const parsed = parseMtxStatus(text);
      // mtx counts the import/export element among its slots.
      assert.deepEqual(parsed.header && [parsed.header.drives, parsed.header.slots, parsed.header.importExport], [1, 6, 1]);
      assert.match(text, /Storage Element 1:Full :VolumeTag=AF0001L9/);
      assert.match(text, /Storage Element 6 IMPORT\/EXPORT:Empty/);
      assert.deepEqual(await agree(sg, new ScsiChanger(sg)), [
        'drive1:-',
        'slot1:AF0001L9',
        'slot2:AF0002L9',
        'slot3:AF0003L9',
        'slot4:-',
        'slot5:-',
        'ioport1:-',
      ]);
      assert.match(fs.readFileSync(path.join(dir, 'changer.state'), 'latin1'), /^slot 3 AF0003L9$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('mtx load / unload: ScsiChanger, the state file and the drive see the move; and back', async () => {
    const { dir, sg, nst } = fresh();
    const changer = new ScsiChanger(sg);
    try {
      assert.match(mtxOk(sg, 'load', '2'), /Loading media from Storage Element 2 into drive 0/);
      assert.deepEqual((await agree(sg, changer)).slice(0, 3), ['drive1:AF0002L9<2', 'slot1:AF0001L9', 'slot2:-']);
      assert.match(fs.readFileSync(path.join(dir, 'changer.state'), 'latin1'), /^drive 1 AF0002L9 from slot 2$/m);
      // The drive holds what mtx loaded: a block written now lands on AF0002L9.
      const d = new NativeDrive(nst);
      await d.open();
      try {
        await d.writeBlock(Buffer.alloc(4096, 7));
        await d.writeFilemarks(1);
      } finally {
        await d.close();
      }
      assert.ok(fs.statSync(path.join(dir, 'AF0002L9.tape')).size > 4096, 'the block went to AF0002L9.tape');
      assert.equal(fs.statSync(path.join(dir, 'AF0001L9.tape')).size, 0);

      assert.match(mtxOk(sg, 'unload'), /Unloading drive 0 into Storage Element 2/);
      assert.deepEqual((await agree(sg, changer)).slice(0, 3), ['drive1:-', 'slot1:AF0001L9', 'slot2:AF0002L9']);

      // Our moves show in mtx's status.
      await changer.load(3, 1);
      assert.match(mtxOk(sg, 'status'), /Data Transfer Element 0:Full \(Storage Element 3 Loaded\):VolumeTag = AF0003L9/);
      await changer.unload(1, 5);
      assert.match(mtxOk(sg, 'status'), /Storage Element 5:Full :VolumeTag=AF0003L9/);
      assert.deepEqual(await agree(sg, changer), ['drive1:-', 'slot1:AF0001L9', 'slot2:AF0002L9', 'slot3:-', 'slot4:-', 'slot5:AF0003L9', 'ioport1:-']);

      // mtx unload into a chosen slot.
      mtxOk(sg, 'load', '1');
      mtxOk(sg, 'unload', '4');
      assert.deepEqual(await agree(sg, changer), ['drive1:-', 'slot1:-', 'slot2:AF0002L9', 'slot3:-', 'slot4:AF0001L9', 'slot5:AF0003L9', 'ioport1:-']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('mtx transfer between slots and to the import/export port agrees with ScsiChanger', async () => {
    const { dir, sg } = fresh();
    const changer = new ScsiChanger(sg);
    try {
      mtxOk(sg, 'transfer', '1', '4');
      mtxOk(sg, 'transfer', '2', '6'); // mtx's element 6 is the port
      assert.deepEqual(await agree(sg, changer), ['drive1:-', 'slot1:-', 'slot2:-', 'slot3:AF0003L9', 'slot4:AF0001L9', 'slot5:-', 'ioport1:AF0002L9']);
      const inv = await changer.inventory();
      await changer.transfer(inv.find((e) => e.kind === 'ioport')!, inv.find((e) => e.kind === 'slot' && e.number === 1)!);
      assert.match(mtxOk(sg, 'status'), /Storage Element 1:Full :VolumeTag=AF0002L9/);
      assert.match(mtxOk(sg, 'status'), /Storage Element 6 IMPORT\/EXPORT:Empty/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a move mtx cannot make (empty source, full target) fails and changes nothing', async () => {
    const { dir, sg } = fresh();
    const changer = new ScsiChanger(sg);
    try {
      const before = await agree(sg, changer);
      const state = fs.readFileSync(path.join(dir, 'changer.state'), 'latin1');
      const empty = mtx(sg, 'load', '4');
      assert.notEqual(empty.status, 0, empty.out);
      assert.match(empty.out, /Empty/i);
      const full = mtx(sg, 'transfer', '1', '2');
      assert.notEqual(full.status, 0, full.out);
      assert.deepEqual(await agree(sg, changer), before);
      assert.equal(fs.readFileSync(path.join(dir, 'changer.state'), 'latin1'), state);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // changer.conf in the style of afbackup's changer.conf.mtx, run by CommandChanger. mtx
  // numbers the load port after the 5 slots, so the port moves add 5 in the shell.
  const MTX_CONF = `
List Tape Labels Command:       mtx -f %D status
Move Slot To Drive Command:     mtx -f %D load %n %M
Move Drive To Slot Command:     mtx -f %D unload %N %m
Move Slot To Slot Command:      mtx -f %D transfer %n %N
Move Slot To Loadport Command:  mtx -f %D transfer %n $((5 + %N))
Move Loadport To Slot Command:  mtx -f %D transfer $((5 + %n)) %N
Move Loadport To Loadport Command: mtx -f %D transfer $((5 + %n)) $((5 + %N))
`;

  const commandChanger = (sg: string, nst: string): CommandChanger =>
    new CommandChanger({
      conf: parseChangerConf(readParamLines(MTX_CONF)),
      changerDevice: sg,
      driveDevices: [nst],
      expand: expandTemplate,
      run: async (command) => {
        const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: process.env });
        return { code: r.status ?? 128, output: `${r.stdout}${r.stderr}` };
      },
    });

  test('CommandChanger over the real mtx: its inventory and moves agree with ScsiChanger', async () => {
    const { dir, sg, nst } = fresh();
    const scsi = new ScsiChanger(sg);
    const cmd = commandChanger(sg, nst);
    try {
      assert.deepEqual(words(await cmd.inventory()), words(await scsi.inventory()));
      await cmd.load(2, 1);
      assert.deepEqual(words(await scsi.inventory()).slice(0, 1), ['drive1:AF0002L9<2']);
      await cmd.unload(1, 4);
      const inv = await scsi.inventory();
      assert.deepEqual(words(inv), words(await cmd.inventory()));
      assert.deepEqual(words(inv).slice(1, 5), ['slot1:AF0001L9', 'slot2:-', 'slot3:AF0003L9', 'slot4:AF0002L9']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  runChangerContract('CommandChanger running Debian mtx under the emulator', async () => {
    const { dir, sg, nst } = fresh();
    const drive = new NativeDrive(nst);
    return {
      changer: commandChanger(sg, nst),
      drive: () => drive,
      spec: { device: nst, changerDevice: sg },
      cleanup: async () => {
        await drive.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
