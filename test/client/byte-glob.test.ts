/**
 * The client's one wildcard matcher, in both of its modes: with `pathname` (the
 * backup selection walk: nothing but `/` matches `/`) and without (afrestore: `*`
 * crosses directories), with case folding, sets, quoting, and Latin-1 bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, hasWildcards } from '../../src/client/byte-glob.js';

const b = (s: string) => Buffer.from(s, 'latin1');

test('a table of patterns, names and expected results in both modes', () => {
  const rows: [string, string, boolean, boolean][] = [
    // pattern, name, pathname mode, plain mode
    ['*.txt', 'a.txt', true, true],
    ['*.txt', 'dir/a.txt', false, true],
    ['dir/*', 'dir/a/b', false, true],
    ['d?r/x', 'dir/x', true, true],
    ['dir?x', 'dir/x', false, true],
    ['dir[/]x', 'dir/x', false, true],
    ['[a-c]x', 'bx', true, true],
    ['[!a-c]x', 'bx', false, false],
    ['[^a-c]x', 'dx', true, true],
    ['\\*x', '*x', true, true],
    ['\\*x', 'ax', false, false],
    ['[abc', '[abc', true, true],
    ['caf\xe9*', 'caf\xe9.txt', true, true],
    ['caf?.txt', 'caf\xe9.txt', true, true],
    ['', '', true, true],
    ['*', '', true, true],
    ['a*b*c', 'aXbYc', true, true],
    ['a*b*c', 'aXbY', false, false],
  ];
  for (const [p, n, withPath, plain] of rows) {
    assert.equal(globMatch(b(p), b(n), { pathname: true }), withPath, `pathname: ${p} ~ ${n}`);
    assert.equal(globMatch(b(p), b(n)), plain, `plain: ${p} ~ ${n}`);
  }
});

test('case folding covers literals and sets, only for ASCII letters', () => {
  assert.equal(globMatch(b('*README*'), b('docs/readme.md'), { fold: true }), true);
  assert.equal(globMatch(b('*README*'), b('docs/readme.md')), false);
  assert.equal(globMatch(b('[A-C]x'), b('bx'), { fold: true }), true);
  assert.equal(globMatch(b('CAF\xc9'), b('caf\xe9'), { fold: true }), false, 'Latin-1 letters are not folded');
});

test('hasWildcards ignores quoted wildcards', () => {
  assert.equal(hasWildcards(b('a\\*b')), false);
  assert.equal(hasWildcards(b('a*b')), true);
  assert.equal(hasWildcards(b('a[b]')), true);
});
