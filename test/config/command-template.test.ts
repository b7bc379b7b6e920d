// %x substitution in commands, shell quoting of client values, the Mail-Program word rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { expandCommand, expandMailProgram, expandTemplate, shellQuote } from '../../src/config/command-template.js';

/** What /bin/sh makes of a command line: its words, one per line, via printf. */
function shellWords(command: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `set -- ${command}; for w in "$@"; do printf '%s\\n' "$w"; done`], {
    encoding: 'utf8',
  });
  return out === '' ? [] : out.slice(0, -1).split('\n');
}

test('expandTemplate replaces known letters, keeps unknown ones, %% is %', () => {
  assert.equal(expandTemplate('mt -f %d fsf %m', { d: '/dev/nst0', m: '3' }), 'mt -f /dev/nst0 fsf 3');
  assert.equal(expandTemplate('%x %d %%d 100%', { d: 'D' }), '%x D %d 100%');
  assert.equal(expandTemplate('%%%d%%', { d: 'D' }), '%D%');
  assert.equal(expandTemplate('/bin/rm -f %d ; mkdir -p %d.%n', { d: '/t/vol', n: '2' }), '/bin/rm -f /t/vol ; mkdir -p /t/vol.2');
});

test('shellQuote gives one literal word', () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  for (const v of ["a b", "it's", '$(id)', '`id`', '"; rm -rf /; "', '\\', '', '*']) {
    assert.deepEqual(shellWords(`x ${shellQuote(v)}`), ['x', v]);
  }
});

test('expandCommand quotes untrusted values for their context', () => {
  const evil = `x'; echo pwned; '"$(id)"\`id\``;
  const cases: [string, (v: string) => string[]][] = [
    ['echo %H', (v) => ['echo', v]],
    ["echo 'host %H here'", (v) => ['echo', `host ${v} here`]],
    ['echo "host %H here"', (v) => ['echo', `host ${v} here`]],
    ['echo pre%Hpost', (v) => ['echo', `pre${v}post`]],
    ['echo \\%H', (v) => ['echo', v]],
    ['echo "\\%H"', (v) => ['echo', v]],
  ];
  for (const [template, expected] of cases) {
    const command = expandCommand(template, {}, { H: evil });
    assert.deepEqual(shellWords(command.slice('echo '.length)), expected(evil).slice(1), template);
  }
});

test('expandCommand inserts trusted values verbatim and keeps %% and unknown letters', () => {
  assert.equal(expandCommand('mt -f %d fsf %n %% %q', { d: '/dev/nst0', n: '2' }), 'mt -f /dev/nst0 fsf 2 % %q');
  assert.equal(expandCommand('a\\ b \\$x', {}), 'a\\ b \\$x');
});

test('Mail-Program: known values are substituted and quoted', () => {
  const cmd = expandMailProgram('mail -s "Backup for %U at %H" %u', { u: 'root', U: 'alice', H: 'client1' });
  assert.deepEqual(shellWords(cmd.slice('mail '.length)), ['-s', 'Backup for alice at client1', 'root']);
});

test('Mail-Program: a word with an unknown %U or %H is deleted', () => {
  assert.equal(expandMailProgram('mail -c %U@%H %u', { u: 'root' }), 'mail -c root');
  assert.equal(expandMailProgram('mail %U@%H %u', { u: 'root', U: 'bob' }), 'mail root');
  assert.equal(expandMailProgram('mail %U@%H %u', { u: 'root', U: 'bob', H: 'c1' }), "mail 'bob'@'c1' root");
  assert.equal(expandMailProgram('mail -c %U %u', { u: 'root', U: 'bob', H: '' }), "mail -c 'bob' root");
  assert.equal(expandMailProgram('mail -s "from %H" %u', { u: 'op' }), 'mail -s op');
  assert.equal(expandMailProgram('mail %%U %u', { u: 'op' }), 'mail %U op');
  assert.equal(expandMailProgram('cat >> /srv/afdemo/log/server-mail.txt', { u: 'root' }), 'cat >> /srv/afdemo/log/server-mail.txt');
});
