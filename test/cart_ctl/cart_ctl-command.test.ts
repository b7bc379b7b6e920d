/**
 * cart_ctl as a child process through a command changer: the changer.conf of
 * fake-changer.ts running the pretend mtx; failing commands.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Site } from '../cli/helpers.js';
import { cc, ok, vtlSite } from './helpers.js';
import { makeFakeChanger, type FakeChanger } from './fake-changer.js';

describe('cart_ctl through a command changer (pretend mtx)', () => {
  let site: Site;
  let fake: FakeChanger;
  const via = (...args: string[]) => cc(site, '-c', fake.conf, '-d', fake.device, ...args);
  before(() => {
    site = vtlSite();
    fake = makeFakeChanger();
  });
  after(async () => {
    await fake.cleanup();
    site.remove();
  });

  test('-i, moves and -l -i run the changer.conf commands', async () => {
    ok(await via('-i'));
    const d = fake.device;
    assert.equal(site.read('cartridge_locations'), `1: ${d} slot 1\n2: ${d} slot 2\n3: ${d} slot 3\n`);
    ok(await via('-m', '-C', '3', '-D', '2'));
    ok(await via('-m', '-C', '1', '-S', '5'));
    ok(await via('-m', '-C', '2', '-L', '1'));
    assert.equal(site.read('cartridge_locations'), `1: ${d} slot 5\n2: ${d} loadport 1\n3: ${d} drive 2\n`);
    const r = ok(await via('-l', '-i'));
    assert.match(r.stdout, /^drive 2: AF0003L9 \(cartridge 3\), from slot 3$/m);
    assert.match(r.stdout, /^load port 1: AF0002L9 \(cartridge 2\)$/m);
    // The library's own changer sees the same.
    const inv = await fake.lib.changer.inventory();
    assert.deepEqual(inv.find((e) => e.kind === 'drive' && e.number === 2), { kind: 'drive', number: 2, full: true, barcode: 'AF0003L9', sourceSlot: 3 });
    ok(await via('-e', '-D', '2'));
    ok(await via('-m', '-C', '1,2', '-S', '1-2'));
    assert.equal(site.read('cartridge_locations'), `1: ${d} slot 1\n2: ${d} slot 2\n3: ${d} slot 3\n`);
  });

  test('a failing move command: exit 87 with the command and its output', async () => {
    fake.confWith(`Move Slot To Drive Command: echo "robot arm jammed at %n" >&2; exit 3`);
    try {
      const r = await via('-m', '-C', '1', '-D', '1');
      assert.equal(r.status, 87);
      assert.match(r.stderr, /^cart_ctl: Media changer operation failed: ".*" \(to move slot 1 to drive 1\) exited with status 3: robot arm jammed at 1\n$/);
      assert.equal(site.read('cartridge_locations'), `1: ${fake.device} slot 1\n2: ${fake.device} slot 2\n3: ${fake.device} slot 3\n`);
    } finally {
      fake.confWith('');
    }
  });

  test('a cartridge the changer does not hold, a changer without configuration', async () => {
    let r = await via('-m', '-C', '6', '-D', '1');
    assert.equal(r.status, 87);
    assert.match(r.stderr, /cartridge 6 is not in the changer/);
    r = await cc(site, '-d', '/dev/sg9', '-m', '-C', '1', '-D', '1');
    assert.equal(r.status, 87);
    assert.match(r.stderr, /changer configuration/);
  });
});
