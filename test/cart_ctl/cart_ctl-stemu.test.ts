/**
 * cart_ctl against the emulated SCSI changer and st drive of native/stemu (LD_PRELOAD
 * passed to the child processes), two ways:
 *   - scsi: no changer configuration, the changer node driven over SG_IO (ScsiChanger);
 *   - mtx:  a changer.conf whose commands run Debian's mtx on the same node
 *           (CommandChanger); skipped when mtx is not installed.
 * Both run the same script: inventory, moves through the drive, -t labelling on the
 * emulated st drive (label_tape over NativeDrive), a manual move out of the changer
 * and back in (the "operator" edits the emulator's changer.state), and -l -r.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSite, repoRoot, run, type Site } from '../cli/helpers.js';
import { cc, changerFlag, changerready, editLine, ok, until } from './helpers.js';

const LIB = path.join(repoRoot, 'native', 'build', 'Release', 'libafstemu.so');
const haveMtx = !spawnSync('mtx', ['--version']).error;
const SLOTS = 5;

for (const backend of ['scsi', 'mtx'] as const) {
  describe(`cart_ctl on the emulated changer (${backend === 'scsi' ? 'SG_IO, no changer.conf' : 'changer.conf running Debian mtx'})`, () => {
    const skip = !fs.existsSync(LIB) ? `${LIB} is not built (npm run build:addon)` : backend === 'mtx' && !haveMtx ? 'mtx is not installed (Debian package mtx)' : undefined;
    let site: Site;
    let lib: string;
    let sg: string;
    let mail: string;
    const state = () => path.join(lib, 'changer.state');
    const args = (...a: string[]) => (backend === 'mtx' ? ['-c', path.join(site.root, 'changer.conf'), ...a] : a);

    before(() => {
      if (skip) return;
      site = makeSite({ kind: 'dir', cartridges: 6, extra: 'Device-Unavailable-Give-Up-After-Min:\t2' });
      lib = path.join(site.root, 'library');
      fs.mkdirSync(lib);
      for (const c of ['AF0001L9', 'AF0002L9', 'AF0003L9']) fs.writeFileSync(path.join(lib, `${c}.tape`), '');
      const nst = path.join(lib, 'nst0');
      sg = path.join(lib, 'sg9');
      fs.symlinkSync('/dev/null', nst);
      fs.symlinkSync('/dev/null', sg);
      mail = path.join(site.root, 'mail.txt');
      let conf = fs.readFileSync(site.conf, 'latin1').replace(/^Backup-Device:.*$/m, `Backup-Device:\t${nst}@${sg}`);
      conf += `Mail-Program:\tcat >> ${mail}\n`;
      fs.writeFileSync(site.conf, conf);
      fs.writeFileSync(
        path.join(site.root, 'changer.conf'),
        [
          'List Tape Labels Command:          mtx -f %D status',
          'Move Slot To Drive Command:        mtx -f %D load %n %M',
          'Move Drive To Slot Command:        mtx -f %D unload %N %m',
          'Move Slot To Slot Command:         mtx -f %D transfer %n %N',
          // mtx numbers the load port after the slots.
          `Move Slot To Loadport Command:     mtx -f %D transfer %n $((${SLOTS} + %N))`,
          `Move Loadport To Slot Command:     mtx -f %D transfer $((${SLOTS} + %n)) %N`,
          '',
        ].join('\n'),
      );
      Object.assign(site.env, {
        LD_PRELOAD: LIB,
        AF_STEMU_LIBRARY: lib,
        AF_STEMU_DEVICE: nst,
        AF_STEMU_CHANGER_DEVICE: sg,
        AF_STEMU_SLOTS: String(SLOTS),
        AF_STEMU_PORTS: '1',
        AF_STEMU_CAPACITY: String(8 << 20),
      });
    });
    after(() => {
      if (skip) return;
      site.remove();
      fs.rmSync(changerFlag(site), { force: true });
    });

    test('-i, a move into the drive and -e keep cartridge_locations as the changer has it', { skip }, async () => {
      ok(await cc(site, ...args('-i', '-N')));
      assert.equal(site.read('cartridge_locations'), `1: ${sg} slot 1\n2: ${sg} slot 2\n3: ${sg} slot 3\n`);
      ok(await cc(site, ...args('-m', '-C', '2', '-D')));
      assert.match(fs.readFileSync(state(), 'latin1'), /^drive 1 AF0002L9 from slot 2$/m);
      assert.match(site.read('cartridge_locations')!, new RegExp(`^2: ${sg} drive 1$`, 'm'));
      const l = ok(await cc(site, ...args('-l', '-i')));
      assert.match(l.stdout, /^drive 1: AF0002L9 \(cartridge 2\), from slot 2$/m);
      ok(await cc(site, ...args('-e')));
      assert.match(site.read('cartridge_locations')!, new RegExp(`^2: ${sg} slot 2$`, 'm'));
    });

    test('-t labels a tape on the emulated st drive; label_tape reads it back', { skip }, async () => {
      ok(await cc(site, ...args('-t', '-C', '3', '-n', 'via the emulator')));
      assert.match(fs.readFileSync(state(), 'latin1'), /^drive 1 empty$/m);
      assert.ok(fs.statSync(path.join(lib, 'AF0003L9.tape')).size > 500, 'the label went onto AF0003L9');
      ok(await cc(site, ...args('-m', '-C', '3', '-D')));
      const q = ok(await run('label_tape', ['-q', '--json', '-c', site.conf], { env: site.env }));
      const label = JSON.parse(q.stdout) as { cartridge: number; comment: string };
      assert.deepEqual([label.cartridge, label.comment], [3, 'via the emulator']);
      ok(await cc(site, ...args('-e')));
      assert.match(site.read('cartridge_names')!, /^3: AF0003L9/m);
    });

    test('a manual move out to a shelf and back in, through the load port', { skip }, async () => {
      const out = cc(site, ...args('-m', '-C', '1', '-P', 'shelf 7'));
      await until('the mail', () => fs.existsSync(mail) && /shelf 7/.test(fs.readFileSync(mail, 'latin1')));
      assert.match(fs.readFileSync(mail, 'latin1'), new RegExp(`Please take cartridge 1 out of load port 1 of the changer ${sg} and put it to shelf 7\\.`));
      editLine(state(), /^port 1 AF0001L9$/m, 'port 1 empty');
      await until('the flag', () => fs.existsSync(changerFlag(site)));
      ok(await changerready(site));
      ok(await out);
      assert.match(site.read('cartridge_locations')!, /^1: shelf 7$/m);

      fs.rmSync(mail);
      const back = cc(site, ...args('-m', '-C', '1', '-S', '4'));
      await until('the mail', () => fs.existsSync(mail) && fs.readFileSync(mail, 'latin1').length > 0);
      assert.match(fs.readFileSync(mail, 'latin1'), new RegExp(`Please put cartridge 1, now at shelf 7, into load port 1 of the changer ${sg}\\.`));
      editLine(state(), /^port 1 empty$/m, 'port 1 AF0001L9');
      await until('the flag', () => fs.existsSync(changerFlag(site)));
      ok(await changerready(site));
      ok(await back);
      assert.match(fs.readFileSync(state(), 'latin1'), /^slot 4 AF0001L9$/m);
      assert.match(site.read('cartridge_locations')!, new RegExp(`^1: ${sg} slot 4$`, 'm'));
    });

    test('-l -r shows reservations', { skip }, async () => {
      site.write('precious_tapes', 'host1 3\n');
      const r = ok(await cc(site, '-l', '-r', '-C', '3'));
      assert.equal(r.stdout, `3: ${sg} slot 3 | reserved by host1\n`);
    });
  });
}
