/**
 * cart_ctl's newer parts against a vtl: library: moves a person makes (requested
 * through Mail-Program, confirmed with changerready), -t (labelling the tapes in
 * slots through label_tape), and -l -r (reservations).
 *
 * The "operator" of these tests edits the library's `slots` file (a documented,
 * editable text file) while cart_ctl waits, then runs changerready.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSite, run, type Site } from '../cli/helpers.js';
import { cc, changerFlag, changerready, editLine, ok, until } from './helpers.js';
import { openVirtualLibrary } from '../../src/device/virtual/library.js';

describe('cart_ctl on a vtl: library: manual moves, -t, -l -r', () => {
  let site: Site;
  let mail: string;
  const slotsFile = () => path.join(site.state('lib'), 'slots');
  before(() => {
    site = makeSite({ kind: 'vtl', cartridges: 6, extra: 'Virtual-Drives:\t2\nDevice-Unavailable-Give-Up-After-Min:\t2' });
    mail = path.join(site.root, 'mail.txt');
    fs.appendFileSync(site.conf, `Mail-Program:\tcat >> ${mail}\n`);
  });
  after(() => {
    site.remove();
    fs.rmSync(changerFlag(site), { force: true });
  });

  test('changerready with nobody waiting: exit 1 and a message', async () => {
    const r = await changerready(site);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^changerready: no cart_ctl is waiting for a manual move/);
  });

  test('-m -P: the robot puts the cartridge into the load port, the operator takes it to the shelf', async () => {
    ok(await cc(site, '-i'));
    const pending = cc(site, '-m', '-C', '5', '-P', 'shelf 2');
    await until('the changer-ready flag', () => fs.existsSync(changerFlag(site)));
    await until('the mail', () => fs.existsSync(mail) && /shelf 2/.test(fs.readFileSync(mail, 'latin1')));
    const text = fs.readFileSync(mail, 'latin1');
    assert.match(text, /Please take cartridge 5 out of load port 1 of the changer vtl:lib and put it to shelf 2\./);
    assert.match(text, /run changerready/);
    assert.match(site.read('client_message') ?? '', /Please take cartridge 5/);
    assert.match(fs.readFileSync(slotsFile(), 'latin1'), /^port 1 AF0005L9$/m, 'the robot put it into the load port');
    editLine(slotsFile(), /^port 1 AF0005L9$/m, 'port 1 empty');
    ok(await changerready(site));
    const r = ok(await pending);
    assert.match(r.stderr, /waiting for the operator/);
    assert.match(site.read('cartridge_locations')!, /^5: shelf 2$/m);
    assert.equal(fs.existsSync(changerFlag(site)), false);
  });

  test('-m of a cartridge on a shelf: the operator puts it into the load port, the robot takes it on', async () => {
    fs.rmSync(mail, { force: true });
    const pending = cc(site, '-m', '-C', '5', '-S', '5');
    await until('the mail', () => fs.existsSync(mail) && fs.readFileSync(mail, 'latin1').length > 0);
    assert.match(fs.readFileSync(mail, 'latin1'), /Please put cartridge 5, now at shelf 2, into load port 1 of the changer vtl:lib\./);
    editLine(slotsFile(), /^port 1 empty$/m, 'port 1 AF0005L9');
    ok(await changerready(site));
    ok(await pending);
    assert.match(site.read('cartridge_locations')!, /^5: vtl:lib slot 5$/m);
    const inv = await openVirtualLibrary(site.state('lib')).changer.inventory();
    assert.deepEqual(
      inv.filter((e) => e.kind !== 'drive').map((e) => `${e.kind}${e.number}:${e.barcode ?? '-'}`),
      ['slot1:AF0001L9', 'slot2:AF0002L9', 'slot3:AF0003L9', 'slot4:AF0004L9', 'slot5:AF0005L9', 'slot6:AF0006L9', 'ioport1:-'],
    );
  });

  test('an operator who confirms without moving: exit 87, nothing recorded', async () => {
    const pending = cc(site, '-m', '-C', '6', '-P', 'vault');
    await until('the changer-ready flag', () => fs.existsSync(changerFlag(site)));
    ok(await changerready(site));
    const r = await pending;
    assert.equal(r.status, 87, r.stderr);
    assert.match(r.stderr, /load port 1 of vtl:lib still holds a cartridge: cartridge 6 was not taken out; nothing was recorded/);
    assert.match(site.read('cartridge_locations')!, /^6: vtl:lib slot 6$/m, 'the record still says where it was');
    // Put it back with the robot.
    ok(await cc(site, '-m', '-C', '6', '-S', '6'));
  });

  test('-t labels the tapes in slots through the server drive; -l -N shows the barcodes', async () => {
    ok(await cc(site, '-t', '-C', '3', '-n', 'labelled by cart_ctl'));
    // A tape labelled as another number: slot 4's tape becomes cartridge 2.
    ok(await cc(site, '-t', '-C', '2', '-S', '4', '-r'));
    const loc = site.read('cartridge_locations')!;
    assert.match(loc, /^3: vtl:lib slot 3$/m);
    assert.match(loc, /^2: vtl:lib slot 4$/m);
    assert.doesNotMatch(loc, /^4: /m, 'the old record of slot 4 is gone');
    const names = site.read('cartridge_names')!;
    assert.match(names, /^3: AF0003L9/m);
    assert.match(names, /^2: AF0004L9/m);
    // The drive is empty again, the tapes are back in their slots.
    const inv = await openVirtualLibrary(site.state('lib')).changer.inventory();
    assert.deepEqual(inv.filter((e) => e.kind === 'drive').map((e) => e.full), [false, false]);
    // Read the labels back: load, query, eject.
    ok(await cc(site, '-m', '-C', '3', '-D'));
    let q = ok(await run('label_tape', ['-q', '--json', '-c', site.conf], { env: site.env }));
    let label = JSON.parse(q.stdout) as { cartridge: number; comment: string };
    assert.equal(label.cartridge, 3);
    assert.equal(label.comment, 'labelled by cart_ctl');
    ok(await cc(site, '-e'));
    ok(await cc(site, '-m', '-C', '2', '-D'));
    q = ok(await run('label_tape', ['-q', '--json', '-c', site.conf], { env: site.env }));
    label = JSON.parse(q.stdout) as { cartridge: number; comment: string };
    assert.equal(label.cartridge, 2);
    ok(await cc(site, '-e'));
    assert.match(site.read('cartridge_locations')!, /^2: vtl:lib slot 4$/m);
  });

  test('-t errors: an empty slot, a cartridge in a drive, more cartridges than slots', async () => {
    let r = await cc(site, '-t', '-C', '1', '-S', '1-2');
    assert.equal(r.status, 2);
    ok(await cc(site, '-m', '-C', '1', '-L', '1'));
    r = await cc(site, '-t', '-C', '1', '-S', '1');
    assert.equal(r.status, 87);
    assert.match(r.stderr, /slot 1 of vtl:lib is empty/);
    r = await cc(site, '-t', '-C', '1');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cartridge 1 is in load port 1; -t labels tapes in slots/);
    ok(await cc(site, '-m', '-C', '1', '-S', '1'));
    r = await cc(site, '-t', '-C', '1', '-D', '1');
    assert.equal(r.status, 2);
    // label_tape fails (a write-protected tape): exit 1, and the tape is back in its slot.
    fs.writeFileSync(path.join(site.state('lib'), 'cart.AF0006L9', 'write-protect'), '');
    r = await cc(site, '-t', '-C', '6');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^cart_ctl: label_tape failed for cartridge 6 \(exit \d+, see label_tape\(8\)\); the tape is back in slot 6$/m);
    fs.rmSync(path.join(site.state('lib'), 'cart.AF0006L9', 'write-protect'));
    const inv = await openVirtualLibrary(site.state('lib')).changer.inventory();
    assert.deepEqual(
      inv.filter((e) => e.kind === 'drive' || (e.kind === 'slot' && e.number === 6)).map((e) => `${e.kind}${e.number}:${e.barcode ?? '-'}`),
      ['drive1:-', 'drive2:-', 'slot6:AF0006L9'],
    );
  });

  test('-l -r lists the clients that still need each cartridge', async () => {
    site.write('precious_tapes', 'clientA 1-2\nclientB 2\n');
    const r = ok(await cc(site, '-l', '-r', '-C', '1-3'));
    assert.equal(r.stdout, '1: vtl:lib slot 1 | reserved by clientA\n2: vtl:lib slot 4 | reserved by clientA, clientB\n3: vtl:lib slot 3 | not reserved\n');
    const j = JSON.parse(ok(await cc(site, '-l', '-r', '--json', '-C', '2')).stdout);
    assert.deepEqual(j, { cartridges: [{ cartridge: 2, location: 'vtl:lib slot 4', reservedBy: ['clientA', 'clientB'] }] });
    const bad = await cc(site, '-l', '-i', '-r');
    assert.equal(bad.status, 2);
  });
});
