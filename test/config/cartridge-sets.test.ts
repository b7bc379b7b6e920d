// Cartridge sets: parsing, the obsolete Last-Cartridges form, overlaps, host access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import {
  defaultCartridgeSets,
  hostMayUseSet,
  parseCartridgeSets,
  parseLastCartridges,
} from '../../src/config/cartridge-sets.js';
import type { SelectorResolver } from '../../src/config/host-selector.js';

/** A resolver backed by a table of files and a fake command runner that records its calls. */
function fakeResolver(files: Record<string, string> = {}, allow: (cmd: string, stdin: string) => boolean = () => false) {
  const calls: { command: string; stdin: string }[] = [];
  const resolver: SelectorResolver = {
    readFile: async (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT: ${p}`);
      return text;
    },
    runCommand: async (command, stdin) => {
      calls.push({ command, stdin });
      return allow(command, stdin) ? 0 : 1;
    },
  };
  return { resolver, calls };
}

test('default: one set 1..N', () => {
  const sets = defaultCartridgeSets(10);
  assert.equal(sets.count, 1);
  assert.equal(sets.source, 'default');
  assert.deepEqual(sets.cartridgesOfSet(1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(sets.setOfCartridge(10), 1);
  assert.equal(sets.setOfCartridge(11), undefined);
});

test('Cartridge-Sets with ranges and every selector form', () => {
  const sets = parseCartridgeSets('1-3,7 4-6:alpha,beta;gamma 8:/etc/afbackup/hosts-c 9-:"|/usr/bin/may-use %H"', 10);
  assert.equal(sets.source, 'Cartridge-Sets');
  assert.equal(sets.count, 4);
  assert.deepEqual(sets.cartridgesOfSet(1), [1, 2, 3, 7]);
  assert.deepEqual(sets.cartridgesOfSet(2), [4, 5, 6]);
  assert.deepEqual(sets.cartridgesOfSet(4), [9, 10]);
  assert.deepEqual(sets.cartridgesOfSet(5), []);
  assert.equal(sets.setOfCartridge(7), 1);
  assert.equal(sets.setOfCartridge(5), 2);
  assert.equal(sets.setOfCartridge(8), 3);
  assert.equal(sets.setOfCartridge(10), 4);
  assert.equal(sets.get(1)!.access, undefined);
  assert.deepEqual(sets.get(2)!.access, { kind: 'hosts', hosts: ['alpha', 'beta', 'gamma'] });
  assert.deepEqual(sets.get(3)!.access, { kind: 'file', path: '/etc/afbackup/hosts-c' });
  assert.deepEqual(sets.get(4)!.access, { kind: 'command', command: '/usr/bin/may-use %H' });
});

test('host lists may use colons between names', () => {
  const sets = parseCartridgeSets('1-2:a:b.example.org', 2);
  assert.deepEqual(sets.get(1)!.access, { kind: 'hosts', hosts: ['a', 'b.example.org'] });
});

test('overlapping sets are refused', () => {
  assert.throws(
    () => parseCartridgeSets('1-5 5-8', 10),
    (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /sets 1 and 2 overlap in cartridges 5/.test(e.message),
  );
  assert.throws(
    () => parseCartridgeSets('1-3 8- 9', 10),
    (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /overlap in cartridges 9/.test(e.message),
  );
});

test('cartridges outside 1..N and empty sets are refused', () => {
  assert.throws(() => parseCartridgeSets('1-5 6-12', 10), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /outside 1-10/.test(e.message));
  assert.throws(() => parseCartridgeSets('0-2', 10), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX'));
  assert.throws(() => parseCartridgeSets('1-3 12-', 10), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /holds no cartridge/.test(e.message));
  assert.throws(() => parseCartridgeSets('1-x', 10), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /"1-x"/.test(e.message));
});

test('an empty value gives the default set', () => {
  assert.equal(parseCartridgeSets('  ', 4).source, 'default');
});

test('obsolete Last-Cartridges', () => {
  const sets = parseLastCartridges('3 6 10', 10);
  assert.equal(sets.source, 'Last-Cartridges');
  assert.deepEqual(sets.cartridgesOfSet(1), [1, 2, 3]);
  assert.deepEqual(sets.cartridgesOfSet(2), [4, 5, 6]);
  assert.deepEqual(sets.cartridgesOfSet(3), [7, 8, 9, 10]);
  assert.equal(parseLastCartridges('', 4).source, 'default');
  for (const bad of ['3 2', '3 11', '3 x', '0']) {
    assert.throws(() => parseLastCartridges(bad, 10), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX'), bad);
  }
});

test('host access: open sets, host lists, short names', async () => {
  const sets = parseCartridgeSets('1-2 3-4:alpha.example.org,beta 5:gamma', 5);
  const { resolver } = fakeResolver();
  assert.equal(await sets.mayUse(1, 'anyone', resolver), true);
  assert.equal(await sets.mayUse(2, 'ALPHA.example.org', resolver), true);
  assert.equal(await sets.mayUse(2, 'alpha', resolver), true);
  assert.equal(await sets.mayUse(2, 'beta.example.org', resolver), true);
  assert.equal(await sets.mayUse(2, 'alpha.other.org', resolver), false);
  assert.equal(await sets.mayUse(3, 'beta', resolver), false);
  assert.equal(await sets.mayUse(9, 'beta', resolver), false);
});

test('host access: file selector through the resolver, missing file denies', async () => {
  const sets = parseCartridgeSets('1:/etc/hosts-a 2:/etc/missing', 2);
  const { resolver } = fakeResolver({ '/etc/hosts-a': '# clients of set 1\nalpha beta\ngamma,delta\n' });
  assert.equal(await sets.mayUse(1, 'gamma', resolver), true);
  assert.equal(await sets.mayUse(1, 'epsilon', resolver), false);
  assert.equal(await sets.mayUse(2, 'alpha', resolver), false);
});

test('host access: command selector gets the host quoted in %H and on stdin', async () => {
  const sets = parseCartridgeSets('1:"|/usr/bin/may-use %H"', 1);
  const { resolver, calls } = fakeResolver({}, (_cmd, stdin) => stdin === 'alpha\n');
  assert.equal(await hostMayUseSet(sets.get(1)!, 'alpha', resolver), true);
  assert.equal(await hostMayUseSet(sets.get(1)!, "x'; rm -rf /", resolver), false);
  assert.deepEqual(calls, [
    { command: "/usr/bin/may-use 'alpha'", stdin: 'alpha\n' },
    { command: `/usr/bin/may-use 'x'\\''; rm -rf /'`, stdin: "x'; rm -rf /\n" },
  ]);
});

test('host access: the optional sameHost hook is consulted when names differ', async () => {
  const sets = parseCartridgeSets('1:alpha', 1);
  const { resolver } = fakeResolver();
  resolver.sameHost = async (a, b) => a === 'alpha' && b === '10.0.0.5';
  assert.equal(await sets.mayUse(1, '10.0.0.5', resolver), true);
  assert.equal(await sets.mayUse(1, '10.0.0.6', resolver), false);
});
