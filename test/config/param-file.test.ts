// Logical lines of afbackup parameter files: comments, continuation lines, line numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readParamLines } from '../../src/config/param-file.js';

test('comment lines and blank lines are dropped, line numbers kept', () => {
  const text = '# a comment\n\n   # indented comment\nBackup-Device: /dev/nst0\n\t\nTape-Blocksize: 1024\n';
  assert.deepEqual(readParamLines(text), [
    { line: 4, endLine: 4, text: 'Backup-Device: /dev/nst0' },
    { line: 6, endLine: 6, text: 'Tape-Blocksize: 1024' },
  ]);
});

test('a # inside a single line is part of the value', () => {
  assert.deepEqual(readParamLines('Set-Cart-Command: load %n # slot'), [
    { line: 1, endLine: 1, text: 'Set-Cart-Command: load %n # slot' },
  ]);
});

test('a backslash at the end joins the next line', () => {
  const text = 'Cartridge-Sets: 1-3 \\\n   4-6 \\\n 7-9\nNumber Of Cartridges: 9\n';
  assert.deepEqual(readParamLines(text), [
    { line: 1, endLine: 3, text: 'Cartridge-Sets: 1-3    4-6  7-9' },
    { line: 4, endLine: 4, text: 'Number Of Cartridges: 9' },
  ]);
});

test('in a joined line every # starts a comment', () => {
  const text = 'SetFile-Command: mt -f %d \\\n  fsf %m # position\nX: 1 # not cut\n';
  assert.deepEqual(readParamLines(text), [
    { line: 1, endLine: 2, text: 'SetFile-Command: mt -f %d   fsf %m ' },
    { line: 3, endLine: 3, text: 'X: 1 # not cut' },
  ]);
});

test('a continued comment line comments out the whole entry', () => {
  const text = '# Cartridge-Sets: 1-3 \\\n  4-6\nTape-Blocksize: 512\n';
  assert.deepEqual(readParamLines(text), [{ line: 3, endLine: 3, text: 'Tape-Blocksize: 512' }]);
});

test('a continuation starting with # leaves only the first part', () => {
  assert.deepEqual(readParamLines('A: 1 \\\n# 2\nB: 3'), [
    { line: 1, endLine: 2, text: 'A: 1 ' },
    { line: 3, endLine: 3, text: 'B: 3' },
  ]);
});

test('CRLF line ends and a backslash on the last line are tolerated', () => {
  assert.deepEqual(readParamLines('A: 1\r\nB: 2 \\'), [
    { line: 1, endLine: 1, text: 'A: 1' },
    { line: 2, endLine: 2, text: 'B: 2 ' },
  ]);
});

test('empty text has no lines', () => {
  assert.deepEqual(readParamLines(''), []);
  assert.deepEqual(readParamLines('\n\n'), []);
});
