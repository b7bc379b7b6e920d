// Encryption-Key-File(s): entry syntax and the choice of a key file for a client host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import { chooseKeyFile, keyFilePath, parseKeyFileEntries } from '../../src/config/key-files.js';
import type { SelectorResolver } from '../../src/config/host-selector.js';

const resolver: SelectorResolver = {
  readFile: async (p) => {
    if (p === '/etc/afbackup/dmz-hosts') return 'web1 web2.example.org\n';
    throw new Error('ENOENT');
  },
  runCommand: async (command, stdin) => (command.startsWith('/usr/bin/is-lab') && stdin.startsWith('lab') ? 0 : 1),
};

test('entries: plain, host lists, file and command selectors', () => {
  assert.deepEqual(
    parseKeyFileEntries('/k/alpha:alpha,beta;gamma:delta /k/dmz:/etc/afbackup/dmz-hosts "/k/lab:|/usr/bin/is-lab %H" /k/default'),
    [
      { file: '/k/alpha', selector: { kind: 'hosts', hosts: ['alpha', 'beta', 'gamma', 'delta'] } },
      { file: '/k/dmz', selector: { kind: 'file', path: '/etc/afbackup/dmz-hosts' } },
      { file: '/k/lab', selector: { kind: 'command', command: '/usr/bin/is-lab %H' } },
      { file: '/k/default' },
    ],
  );
});

test('entries: quotes keep blanks, \\: keeps a colon in file names', () => {
  assert.deepEqual(parseKeyFileEntries('"/my keys/a\\:b":alpha /k/c\\:d "/k/e":"|/bin/check %h" "/k/f:g"'), [
    { file: '/my keys/a:b', selector: { kind: 'hosts', hosts: ['alpha'] } },
    { file: '/k/c:d' },
    { file: '/k/e', selector: { kind: 'command', command: '/bin/check %h' } },
    { file: '/k/f', selector: { kind: 'hosts', hosts: ['g'] } },
  ]);
});

test('entries: an empty file name is an error, an empty selector means none', () => {
  assert.throws(() => parseKeyFileEntries(':alpha'), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /":alpha"/.test(e.message));
  assert.deepEqual(parseKeyFileEntries('/k/x:'), [{ file: '/k/x' }]);
  assert.deepEqual(parseKeyFileEntries(''), []);
});

test('choice: first matching selector wins, default otherwise', async () => {
  const entries = parseKeyFileEntries(
    '/k/default /k/alpha:alpha,beta /k/dmz:/etc/afbackup/dmz-hosts /k/lab:"|/usr/bin/is-lab %H" /k/beta-too:beta',
  );
  assert.equal(await chooseKeyFile(entries, 'alpha.example.org', resolver), '/k/alpha');
  assert.equal(await chooseKeyFile(entries, 'beta', resolver), '/k/alpha');
  assert.equal(await chooseKeyFile(entries, 'web2.example.org', resolver), '/k/dmz');
  assert.equal(await chooseKeyFile(entries, 'lab7', resolver), '/k/lab');
  assert.equal(await chooseKeyFile(entries, 'other', resolver), '/k/default');
  assert.equal(await chooseKeyFile(entries, undefined, resolver), '/k/default');
});

test('choice: no entries → undefined (built-in key), no match and no default → no-match', async () => {
  assert.equal(await chooseKeyFile([], 'alpha', resolver), undefined);
  const entries = parseKeyFileEntries('/k/alpha:alpha');
  assert.equal(await chooseKeyFile(entries, 'beta', resolver), 'no-match');
  assert.equal(await chooseKeyFile(entries, undefined, resolver), 'no-match');
});

test('choice: %H and %h in file names', async () => {
  const entries = parseKeyFileEntries('/k/%h.key:alpha.example.org /k/hosts/%H');
  assert.equal(await chooseKeyFile(entries, 'alpha.example.org', resolver), '/k/alpha.key');
  assert.equal(await chooseKeyFile(entries, 'beta.example.org', resolver), '/k/hosts/beta.example.org');
  assert.equal(await chooseKeyFile(entries, undefined, resolver), 'no-match');
});

test('hardening: unsafe host names are never put into paths', () => {
  assert.equal(keyFilePath('/k/%H', '../../etc/shadow'), undefined);
  assert.equal(keyFilePath('/k/%H', 'a/b'), undefined);
  assert.equal(keyFilePath('/k/%H', '.hidden'), undefined);
  assert.equal(keyFilePath('/k/%H', undefined), undefined);
  assert.equal(keyFilePath('/k/100%%H', undefined), '/k/100%H');
  assert.equal(keyFilePath('/k/plain', 'x/y'), '/k/plain');
});
