/**
 * Deletion tracking, both halves: the `#- <name>` line codec and the choice of
 * what incr_backup records (src/client/backup/deletions.ts); the catalog's
 * deletions, --exact selection and the removal after a whole restore
 * (src/client/restore/deletions.ts, remove-deleted.ts). Also that the lines stay
 * comments for the index parser and an afbackup-style reader.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseIndex, indexEntries } from '../../src/client/files/index-file.js';
import { deletedName, deletionLine, findDeleted, indexedNames, isBelow, isStartPositionsCopy } from '../../src/client/backup/deletions.js';
import { catalogOf, latestOnly, select } from '../../src/client/restore/catalog.js';
import { deletedAtEnd, latestDeletions, withoutDeleted } from '../../src/client/restore/deletions.js';
import { removeDeleted } from '../../src/client/restore/remove-deleted.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const names = (l: readonly Buffer[]): string[] => l.map((n) => n.toString('latin1'));

const INDEX = [
  '127.0.0.1%2988!1.1:',
  '## Full backup at Wed Nov 25 12:00:00 2026, current number: 1, hostname: vm client id: c',
  '127.0.0.1%2988!1.1|0~1795000000: /tmp/afbsp_AAAA',
  '127.0.0.1%2988!1.1|0~1700000000: data/a.txt',
  '127.0.0.1%2988!1.1|0~1700000000: data/caf\xe9.txt',
  '127.0.0.1%2988!1.1|0~1700000000: data/old/x',
  '127.0.0.1%2988!1.1|0~1700000000: data/old',
  '127.0.0.1%2988!1.1|0~1700000000: data/back',
  '127.0.0.1%2988!1.1|0~1700000000: data',
  'afclient error text: data/ghost: no such file',
  '',
  '127.0.0.1%2988!1.2:',
  '## Incremental backup at Wed Nov 25 13:00:00 2026, current number: 1, hostname: vm client id: c',
  '127.0.0.1%2988!1.2|0~1795003600: /tmp/afbsp_BBBB',
  '127.0.0.1%2988!1.2|0~1795003000: data',
  '#- data/back',
  '#- data/caf\xe9.txt',
  '#- data/old',
  '#- data/old/x',
  '',
  '127.0.0.1%2988!1.3:',
  '## Incremental backup at Wed Nov 25 14:00:00 2026, current number: 1, hostname: vm client id: c',
  '127.0.0.1%2988!1.3|0~1795007000: data/back',
  '',
].join('\n');

test('the deletion line: "#- " and the name escaped as in entries; a comment to the index parser', () => {
  const line = deletionLine(B('dir/new\nline "q" caf\xe9'));
  assert.equal(line.toString('latin1'), '#- dir/new\\nline \\"q\\" caf\xe9\n');
  const parsed = parseIndex(line);
  assert.equal(parsed.lines[0]!.kind, 'comment');
  assert.equal(deletedName((parsed.lines[0] as { text: string }).text)!.toString('latin1'), 'dir/new\nline "q" caf\xe9');
  assert.equal(deletedName('## Full backup at x'), undefined);
  assert.equal(deletedName('# any other comment'), undefined);
  assert.equal(deletedName('#- '), undefined);
  // afbackup's reader: a line starting with '#' is a comment, never an entry, and '#-' is no '##' header.
  for (const l of INDEX.split('\n').filter((x) => x.startsWith('#-'))) assert.ok(l.startsWith('#') && !l.startsWith('##'));
  // The index still formats back byte for byte and its entries are unchanged.
  const idx = parseIndex(INDEX);
  assert.equal(indexEntries(idx).length, 10);
});

test('what incr_backup records: indexed, below a walked entry, not seen, and really gone', () => {
  assert.deepEqual([...indexedNames(B(INDEX))].sort(), ['data', 'data/a.txt', 'data/back'], 'deleted names, start-positions copies, section lines and error text are not held');
  assert.ok(isStartPositionsCopy(B('/tmp/afbsp_x1')) && isStartPositionsCopy(B('/var/tmp/afbsp_x1')));
  assert.ok(!isStartPositionsCopy(B('data/afbsp_x1')) && !isStartPositionsCopy(B('/tmp/afbsp_x/y')));
  assert.ok(isBelow(B('data/x'), B('data')) && isBelow(B('data'), B('data')) && isBelow(B('/x'), B('/')));
  assert.ok(!isBelow(B('database'), B('data')) && !isBelow(B('dat'), B('data')));
  const gone = findDeleted({
    indexed: new Set(['data', 'data/a', 'data/b', 'data/skipped', 'other/c', 'data/d\xe9']),
    seen: new Set(['data', 'data/a']),
    roots: [B('data')],
    exists: (n) => n.toString('latin1') === 'data/skipped',
  });
  assert.deepEqual(names(gone), ['data/b', 'data/d\xe9'], 'other/c is outside the walk; data/skipped exists (e.g. newly excluded)');
});

test('--exact selection: a version followed by a deletion is left out; a later save brings the name back', () => {
  const runs = catalogOf([{ num: 1, index: parseIndex(INDEX) }], { host: '127.0.0.1', port: 2988 });
  assert.equal(runs.length, 3);
  assert.deepEqual(names(runs[1]!.deletions.map((d) => d.name)), ['data/back', 'data/caf\xe9.txt', 'data/old', 'data/old/x']);
  const all = select(runs, { patterns: [], all: true, ignoreCase: false });
  const dels = latestDeletions(runs);
  const exact = names(latestOnly(withoutDeleted(all, dels)).map((r) => r.name));
  assert.ok(!exact.includes('data/caf\xe9.txt') && !exact.includes('data/old') && !exact.includes('data/old/x'));
  assert.ok(exact.includes('data/back'), 'saved again after its deletion');
  assert.ok(exact.includes('data/a.txt'));
  assert.equal(names(latestOnly(all).map((r) => r.name)).includes('data/old'), true, 'without --exact: as afbackup');
  // With a backup-time limit before the first incremental, its deletions are not yet known.
  const early = latestDeletions(runs, Date.UTC(2026, 10, 25, 12, 30) / 1000);
  assert.equal(early.size, 0);
  const atEnd = deletedAtEnd(runs).sort((a, b) => Buffer.compare(a.name, b.name));
  assert.deepEqual(names(atEnd.map((x) => x.name)), ['data/caf\xe9.txt', 'data/old', 'data/old/x']);
  assert.deepEqual(atEnd.map((x) => x.savedMtime), [1700000000, 1700000000, 1700000000], 'the mtime of the last saved version');
});

test('removal after a whole restore: children first, parent times kept, never through a symlink or out of the root, nor a file made later', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'afrm-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'afrm-out-'));
  try {
    const p = (...x: string[]): string => path.join(root, ...x);
    fs.mkdirSync(p('data/old/deeper'), { recursive: true });
    fs.writeFileSync(p('data/old/deeper/f'), 'x');
    fs.writeFileSync(p('data/keep'), 'x');
    fs.mkdirSync(p('data/busy'));
    fs.writeFileSync(p('data/busy/later'), 'saved later');
    fs.writeFileSync(path.join(outside, 'victim'), 'must survive');
    fs.symlinkSync(outside, p('data/link'));
    fs.writeFileSync(p('data/made-later'), 'not what the backup saved');
    const t = new Date('2016-06-06T06:06:06Z');
    const saved = t.getTime() / 1000;
    fs.utimesSync(p('data/old/deeper/f'), t, t);
    fs.utimesSync(p('data'), t, t);
    const problems: string[] = [];
    const removed: string[] = [];
    const kept: string[] = [];
    const list = ['data/old', '/data/old/deeper/f', 'data/old/deeper', 'data/link/victim', 'data/../x', 'data/busy', 'data/not-restored', 'data/made-later'];
    const r = removeDeleted(root, list.map((n) => ({ name: B(n), savedMtime: saved })), {
      removed: (n) => removed.push(n.toString('latin1')),
      problem: (n, why) => problems.push(`${n.toString('latin1')}: ${why}`),
      kept: (n, why) => kept.push(`${n.toString('latin1')}: ${why}`),
    });
    assert.deepEqual(kept, ['data/made-later: kept: it is not the version the backup saved (made after it?)']);
    assert.ok(fs.existsSync(p('data/made-later')));
    assert.deepEqual(removed, ['/data/old/deeper/f', 'data/old/deeper', 'data/old'], 'a leading slash is dropped, as afclient -r does');
    assert.equal(r.removed, 3);
    assert.ok(fs.existsSync(path.join(outside, 'victim')), 'nothing removed through the symlink');
    assert.ok(fs.existsSync(p('data/busy/later')) && fs.existsSync(p('data/keep')));
    assert.equal(r.problems, 2);
    assert.match(problems.join('\n'), /data\/\.\.\/x: not removed: the name could leave the restore root/);
    assert.match(problems.join('\n'), /data\/busy: not removed: the directory holds names saved later/);
    assert.equal(Math.floor(fs.statSync(p('data')).mtimeMs / 1000), t.getTime() / 1000, 'the parent keeps its restored mtime');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
