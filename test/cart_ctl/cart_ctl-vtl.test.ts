/**
 * cart_ctl as a child process against a vtl: library: inventory, moves, eject,
 * locations outside the changer, listing, locks and errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Site } from '../cli/helpers.js';
import { cc, ok, vtlSite } from './helpers.js';
import { tryAcquire } from '../../src/state/device-lock.js';
import { openVirtualLibrary } from '../../src/device/virtual/library.js';

describe('cart_ctl on a vtl: library', () => {
  let site: Site;
  before(() => {
    site = vtlSite();
  });
  after(() => site.remove());

  test('-i records where every cartridge is', async () => {
    ok(await cc(site, '-i'));
    assert.equal(site.read('cartridge_locations'), [1, 2, 3, 4, 5, 6].map((n) => `${n}: vtl:lib slot ${n}\n`).join(''));
  });

  test('-m moves into drives (-D alone = the server drive) and the locations follow', async () => {
    ok(await cc(site, '-m', '-C', '2', '-D'));
    ok(await cc(site, '-F', '-m', '-C', '3', '-D', '2'));
    const loc = site.read('cartridge_locations')!;
    assert.match(loc, /^2: vtl:lib drive 1$/m);
    assert.match(loc, /^3: vtl:lib drive 2$/m);
    const r = ok(await cc(site, '-l', '-i'));
    assert.equal(
      r.stdout,
      [
        'drive 1: AF0002L9 (cartridge 2), from slot 2',
        'drive 2: AF0003L9 (cartridge 3), from slot 3',
        'slot 1: AF0001L9 (cartridge 1)',
        'slot 2: empty',
        'slot 3: empty',
        'slot 4: AF0004L9 (cartridge 4)',
        'slot 5: AF0005L9 (cartridge 5)',
        'slot 6: AF0006L9 (cartridge 6)',
        'load port 1: empty',
        '',
      ].join('\n'),
    );
    const j = JSON.parse(ok(await cc(site, '-l', '-i', '--json')).stdout) as { changer: string; elements: { kind: string; number: number; cartridge: number | null }[] };
    assert.equal(j.changer, 'vtl:lib');
    assert.deepEqual(j.elements[0], { kind: 'drive', number: 1, full: true, barcode: 'AF0002L9', sourceSlot: 2, cartridge: 2 });
  });

  test('-e puts a drive\'s cartridge back; -m moves between slots and to a load port', async () => {
    ok(await cc(site, '-e', '-D', '2'));
    assert.match(site.read('cartridge_locations')!, /^3: vtl:lib slot 3$/m);
    ok(await cc(site, '-m', '-C', '2', '-S', '2'));
    ok(await cc(site, '-m', '-C', '5', '-L', '1'));
    const inv = await openVirtualLibrary(site.state('lib')).changer.inventory();
    assert.deepEqual(
      inv.filter((e) => e.full).map((e) => `${e.kind} ${e.number} ${e.barcode}`),
      ['slot 1 AF0001L9', 'slot 2 AF0002L9', 'slot 3 AF0003L9', 'slot 4 AF0004L9', 'slot 6 AF0006L9', 'ioport 1 AF0005L9'],
    );
    assert.match(site.read('cartridge_locations')!, /^5: vtl:lib loadport 1$/m);
    ok(await cc(site, '-m', '-C', '5', '-S', '5'));
    const r = ok(await cc(site, '-l', '-C', '1-3,5'));
    assert.equal(r.stdout, '1: vtl:lib slot 1\n2: vtl:lib slot 2\n3: vtl:lib slot 3\n5: vtl:lib slot 5\n');
  });

  test('-P records a place outside the changer; -l shows it', async () => {
    ok(await cc(site, '-P', 'safe in building B', '-C', '6'));
    assert.match(site.read('cartridge_locations')!, /^6: safe in building B$/m);
    const j = JSON.parse(ok(await cc(site, '-l', '--json', '-C', '6')).stdout);
    assert.deepEqual(j, { cartridges: [{ cartridge: 6, location: 'safe in building B' }] });
    ok(await cc(site, '-i')); // the inventory puts it back into the changer's records
    assert.match(site.read('cartridge_locations')!, /^6: vtl:lib slot 6$/m);
  });

  test('errors: unknown cartridge, occupied target, bad command lines', async () => {
    let r = await cc(site, '-m', '-C', '9', '-S', '4');
    assert.equal(r.status, 20);
    assert.match(r.stderr, /^cart_ctl: .*cartridge 9 does not exist/);
    r = await cc(site, '-m', '-C', '1', '-S', '2');
    assert.equal(r.status, 87);
    assert.match(r.stderr, /slot 2 is full/);
    r = await cc(site, '-m', '-C', '1');
    assert.equal(r.status, 2);
    r = await cc(site, '-m', '-e', '-C', '1', '-S', '4');
    assert.equal(r.status, 2);
    r = await cc(site, '-e', '-D', '2'); // empty drive
    assert.equal(r.status, 87);
    assert.match(r.stderr, /drive 2 is empty/);
    r = await cc(site, '-x');
    assert.equal(r.status, 2);
  });

  test('a move involving a drive waits for nobody: the device lock held is DEVINUSE, -F ignores it', async () => {
    const held = await tryAcquire(site.lockFile, 'w');
    assert.ok('held' in held);
    try {
      const r = await cc(site, '-m', '-C', '1', '-D', '1');
      assert.equal(r.status, 63, r.stderr);
      assert.match(r.stderr, /device lock/);
      ok(await cc(site, '-m', '-C', '2', '-L', '1')); // no drive involved: no device lock needed
      ok(await cc(site, '-F', '-m', '-C', '1', '-D', '1'));
      ok(await cc(site, '-F', '-e'));
    } finally {
      await held.held.release();
    }
    assert.match(site.read('cartridge_locations')!, /^1: vtl:lib slot 1\n2: vtl:lib loadport 1\n/);
  });
});

