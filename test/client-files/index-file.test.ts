/**
 * Tests of the index file codec against the golden decompressed indexes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendRun,
  formatIndex,
  formatIndexLine,
  indexEntries,
  indexErrors,
  makeEntry,
  parseIndex,
  parseIndexLine,
} from '../../src/client/files/index-file.js';
import { VARIANTS, fixture } from './helpers.js';

for (const v of VARIANTS) {
  test(`${v}: golden index round-trips byte for byte`, () => {
    const bytes = fixture(v, 'backup_log.1.decompressed.txt');
    const index = parseIndex(bytes);
    assert.deepEqual(formatIndex(index), bytes);
    // Rebuilt line by line without recorded text, too.
    const rebuilt = { lines: index.lines.map((l) => ({ ...l })), finalNewline: index.finalNewline };
    assert.deepEqual(formatIndex(rebuilt), bytes);
  });

  test(`${v}: golden index entries, positions, headers and the raw 0xE9 name`, () => {
    const index = parseIndex(fixture(v, 'backup_log.1.decompressed.txt'));
    assert.deepEqual(
      index.lines.map((l) => l.kind),
      ['section', 'header', ...Array(9).fill('entry'), 'empty', 'section', 'header', 'entry', 'entry'],
    );
    assert.deepEqual(indexErrors(index), []);
    const entries = indexEntries(index);
    assert.equal(entries.length, 11);
    for (const { entry, header } of entries) {
      assert.equal(entry.server, '127.0.0.1');
      assert.equal(entry.port, 29880);
      assert.equal(entry.cart, 1);
      assert.equal(entry.uid, 0);
      assert.equal(entry.file, header!.backup === 'full' ? 4 : 5);
      assert.equal(header!.clientId, 'afdemo-client');
      assert.equal(header!.hostname, 'vm');
      assert.equal(header!.number, 1);
    }
    const cafe = entries.find((e) => e.entry.name.includes(0xe9))!;
    assert.deepEqual(cafe.entry.name, Buffer.from('/srv/afdemo/data/caf\xe9.txt', 'latin1'));
    assert.equal(cafe.entry.mtime, 1362279783);
    assert.equal(cafe.line, 10);
    const text = entries.find((e) => e.entry.name.toString('latin1') === '/srv/afdemo/data/text.txt')!;
    assert.equal(text.entry.mtime, 1306929600);
    const incr = entries.find((e) => e.entry.name.toString('latin1').endsWith('incr-new.txt'))!;
    assert.equal(incr.entry.mtime, 1893456000);
    assert.equal(incr.header!.backup, 'incremental');
  });
}

test('lines of every kind, including error text, keep their text', () => {
  const text = 'oops: afclient said something\n1.2: short/form\n# a comment\nsrv%/run/sock!3.4|5: x\n12.7~-3: old\n';
  const index = parseIndex(text);
  assert.deepEqual(index.lines.map((l) => l.kind), ['error', 'entry', 'comment', 'entry', 'entry']);
  assert.equal(formatIndex(index).toString('latin1'), text);
  const sock = index.lines[3]!;
  assert.equal(sock.kind === 'entry' && sock.port, '/run/sock');
  const old = index.lines[4]!;
  assert.equal(old.kind === 'entry' && old.mtime, -3);
  assert.equal(old.kind === 'entry' && old.server, undefined);
});

test('a missing final newline is kept', () => {
  const text = '1.2: a';
  assert.equal(formatIndex(parseIndex(text)).toString('latin1'), text);
});

test('new entries are escaped; appendRun adds the empty separator line', () => {
  const e = makeEntry({ server: 'h', port: 2988, cart: 3, file: 9, uid: 0, mtime: 7, name: Buffer.from('a\nb\xe9', 'latin1') });
  assert.equal(formatIndexLine(e), 'h%2988!3.9|0~7: a\\nb\xe9');
  const back = parseIndexLine(formatIndexLine(e));
  assert.deepEqual(back.kind === 'entry' && back.name, Buffer.from('a\nb\xe9', 'latin1'));
  const header = parseIndexLine('## Incremental backup at Wed Nov 25 12:11:29 2026, current number: 1, hostname: vm client id: x');
  const first = appendRun(parseIndex(''), [{ kind: 'section', server: 'h', port: 2988, cart: 3, file: 9 }, header, e]);
  const second = appendRun(first, [e]);
  assert.equal(
    formatIndex(second).toString('latin1'),
    'h%2988!3.9:\n## Incremental backup at Wed Nov 25 12:11:29 2026, current number: 1, hostname: vm client id: x\n' +
      'h%2988!3.9|0~7: a\\nb\xe9\n\nh%2988!3.9|0~7: a\\nb\xe9\n',
  );
});
