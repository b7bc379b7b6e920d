/**
 * afserver end to end over the native backends under the st emulator: a drive on
 * /dev/nst0 behind an emulated SCSI changer with three small cartridges. A backup
 * larger than one cartridge makes the server load the next ones through the
 * changer (MOVE MEDIUM), and a restore reads back across them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backup, connect, inetdLauncher, makeServerDir, pseudoRandom, restore, ROOT } from '../server/e2e-helpers.js';

const LIB = path.join(ROOT, 'native/build/Release/libafstemu.so');
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('a backup over three emulated cartridges: the changer loads each next one, the restore reads across them', async () => {
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
  const saved = { ...process.env };
  Object.assign(process.env, {
    LD_PRELOAD: LIB,
    AF_STEMU_LIBRARY: lib,
    AF_STEMU_DEVICE: nst,
    AF_STEMU_CHANGER_DEVICE: sg,
    AF_STEMU_CAPACITY: String(1 << 20),
    AF_STEMU_EARLY_WARNING: String(128 << 10),
  });
  cleanups.push(() => {
    for (const k of ['LD_PRELOAD', 'AF_STEMU_LIBRARY', 'AF_STEMU_DEVICE', 'AF_STEMU_CHANGER_DEVICE', 'AF_STEMU_CAPACITY', 'AF_STEMU_EARLY_WARNING']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  const s = makeServerDir('', { carts: 3 });
  cleanups.push(s.cleanup);
  fs.writeFileSync(s.conf, fs.readFileSync(s.conf, 'utf8').replace(/^Backup-Device:.*$/m, `Backup-Device: ${nst}@${sg}`));
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
  assert.match(fs.readFileSync(path.join(lib, 'changer.state'), 'latin1'), /drive 1 AF0003L9/);

  const r = await connect(inetd.port);
  const back = await restore(r, at, data.length);
  await r.ok({ name: 'GOODBYE' });
  await r.close();
  assert.ok(back.equals(data), 'the restore reads back across the three cartridges');
});
