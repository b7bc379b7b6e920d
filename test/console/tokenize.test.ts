/**
 * The command-line tokenizer: bare words, key=value, quoted values, quoted bare
 * words, comments, and errors that name the offending text and column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, wordsFromArgv } from '../../src/director/console/tokenize.js';
import { isAfError } from '../../src/errors.js';

test('bare words and key=value pairs; keys lower-cased, values kept', () => {
  const w = tokenize('  Status  Scheduler DAYS=3 job=Laptop-Backup yes');
  assert.deepEqual(
    w.map((x) => [x.key, x.value, x.col]),
    [['status', undefined, 3], ['scheduler', undefined, 11], ['days', '3', 21], ['job', 'Laptop-Backup', 28], ['yes', undefined, 46]],
  );
});

test('quoted values keep blanks; \\" and \\\\ inside double quotes', () => {
  const w = tokenize(`run job="my \\"big\\" job\\\\" level='Full' yes`);
  assert.equal(w[1]!.value, 'my "big" job\\');
  assert.equal(w[2]!.value, 'Full');
  assert.equal(w[3]!.key, 'yes');
});

test('a quoted word alone is one bare word (restore patterns with blanks)', () => {
  const w = tokenize('restore client=laptop "/home/my file" -l');
  assert.deepEqual(w.map((x) => x.text), ['restore', 'client=laptop', '/home/my file', '-l']);
});

test('blank and comment lines give no words; an empty value is a value', () => {
  assert.deepEqual(tokenize('   '), []);
  assert.deepEqual(tokenize('  # list jobs'), []);
  assert.equal(tokenize('job=')[0]!.value, '');
});

for (const [line, word, col] of [
  ['run job="open', '"open', 9],
  ['list =jobs', '=jobs', 6],
  ['run job=a"b"', 'job=a"b"', 5],
  ['run job="a"b', 'job="a"b', 5],
] as const) {
  test(`error names the word and column: ${line}`, () => {
    assert.throws(() => tokenize(line), (e: unknown) => {
      assert.ok(isAfError(e, 'USAGE'));
      assert.match(e.message, new RegExp(`column ${col}: "${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      return true;
    });
  });
}

test('argv words: split at the first "=" only, blanks kept', () => {
  const w = wordsFromArgv(['run', 'job=a=b c', 'yes']);
  assert.equal(w[1]!.key, 'job');
  assert.equal(w[1]!.value, 'a=b c');
  assert.throws(() => wordsFromArgv(['=x']), /key is missing/);
});
