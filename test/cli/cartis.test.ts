/** cartis as a child process: tapepos lines written byte for byte, checks of the numbers, the show form. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { VERSION } from '../../src/version.js';
import { makeSite, run, type Site } from './helpers.js';

/** Two sets: 1-5 and 6-10. */
function twoSetSite(): Site {
  return makeSite({ extra: 'Cartridge-Sets:\t1-5 6-10' });
}

const cartis = (site: Site, ...args: string[]) => run('cartis', ['-c', site.conf, ...args], { env: site.env });

// Every test has its own site, so they run side by side.
describe('cartis', { concurrency: 2 }, () => {
  test('cartis --help and --version', async () => {
    const help = await run('cartis', ['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: cartis \[-c conf\] cart\n {7}cartis -i cart file \[-S set\] \[-c conf\]\n/);
    const version = await run('cartis', ['--version']);
    assert.deepEqual([version.status, version.stdout], [0, `cartis (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`]);
  });

  test('cartis <cart> writes "<device> <cart> 1" into a new tapepos', async () => {
    const site = twoSetSite();
    try {
      const r = await cartis(site, '4');
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
      assert.equal(site.read('tapepos'), `${site.device} 4 1\n`);
    } finally {
      site.remove();
    }
  });

  test('cartis <cart> replaces the drive line in place and keeps the set lines', async () => {
    const site = twoSetSite();
    try {
      site.write('tapepos', `${site.device} 1 3\n1: 1 4\n2: 7 2\n`);
      const r = await cartis(site, '007');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(site.read('tapepos'), `${site.device} 7 1\n1: 1 4\n2: 7 2\n`);
    } finally {
      site.remove();
    }
  });

  test('cartis converts an old-format tapepos, naming the drive', async () => {
    const site = twoSetSite();
    try {
      site.write('tapepos', '1 3\n2 5\n');
      const r = await cartis(site, '3');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(site.read('tapepos'), `${site.device} 3 1\n1: 2 5\n`);
    } finally {
      site.remove();
    }
  });

  test('cartis -i sets the insert position of set 1 by default, and of -S set', async () => {
    const site = twoSetSite();
    try {
      site.write('tapepos', `${site.device} 2 1\n1: 2 4\n`);
      assert.equal((await cartis(site, '-i', '3', '1')).status, 0);
      assert.equal(site.read('tapepos'), `${site.device} 2 1\n1: 3 1\n`);
      const r = await cartis(site, '-i', '6', '1', '-S', '2');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(site.read('tapepos'), `${site.device} 2 1\n1: 3 1\n2: 6 1\n`);
    } finally {
      site.remove();
    }
  });

  test('cartis -i on an old-format tapepos converts it first', async () => {
    const site = twoSetSite();
    try {
      site.write('tapepos', '1 3\n');
      const r = await cartis(site, '-S', '2', '-i', '8', '1');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(site.read('tapepos'), `${site.device} 1 3\n2: 8 1\n`);
    } finally {
      site.remove();
    }
  });

  test('cartis -i accepts only 1 or the file after the data files bytes_on_tape records', async () => {
    const site = twoSetSite();
    try {
      site.write('bytes_on_tape', '2: 478208 3 0 1795608857\n4: 1024 0 0 1795608857\n');
      const wrong = await cartis(site, '-i', '2', '2');
      assert.equal(wrong.status, 21);
      assert.equal(wrong.stderr, 'cartis: Illegal file number: cartridge 2 holds 3 files: the next file is 4 (or 1 to start it again)\n');
      const empty = await cartis(site, '-i', '4', '2');
      assert.equal(empty.status, 21);
      assert.equal(empty.stderr, 'cartis: Illegal file number: cartridge 4 holds no data files yet, so its next file is 1\n');
      assert.equal(site.read('tapepos'), null, 'nothing written');
      assert.equal((await cartis(site, '-i', '2', '4')).status, 0);
      assert.equal(site.read('tapepos'), '1: 2 4\n');
      assert.equal((await cartis(site, '-i', '2', '1')).status, 0);
      assert.equal(site.read('tapepos'), '1: 2 1\n');
      // A cartridge bytes_on_tape does not know: any file from 1 on.
      assert.equal((await cartis(site, '-i', '5', '9')).status, 0);
      assert.equal(site.read('tapepos'), '1: 5 9\n');
    } finally {
      site.remove();
    }
  });

  test('cartis checks cartridge, file and set numbers (exit 20, 21, 22) and writes nothing', async () => {
    const site = twoSetSite();
    try {
      const cases: [string[], number, string][] = [
        [['0'], 20, 'cartis: Illegal cartridge number: cartridge 0 does not exist (cartridges are numbered 1 to 10)\n'],
        [['11'], 20, 'cartis: Illegal cartridge number: cartridge 11 does not exist (cartridges are numbered 1 to 10)\n'],
        [['x3'], 20, 'cartis: Illegal cartridge number: "x3" is not a cartridge number\n'],
        [['-i', '7', '1'], 20, 'cartis: Illegal cartridge number: cartridge 7 is not in set 1 (its cartridges: 1-5)\n'],
        [['-i', '3', '0'], 21, 'cartis: Illegal file number: "0" is not a file number (1 or more)\n'],
        [['-i', '3', 'two'], 21, 'cartis: Illegal file number: "two" is not a file number (1 or more)\n'],
        [['-i', '3', '1', '-S', '3'], 22, 'cartis: Illegal cartridge set: "3" is not a cartridge set (the configuration has sets 1 to 2)\n'],
        [['-i', '3', '1', '-S', '0'], 22, 'cartis: Illegal cartridge set: "0" is not a cartridge set (the configuration has sets 1 to 2)\n'],
      ];
      for (const [args, status, stderr] of cases) {
        const r = await cartis(site, ...args);
        assert.equal(r.status, status, args.join(' '));
        assert.equal(r.stderr, stderr, args.join(' '));
      }
      assert.equal(site.read('tapepos'), null);
    } finally {
      site.remove();
    }
  });

  test('cartis command-line mistakes exit 2', async () => {
    const site = twoSetSite();
    try {
      const cases: [string[], string][] = [
        [['-S', '2', '3'], 'cartis: Invalid command line: -S goes with -i (see --help)\n'],
        [['3', '4'], 'cartis: Invalid command line: one cartridge number, not 2 arguments (see --help)\n'],
        [['-i', '3'], 'cartis: Invalid command line: -i wants a cartridge and a file number (see --help)\n'],
        [['--json', '3'], 'cartis: Invalid command line: --json only goes with the form without arguments (see --help)\n'],
        [['-q'], 'cartis: Invalid command line: unknown option -q (see --help)\n'],
      ];
      for (const [args, stderr] of cases) {
        const r = await cartis(site, ...args);
        assert.equal(r.status, 2, args.join(' '));
        assert.equal(r.stderr, stderr);
      }
    } finally {
      site.remove();
    }
  });

  test('cartis leaves a tapepos it cannot parse alone (exit 30, naming the line)', async () => {
    const site = twoSetSite();
    try {
      const bad = `${site.device} 2 1\n1: 2 x\n`;
      site.write('tapepos', bad);
      const r = await cartis(site, '3');
      assert.equal(r.status, 30);
      assert.match(r.stderr, /^cartis: State file has a syntax error: ".*tapepos" line 2: /);
      assert.equal(site.read('tapepos'), bad);
    } finally {
      site.remove();
    }
  });

  test('cartis with a broken or missing configuration exits 32', async () => {
    const site = twoSetSite();
    try {
      const missing = await run('cartis', ['-c', path.join(site.root, 'none.conf'), '3'], { env: site.env });
      assert.equal(missing.status, 32);
      assert.match(missing.stderr, /^cartis: Configuration file has an error: cannot read ".*none\.conf"/);
    } finally {
      site.remove();
    }
  });

  test('cartis without arguments shows the drive and every set; --json for scripts', async () => {
    const site = twoSetSite();
    try {
      const none = await cartis(site);
      assert.equal(none.status, 0);
      assert.equal(none.stdout, `drive ${site.device}: no cartridge recorded\nset 1: no insert position recorded\nset 2: no insert position recorded\n`);
      site.write('tapepos', `${site.device} 6 1\n1: 2 4\n`);
      const text = await cartis(site);
      assert.equal(text.stdout, `drive ${site.device}: cartridge 6, file 1\nset 1: cartridge 2, file 4\nset 2: no insert position recorded\n`);
      const json = await cartis(site, '--json');
      assert.equal(json.status, 0);
      assert.deepEqual(JSON.parse(json.stdout), {
        device: site.device,
        drive: { cartridge: 6, file: 1 },
        sets: [
          { set: 1, cartridge: 2, file: 4 },
          { set: 2, cartridge: null, file: null },
        ],
      });
      assert.equal(site.read('tapepos'), `${site.device} 6 1\n1: 2 4\n`, 'showing changes nothing');
    } finally {
      site.remove();
    }
  });

  test('cartis names a vtl: device as the server does', async () => {
    const site = makeSite({ kind: 'vtl' });
    try {
      assert.equal((await cartis(site, '2')).status, 0);
      assert.equal(site.read('tapepos'), 'vtl:lib 2 1\n');
    } finally {
      site.remove();
    }
  });
});
