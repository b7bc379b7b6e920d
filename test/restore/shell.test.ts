/**
 * The restore shell driven by a script of commands on stdin over the golden
 * index: cd/ls/pwd/dir show the saved tree, mark/unmark (globs, recursion) decide
 * what `done` restores, and exactly the marked entries reach afclient, grouped
 * per tape file. Also: quit and end of input restore nothing; the `..` guard.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afrestore, captureRunner, goldenClientDir } from './helpers.js';
import { splitCommandLine } from '../../src/client/restore/shell/words.js';

const lines = (b: Buffer): string[] => b.toString('latin1').split('\n').filter((l) => l !== '');

test('cd, ls, pwd, mark, unmark, done restore exactly the marked entries', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const script = [
      'pwd',
      'cd /srv/afdemo/data',
      'pwd',
      'ls',
      'mark sub',
      'unmark sub/random.bin',
      'mark *.txt',
      'cd sub',
      'ls',
      'cd ..',
      'lsmark',
      'count',
      'estimate',
      'done',
      'ls', // never read: done ends the shell
    ].join('\n');
    const r = await afrestore(['-c', c.conf, '--shell'], runner, script + '\n');
    assert.equal(r.status, 0, r.err.join('\n'));
    const out = lines(r.out);
    assert.deepEqual(out.slice(0, 12), [
      '11 entries in the tree. Mark what to restore, then "done" ("help" lists the commands).',
      'cwd is: /',
      'cwd is: /srv/afdemo/data/',
      'caf\xe9.txt',
      'empty',
      'incr-new.txt',
      'link-to-text',
      'sub/',
      'text.txt',
      '3 files marked.',
      '1 file unmarked.',
      '3 files marked.',
    ]);
    assert.deepEqual(out.slice(12, 14), ['*hardlink.txt', 'random.bin']);
    assert.deepEqual(out.slice(14, 19), [
      '*/srv/afdemo/data/caf\xe9.txt',
      '*/srv/afdemo/data/incr-new.txt',
      '*/srv/afdemo/data/sub',
      '*/srv/afdemo/data/sub/hardlink.txt',
      '*/srv/afdemo/data/text.txt',
    ]);
    assert.equal(out[19], '11 total files/directories. 5 marked to be restored.');
    assert.equal(out[20], '5 marked to be restored from 2 tape files.');
    // sub is marked but random.bin below it is not: sub itself is not handed to afclient.
    assert.deepEqual(calls.map((x) => x.argv.slice(7, 11)), [['-C', '1', '-F', '4'], ['-C', '1', '-F', '5']]);
    assert.equal(calls[0]!.stdin, '/srv/afdemo/data/text.txt\n/srv/afdemo/data/sub/hardlink.txt\n/srv/afdemo/data/caf\xe9.txt\n');
    assert.equal(calls[1]!.stdin, '/srv/afdemo/data/incr-new.txt\n');
    assert.ok(calls.every((x) => x.argv[0] === '-xvgu'));
  } finally {
    c.cleanup();
  }
});

test('a fully marked directory goes to afclient as one name; Latin-1 names can be typed escaped', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const script = 'cd srv/afdemo/data\nmark sub caf\\351.txt\ndir sub\nfind random*\ndone\n';
    const r = await afrestore(['-c', c.conf, '--shell', 'data'], runner, script);
    assert.equal(r.status, 0, r.err.join('\n'));
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.stdin, '/srv/afdemo/data/sub/hardlink.txt\n/srv/afdemo/data/sub/random.bin\n/srv/afdemo/data/sub\n/srv/afdemo/data/caf\xe9.txt\n');
    const out = lines(r.out);
    assert.ok(out.includes('4 files marked.'), out.join('\n'));
    assert.ok(out.some((l) => /^\* Fri Apr  4 04:04:04 2014 +0 127\.0\.0\.1%29880!1\.4 random\.bin$/.test(l)), out.join('\n'));
    assert.ok(out.includes('*/srv/afdemo/data/sub/random.bin'));
  } finally {
    c.cleanup();
  }
});

test('quit, end of input and done without marks restore nothing; errors name the word', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const q = await afrestore(['-c', c.conf, '--shell'], runner, 'done\nmark nosuch\ncd nowhere\nfrobnicate\nquit\n');
    assert.equal(q.status, 0);
    assert.deepEqual(q.err, [
      'No files are marked; nothing restored (quit to leave, mark to choose)',
      'nosuch: no such entry',
      'nowhere: no such directory',
      'frobnicate: unknown command (help lists the commands)',
    ]);
    const eof = await afrestore(['-c', c.conf, '--shell'], runner, 'mark /srv\n');
    assert.equal(eof.status, 0);
    assert.deepEqual(eof.err, ['end of input: nothing restored']);
    assert.equal(calls.length, 0);
  } finally {
    c.cleanup();
  }
});

test('command lines split at blanks, with quotes and index escapes, as bytes', () => {
  assert.deepEqual(
    splitCommandLine(Buffer.from('mark "a b" c\\ d caf\\351 \'x\\y\'', 'latin1')).map((b) => b.toString('latin1')),
    ['mark', 'a b', 'c d', 'caf\xe9', 'x\\y'],
  );
});
