/** The key/value format: word scanning, quoting, and afbackup's insertion order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  entryLine,
  formatKFile,
  kfileDelete,
  kfileEntries,
  kfileGet,
  kfileSet,
  leadingInt,
  parseKFile,
  quoteWord,
  scanLine,
  scanWord,
} from '../../src/state/kfile.js';

const set = (text: string, key: string, value: string, order: 'numeric' | 'ascii' | 'none') =>
  formatKFile(kfileSet(parseKFile(text), key, value, order));

test('scanning words: blanks, quotes and backslashes', () => {
  assert.deepEqual(scanLine('1: 2 3'), { key: '1:', sep: ' ', value: '2 3' });
  assert.deepEqual(scanLine('  "my client" 1-3'), { key: 'my client', sep: ' ', value: '1-3' });
  assert.deepEqual(scanLine('1024 '), { key: '1024', sep: ' ', value: '' });
  assert.deepEqual(scanLine('a\tb'), { key: 'a', sep: '\t', value: 'b' });
  assert.equal(scanLine('   '), null);
  assert.equal(scanWord('a\\"b c')!.word, 'a"b');
  assert.equal(scanWord('a\\xb c')!.word, 'a\\xb');
  assert.equal(scanWord('"< * protected by admin * >" 3')!.word, '< * protected by admin * >');
});

test('keys are quoted only when needed, and always read back', () => {
  assert.equal(quoteWord('testclient'), 'testclient');
  assert.equal(quoteWord('my client'), '"my client"');
  assert.equal(quoteWord(''), '""');
  assert.equal(entryLine('< * protected by admin * >', '3-5'), '"< * protected by admin * >" 3-5');
  for (const key of ['plain', 'two words', '', 'tab\there', 'q"uote d', 'caf\xe9']) {
    assert.equal(scanWord(entryLine(key, 'v'))!.word, key);
  }
  assert.throws(() => entryLine('new\nline', 'v'), /cannot be written/);
});

test('leading integers follow C %d', () => {
  assert.equal(leadingInt('12: 3'), 12);
  assert.equal(leadingInt('  -4x'), -4);
  assert.equal(leadingInt('+7'), 7);
  assert.equal(leadingInt('/dev/nst0 1 1'), null);
  assert.equal(leadingInt('"3" x'), null);
});

test('a value is found only after a space (a TAB hides it, as in afbackup)', () => {
  const f = parseKFile('1: 5\n2:\t6\n1024 \n');
  assert.equal(kfileGet(f, '1:'), '5');
  assert.equal(kfileGet(f, '2:'), undefined);
  assert.equal(kfileGet(f, '1024'), '');
  assert.equal(kfileGet(f, '9:'), undefined);
  assert.deepEqual(kfileEntries(f).map((e) => [e.key, e.line]), [['1:', 1], ['2:', 2], ['1024', 3]]);
});

test('numeric order: before the first line whose number is >= the key', () => {
  assert.equal(set('1: a\n3: c\n', '2:', 'b', 'numeric'), '1: a\n2: b\n3: c\n');
  assert.equal(set('1: a\n3: c\n', '5:', 'e', 'numeric'), '1: a\n3: c\n5: e\n');
  assert.equal(set('3: c\n', '1:', 'a', 'numeric'), '1: a\n3: c\n');
  assert.equal(set('', '1:', 'a', 'numeric'), '1: a\n');
});

test('numeric order: a line without a number counts as -2, so it stays in front', () => {
  assert.equal(set('/dev/nst0 1 1\n', '1:', '1 6', 'numeric'), '/dev/nst0 1 1\n1: 1 6\n');
  assert.equal(set('/dev/nst0 1 1\n2: 2 1\n', '1:', '1 6', 'numeric'), '/dev/nst0 1 1\n1: 1 6\n2: 2 1\n');
  // a key below -2 stops at the first non-numeric line
  assert.equal(set('/dev/x 1 1\n', '-5:', 'v', 'numeric'), '-5: v\n/dev/x 1 1\n');
});

test('numeric order: a key without a number (2147483647) goes to the end', () => {
  assert.equal(set('1: 1 6\n2: 1 1\n', '/dev/nst0', '1 1', 'numeric'), '1: 1 6\n2: 1 1\n/dev/nst0 1 1\n');
  assert.equal(set('1: a\n2147483647: z\n', 'dev', 'v', 'numeric'), '1: a\ndev v\n2147483647: z\n');
});

test('an existing key is replaced in place', () => {
  assert.equal(set('1: a\n2: b\n3: c\n', '2:', 'B', 'numeric'), '1: a\n2: B\n3: c\n');
  assert.equal(set('/dev/nst0 1 1\n1: 1 6\n', '/dev/nst0', '2 1', 'numeric'), '/dev/nst0 2 1\n1: 1 6\n');
  assert.equal(set('a 2\nb 1\n', 'b', '3', 'ascii'), 'a 2\nb 3\n');
});

test('later duplicates of the key are dropped', () => {
  assert.equal(set('2: b\n1: a\n2: c\n', '2:', 'B', 'numeric'), '2: B\n1: a\n');
  assert.equal(set('1: a\n3: c\n2: x\n', '2:', 'B', 'numeric'), '1: a\n2: B\n3: c\n');
});

test('in an unsorted file the walk may stop before the old line, which then moves', () => {
  // afbackup stops at "3: c" (3 >= 1), writes the new line there and drops the later "1: a"
  assert.equal(set('3: c\n1: a\n2: b\n', '1:', 'A', 'numeric'), '1: A\n3: c\n2: b\n');
});

test('ASCII order compares keys bytewise', () => {
  assert.equal(set('alpha 1\ngamma 3\n', 'beta', '2', 'ascii'), 'alpha 1\nbeta 2\ngamma 3\n');
  assert.equal(set('3: x\n', '10:', 'y', 'ascii'), '10: y\n3: x\n');
  assert.equal(set('client 1\n', '< * protected by admin * >', '4', 'ascii'), '"< * protected by admin * >" 4\nclient 1\n');
  assert.equal(set('"< * protected by admin * >" 4\nclient 1\n', 'zz', '5', 'ascii'), '"< * protected by admin * >" 4\nclient 1\nzz 5\n');
});

test('no order appends new keys', () => {
  assert.equal(set('5: a\n', '1:', 'b', 'none'), '5: a\n1: b\n');
});

test('delete removes every line of the key and keeps the rest', () => {
  const f = parseKFile('1: a\n2: b\n1: c\n3: d\n');
  assert.equal(formatKFile(kfileDelete(f, '1:')), '2: b\n3: d\n');
  assert.equal(formatKFile(kfileDelete(f, '9:')), '1: a\n2: b\n1: c\n3: d\n');
});

test('round trip of untouched text, including a missing final newline', () => {
  for (const text of ['', '1: a\n', '1: a\n2: b', 'x\n\ny\n']) assert.equal(formatKFile(parseKFile(text)), text);
  assert.equal(formatKFile(kfileSet(parseKFile('1: a'), '2:', 'b', 'numeric')), '1: a\n2: b\n');
});
