/**
 * cart_ctl as a child process: -a attributes (readonly_tapes, precious_tapes,
 * tape_uses, written as afbackup formats them), -N names, listing with -a -N.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Site } from '../cli/helpers.js';
import { cc, ok, vtlSite } from './helpers.js';

describe('cart_ctl attributes and names', () => {
  let site: Site;
  before(() => {
    site = vtlSite();
  });
  after(() => site.remove());

  test('-a r / !r / r=no write readonly_tapes as one normalised line', async () => {
    ok(await cc(site, '-a', '1-3,5:r'));
    assert.equal(site.read('readonly_tapes'), '1-3,5\n');
    ok(await cc(site, '-a', '2:!r'));
    assert.equal(site.read('readonly_tapes'), '1,3,5\n');
    ok(await cc(site, '-a', '1:r=no 6:r=yes'));
    assert.equal(site.read('readonly_tapes'), '3,5-6\n');
  });

  test('-a o clears reservations, !o / o=no protects by the administrator', async () => {
    site.write('precious_tapes', 'testclient 1-4\nother 2\n');
    ok(await cc(site, '-a', '2:o'));
    assert.equal(site.read('precious_tapes'), 'testclient 1,3-4\n');
    ok(await cc(site, '-a', '5-6:!o'));
    ok(await cc(site, '-a', '1:o=no'));
    assert.equal(site.read('precious_tapes'), '"< * protected by admin * >" 1,5-6\ntestclient 1,3-4\n');
    ok(await cc(site, '-a', '1:o'));
    assert.equal(site.read('precious_tapes'), '"< * protected by admin * >" 5-6\ntestclient 3-4\n');
  });

  test('-a f=N sets, f adds one, !f clears the full counter in tape_uses', async () => {
    ok(await cc(site, '-a', '3:f=2'));
    ok(await cc(site, '-a', '1,3:f'));
    assert.equal(site.read('tape_uses'), '1: 1\n3: 3\n');
    ok(await cc(site, '-a', '3:!f,r'));
    assert.equal(site.read('tape_uses'), '1: 1\n3: 0\n');
    const r = await cc(site, '-a', '3:q');
    assert.equal(r.status, 2);
    assert.equal((await cc(site, '-a', '7:r')).status, 20);
  });

  test('-N sets descriptions (%C = the number); -i -N records barcodes; -l -a -N shows it all', async () => {
    ok(await cc(site, '-N', '-C', '1-2', 'Tape', '%C', 'of', 'set', 'A'));
    assert.equal(site.read('cartridge_names'), '1: "" Tape 1 of set A\n2: "" Tape 2 of set A\n');
    ok(await cc(site, '-i', '-N'));
    assert.match(site.read('cartridge_names')!, /^1: AF0001L9 Tape 1 of set A\n2: AF0002L9 Tape 2 of set A\n3: AF0003L9 \n/);
    const r = ok(await cc(site, '-l', '-a', '-N', '-C', '1,3,4'));
    assert.equal(
      r.stdout,
      [
        '1: vtl:lib slot 1 | barcode AF0001L9, "Tape 1 of set A" | writable, overwritable, full 1 times',
        '3: vtl:lib slot 3 | barcode AF0003L9 | read-only, reserved by testclient, full 0 times',
        '4: vtl:lib slot 4 | barcode AF0004L9 | writable, reserved by testclient, full 0 times',
        '',
      ].join('\n'),
    );
    const j = JSON.parse(ok(await cc(site, '-l', '-a', '-N', '--json', '-C', '5')).stdout);
    assert.deepEqual(j, {
      cartridges: [{ cartridge: 5, location: 'vtl:lib slot 5', barcode: 'AF0005L9', description: null, readOnly: true, reservedBy: ['admin'], full: 0 }],
    });
  });

  test('--help and --version', async () => {
    assert.match(ok(await cc(site, '--help')).stdout, /^Usage: cart_ctl -m/);
    assert.match(ok(await cc(site, '--version')).stdout, /^cart_ctl \(afbackup-ng\)/);
  });
});

