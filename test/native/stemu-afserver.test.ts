/**
 * afserver end to end over the native backends under the st emulator: a drive on
 * /dev/nst0 behind an emulated SCSI changer with three small cartridges, and no
 * Set-Cart-Command. A backup larger than one cartridge makes the server load the next
 * ones itself, and a restore reads back across them; cartridge_locations follows every
 * move. The changer is driven two ways:
 *   - directly over SG_IO (ScsiChanger: `Backup-Device: nst0@sg9`);
 *   - through a changer.conf (Changer-Configuration-File) whose commands run Debian's
 *     mtx under the same emulator (CommandChanger); skipped when mtx is not installed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { backup, connect, inetdLauncher, makeServerDir, pseudoRandom, restore, ROOT } from '../server/e2e-helpers.js';

const LIB = path.join(ROOT, 'native/build/Release/libafstemu.so');
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function threeCartridgeRun(t: { skip(msg: string): void }, viaMtx: boolean): Promise<void> {
  assert.ok(fs.existsSync(LIB), `the emulator is built (${LIB})`);
  const lib = fs.mkdtempSync(path.join(os.tmpdir(), 'af-stemu-srv-'));
  cleanups.push(() => fs.rmSync(lib, { recursive: true, force: true }));
  for (const c of ['AF0001L9', 'AF0002L9', 'AF0003L9']) fs.writeFileSync(path.join(lib, `${c}.tape`), '');
  // Node's stat does not go through libc: the device names are symlinks to a real
  // character device, and the emulator is told to answer for them.
  const nst = path.join(lib, 'nst0');
  const sg = path.join(lib, 'sg9');
  fs.symlinkSync('/dev/null', nst);
  fs.symlinkSync('/dev/null', sg);
  const keys = ['LD_PRELOAD', 'AF_STEMU_LIBRARY', 'AF_STEMU_DEVICE', 'AF_STEMU_CHANGER_DEVICE', 'AF_STEMU_CAPACITY', 'AF_STEMU_EARLY_WARNING'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  Object.assign(process.env, {
    LD_PRELOAD: LIB,
    AF_STEMU_LIBRARY: lib,
    AF_STEMU_DEVICE: nst,
    AF_STEMU_CHANGER_DEVICE: sg,
    AF_STEMU_CAPACITY: String(1 << 20),
    AF_STEMU_EARLY_WARNING: String(128 << 10),
  });
  const restoreEnv = () => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
  try {
    const s = makeServerDir('', { carts: 3 });
    cleanups.push(s.cleanup);
    let conf = fs.readFileSync(s.conf, 'utf8').replace(/^Backup-Device:.*$/m, `Backup-Device: ${nst}@${sg}`);
    conf += `Changer-Lockfile: ${s.dir}/changer.lck\n`;
    if (viaMtx) {
      // changer.conf in the style of afbackup's changer.conf.mtx; moves log to a file so the test sees they ran.
      const moves = path.join(s.dir, 'moves.log');
      fs.writeFileSync(
        path.join(s.dir, 'changer.conf'),
        `List Tape Labels Command: mtx -f %D status\n` +
          `Move Slot To Drive Command: echo load %n >> ${moves}; mtx -f %D load %n %M\n` +
          `Move Drive To Slot Command: echo unload %m >> ${moves}; mtx -f %D unload %N %m\n`,
      );
      conf += `Changer-Configuration-File: ${s.dir}/changer.conf\n`;
    }
    assert.doesNotMatch(conf, /Set-?Cart-?Command/i);
    fs.writeFileSync(s.conf, conf);
    const inetd = await inetdLauncher(s.conf);
    cleanups.push(() => inetd.close());

    const data = pseudoRandom(2 * 1024 * 1024 + 777, 31);
    const c = await connect(inetd.port);
    const at = await backup(c, data);
    const written = await c.call({ name: 'QUERYWRITTENTAPES' });
    await c.ok({ name: 'GOODBYE' });
    await c.close();
    assert.deepEqual(at, { cart: 1, file: 1 });
    assert.ok(written.kind === 'text' && written.text.toString() === '1-3', `cartridges written: ${written.kind === 'text' ? written.text : '?'}`);
    assert.equal(fs.readFileSync(path.join(s.var, 'cartridge_order'), 'latin1'), '1 -> 2 1\n2 -> 3 1\n');
    assert.match(fs.readFileSync(path.join(lib, 'changer.state'), 'latin1'), /drive 1 AF0003L9 from slot 3/);
    // The server kept cartridge_locations current: the first two are back in their slots.
    assert.equal(fs.readFileSync(path.join(s.var, 'cartridge_locations'), 'latin1'), `1: ${sg} slot 1\n2: ${sg} slot 2\n3: ${sg} drive 1\n`);
    if (viaMtx) {
      assert.equal(fs.readFileSync(path.join(s.dir, 'moves.log'), 'latin1'), 'load 1\nunload 0\nload 2\nunload 0\nload 3\n', 'the moves went through the changer.conf commands');
    }

    const r = await connect(inetd.port);
    const back = await restore(r, at, data.length);
    await r.ok({ name: 'GOODBYE' });
    await r.close();
    assert.ok(back.equals(data), 'the restore reads back across the three cartridges');
    assert.match(fs.readFileSync(path.join(lib, 'changer.state'), 'latin1'), /drive 1 AF0003L9 from slot 3/);
    assert.equal(fs.readFileSync(path.join(s.var, 'cartridge_locations'), 'latin1'), `1: ${sg} slot 1\n2: ${sg} slot 2\n3: ${sg} drive 1\n`);
  } finally {
    restoreEnv();
  }
  void t;
}

test('a backup over three emulated cartridges, loaded over SG_IO without Set-Cart-Command; the restore reads across them', async (t) => {
  await threeCartridgeRun(t, false);
});

test('the same through a changer.conf whose commands run Debian mtx (Changer-Configuration-File, no Set-Cart-Command)', async (t) => {
  if (spawnSync('mtx', ['--version']).error) {
    t.skip('mtx is not installed (Debian package mtx): the changer.conf run was skipped');
    return;
  }
  await threeCartridgeRun(t, true);
});
