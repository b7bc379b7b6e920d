/**
 * The pure pieces of afrestore: date forms of -A/-B, wildcard patterns on bytes,
 * index scan choice, runs of an index, and the -F expansion.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, parseTimeLimit } from '../../src/client/restore/time-spec.js';
import { globMatch, patternMatches } from '../../src/client/restore/pattern.js';
import { chooseIndexes } from '../../src/client/restore/index-files.js';
import { runsOf } from '../../src/client/restore/catalog.js';
import { formatRecord } from '../../src/client/restore/list-format.js';
import { parseIndex } from '../../src/client/files/index-file.js';

const now = new Date(Date.UTC(2026, 10, 25, 15, 0, 0));
const utc = (...a: [number, number, number, number?, number?, number?]): number => Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0) / 1000;

test('dates: US, European (year optional), ISO, ctime, date(1), time of today, epoch', () => {
  assert.equal(parseDate('03/12/2024 10:20:30', now), utc(2024, 3, 12, 10, 20, 30));
  assert.equal(parseDate('03/12/24', now), utc(2024, 3, 12));
  assert.equal(parseDate('12.03.2024 10:20', now), utc(2024, 3, 12, 10, 20));
  assert.equal(parseDate('12.03', now), utc(2026, 3, 12));
  assert.equal(parseDate('2024-03-12T10:20', now), utc(2024, 3, 12, 10, 20));
  assert.equal(parseDate('Wed Nov 25 12:37:05 2026', now), utc(2026, 11, 25, 12, 37, 5));
  assert.equal(parseDate('Wed Nov 25 12:37:05 UTC 2026', now), utc(2026, 11, 25, 12, 37, 5));
  assert.equal(parseDate('23:59', now), utc(2026, 11, 25, 23, 59));
  assert.equal(parseDate('@1234', now), 1234);
  for (const bad of ['', '31.02.2024', '13/01/2024', 'yesterday', '25.11.2026 25:00']) assert.throws(() => parseDate(bad, now), { code: 'USAGE' });
});

test('date[%budate]: either side may be missing', () => {
  assert.deepEqual(parseTimeLimit('12.03.2024', now), { file: utc(2024, 3, 12) });
  assert.deepEqual(parseTimeLimit('%12.03.2024', now), { backup: utc(2024, 3, 12) });
  assert.deepEqual(parseTimeLimit('01.03.2024 % 12.03.2024 10:00', now), { file: utc(2024, 3, 1), backup: utc(2024, 3, 12, 10) });
  assert.throws(() => parseTimeLimit(' % ', now), { code: 'USAGE' });
});

test('wildcards on bytes: * crosses slashes, classes, ranges, escapes, case folding', () => {
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  assert.ok(globMatch(b('/a/*.txt'), b('/a/b/c.txt')));
  assert.ok(globMatch(b('caf?.txt'), b('caf\xe9.txt')));
  assert.ok(globMatch(b('[a-c]x[!0-9]'), b('bxz')));
  assert.ok(!globMatch(b('[a-c]x[!0-9]'), b('bx5')));
  assert.ok(globMatch(b('a\\*b'), b('a*b')));
  assert.ok(!globMatch(b('a\\*b'), b('axb')));
  assert.ok(globMatch(b('ABC*'), b('abcd'), true));
  assert.ok(!globMatch(b('ABC*'), b('abcd')));
  assert.ok(patternMatches({ text: b('sub'), exact: false }, b('/x/sub/y')));
  assert.ok(!patternMatches({ text: b('sub'), exact: true }, b('/x/sub/y')));
  assert.ok(patternMatches({ text: b('x/sub/y'), exact: true }, b('/x/sub/y')), 'leading slash optional');
});

test('index scan choice: one index without time limits, the newest within -N/-O with them', () => {
  const day = 86_400_000;
  const t = 100 * day;
  const files = [1, 2, 3, 4].map((num) => ({ num, path: `/i/b.${num}`, processed: false, mtimeMs: t - (4 - num) * 10 * day }));
  assert.deepEqual(chooseIndexes(files, { current: 4, back: 1, timeLimited: false, now: t }).map((f) => f.num), [3]);
  assert.throws(() => chooseIndexes(files, { current: 4, back: 9, timeLimited: false, now: t }), { code: 'STATE_IO' });
  assert.deepEqual(chooseIndexes(files, { current: 4, back: 0, timeLimited: true, now: t }).map((f) => f.num), [1, 2, 3, 4]);
  assert.deepEqual(chooseIndexes(files, { current: 4, back: 1, timeLimited: true, maxCount: 2, now: t }).map((f) => f.num), [2, 3]);
  assert.deepEqual(chooseIndexes(files, { current: 4, back: 0, timeLimited: true, maxDays: 15, now: t }).map((f) => f.num), [3, 4]);
});

test('runs of an index: sections, headers, entries without server, error lines ignored', () => {
  const idx = parseIndex(
    Buffer.from(
      'h%1!1.2:\n## Full backup at Wed Nov 25 12:11:19 2026, current number: 1, hostname: vm client id: c\n' +
        'h%1!1.2|0~5: /a\n3.1: /b\nsome error text\n\n## Incremental backup at Wed Nov 25 12:11:29 2026, current number: 1, hostname: vm client id: c\n' +
        '1.3~7: /c\n',
      'latin1',
    ),
  );
  const runs = runsOf(idx, 1, { host: 'dflt', port: 2988 });
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[0]!.start, { host: 'h', port: 1, cart: 1, file: 2 });
  assert.deepEqual(runs[0]!.records.map((r) => [r.name.toString(), r.host, r.port, r.cart, r.file, r.uid, r.mtime]), [
    ['/a', 'h', 1, 1, 2, 0, 5],
    ['/b', 'dflt', 2988, 3, 1, undefined, undefined],
  ]);
  assert.equal(runs[0]!.backupTime, utc(2026, 11, 25, 12, 11, 19));
  assert.equal(runs[1]!.kind, 'incremental');
  assert.deepEqual(runs[1]!.start, { host: 'dflt', port: 2988, cart: 1, file: 3 });
  assert.equal(runs[1]!.records[0]!.backupTime, utc(2026, 11, 25, 12, 11, 29));
});

test('-F: unknown values print as -, escapes in the format, names stay escaped', () => {
  const r = { name: Buffer.from('/d/a\nb', 'latin1'), host: 'h', port: 1, cart: 2, file: 3, indexNum: 1, run: 0, line: 1, seq: 0 };
  assert.equal(formatRecord(Buffer.from('%n|%b|%o|%O|%m|%M|%t|%T|%q|%%\\t.\\n'), r).toString('latin1'), '/d/a\\nb|a\\nb|-|-|-|-|-|-|%q|%\t.\n');
});

test('AF_AFCLIENT chooses the afclient command; the default is node <dir>/afclient.js', async () => {
  const { afclientCommand, spawnRunner } = await import('../../src/client/restore/runner.js');
  assert.deepEqual(afclientCommand({}, '/opt/af/dist/cli'), [process.execPath, '/opt/af/dist/cli/afclient.js']);
  assert.deepEqual(afclientCommand({ AF_AFCLIENT: '/x/afclient.js' }, '/d'), [process.execPath, '/x/afclient.js']);
  assert.deepEqual(afclientCommand({ AF_AFCLIENT: '/usr/bin/afclient --some-flag' }, '/d'), ['/usr/bin/afclient', '--some-flag']);
  // The real runner passes argv, stdin and cwd through and returns the status.
  const out: Buffer[] = [];
  const status = await spawnRunner(['sh', '-c', 'cat; pwd; echo "$0 $1"; exit 3']).run({
    argv: ['first', 'second'],
    stdin: Buffer.from('names\n'),
    cwd: '/',
    out: (b) => out.push(b),
    err: () => undefined,
  });
  assert.equal(status, 3);
  assert.equal(Buffer.concat(out).toString(), 'names\n/\nfirst second\n');
});
