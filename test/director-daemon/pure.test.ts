/**
 * The director's pure pieces as tables: level choice, the retention decision, the
 * backup summary line, the scheduler state file, mail command patterns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLevel, type LevelFacts } from '../../src/director/runner/level-choice.js';
import { decideRetention, type ServerRetention } from '../../src/director/runner/retention.js';
import { parseSummaryLine, findSummary } from '../../src/director/runner/backup-summary.js';
import { emptyState, formatState, parseState } from '../../src/director/daemon/schedule-state.js';
import { expandMailCommand, recipientsFor } from '../../src/director/runner/mail.js';
import { splitWords } from '../../src/director/runner/child.js';
import { selectionHash } from '../../src/director/runner/selection-hash.js';
import type { JobRecord } from '../../src/director/history/job-record.js';
import { clockFromEnv, scaledClock } from '../../src/director/daemon/clock.js';
import { config } from './helpers.js';

const NOW = new Date('2026-03-20T00:00:00Z');
const D = (iso: string) => new Date(iso);

test('chooseLevel table', () => {
  const rows: [Partial<LevelFacts>, string, RegExp | undefined][] = [
    [{ requested: 'Full' }, 'Full', undefined],
    [{ requested: 'Incremental' }, 'Full', /no earlier successful Full/],
    [{ requested: 'Incremental', lastGoodFull: D('2026-03-19T00:00:00Z') }, 'Incremental', undefined],
    [{ requested: 'Differential', lastGoodFull: D('2026-03-19T00:00:00Z') }, 'Differential', undefined],
    [{ requested: 'Incremental', lastGoodFull: D('2026-03-19T00:00:00Z'), selectionAtLastFull: 'aaa' }, 'Full', /file selection changed/],
    [{ requested: 'Incremental', lastGoodFull: D('2026-03-19T00:00:00Z'), selectionAtLastFull: 'sel' }, 'Incremental', undefined],
    [{ requested: 'Incremental', lastGoodFull: D('2026-03-12T23:59:59Z'), maxFullIntervalSec: 7 * 86400 }, 'Full', /Max Full Interval/],
    [{ requested: 'Incremental', lastGoodFull: D('2026-03-13T00:00:00Z'), maxFullIntervalSec: 7 * 86400 }, 'Incremental', undefined],
  ];
  for (const [facts, level, reason] of rows) {
    const c = chooseLevel({ selectionNow: 'sel', now: NOW, requested: 'Incremental', ...facts });
    assert.equal(c.level, level, JSON.stringify(facts));
    if (reason) assert.match(c.reason!, reason);
    else assert.equal(c.reason, undefined);
  }
});

test('selectionHash changes with the selection and the backup options only', () => {
  const a = selectionHash({ fileSelection: ['/home', '/etc'] });
  assert.equal(a, selectionHash({ fileSelection: [' /home ', '/etc'] }));
  assert.notEqual(a, selectionHash({ fileSelection: ['/home'] }));
  assert.notEqual(a, selectionHash({ fileSelection: ['/home', '/etc'], backupOptions: '-c /x' }));
});

let nextId = 1;
function rec(job: string, client: string, level: JobRecord['level'], status: JobRecord['status'], end: string, cartridges: number[]): JobRecord {
  return { id: nextId++, job, client, level, status, end, files: 1, bytes: 1, cartridges, tapeFiles: [], reschedules: 0 };
}

test('retention decision table: retention period, last good Full chain, foreign tapes, read-only', () => {
  const jobs = new Map([
    ['a', { name: 'a', tapeServer: 't', retentionSec: 7 * 86400 }],
    ['b', { name: 'b', tapeServer: 't', retentionSec: 7 * 86400 }],
    ['x', { name: 'x', tapeServer: 't' }],
  ]);
  const records = [
    rec('a', 'ca', 'Full', 'ok', '2026-03-01T00:00:00Z', [1]), // old Full, superseded
    rec('a', 'ca', 'Incremental', 'ok', '2026-03-02T00:00:00Z', [2]), // old, before the last Full: released
    rec('a', 'ca', 'Full', 'ok', '2026-03-03T00:00:00Z', [3]), // last good Full: kept though old
    rec('a', 'ca', 'Incremental', 'ok', '2026-03-04T00:00:00Z', [4]), // after the last Full: kept
    rec('a', 'ca', 'Full', 'error', '2026-03-19T00:00:00Z', [5]), // failed: not a last good Full; managed, not kept
    rec('b', 'cb', 'Full', 'ok', '2026-01-01T00:00:00Z', [6]), // b's only Full: kept forever
    rec('b', 'cb', 'Incremental', 'ok', '2026-03-18T00:00:00Z', [7]), // within retention
    rec('x', 'cx', 'Full', 'ok', '2026-01-01T00:00:00Z', [8]), // no Retention: its last Full is still protected
    rec('x', 'cx', 'Full', 'ok', '2026-01-02T00:00:00Z', [2]), // tape 2 also holds a run of a job without Retention
  ];
  const previous = new Map<string, ServerRetention>([['t', { precious: [1, 2, 3, 9], readOnly: [1] }]]);
  const d = decideRetention({ records, jobs, now: NOW, lastFullReadOnly: true, preciousId: 'afdirector d', previous }).get('t')!;
  assert.deepEqual(d.precious, [2, 3, 4, 6, 7]);
  assert.deepEqual(d.readOnly, [2, 3, 6]);
  assert.deepEqual(d.released, [1, 9]);
  assert.deepEqual(d.messages, ['PreciousTapes: "afdirector d" 2-4,6-7', 'TapesReadOnly: 2-3,6', 'TapesReadWrite: 1']);
  // the same state again: nothing to send
  const again = decideRetention({ records, jobs, now: NOW, lastFullReadOnly: true, preciousId: 'afdirector d', previous: new Map([['t', d]]) }).get('t')!;
  assert.deepEqual(again.messages, []);
  // everything expired and no good Full anywhere: the line is removed
  const none = decideRetention({ records: [rec('a', 'ca', 'Incremental', 'error', '2026-01-01T00:00:00Z', [1])], jobs, now: NOW, lastFullReadOnly: false, preciousId: 'p', previous: new Map([['t', { precious: [1], readOnly: [] }]]) }).get('t')!;
  assert.deepEqual(none.messages, ['PreciousTapes: "p"']);
  assert.deepEqual(none.released, [1]);
});

test('the backup summary line', () => {
  assert.deepEqual(parseSummaryLine('{"files":3,"bytes":1200,"cartridges":[2],"tapeFiles":[{"cartridge":2,"file":5},{"cartridge":3,"file":1}],"index":"/v/idx.1"}'),
    { files: 3, bytes: 1200, cartridges: [2, 3], tapeFiles: [{ cartridge: 2, file: 5 }, { cartridge: 3, file: 1 }], index: '/v/idx.1' });
  for (const bad of ['', 'files: 3', '{"files":-1,"bytes":0}', '{"files":1}', '{"files":1,"bytes":2,"tapeFiles":[{"cartridge":0,"file":1}]}', '{not json}']) {
    assert.equal(parseSummaryLine(bad), null, bad);
  }
  // full_backup's own spelling: a range list, "cart.file" strings, indexFile, status
  assert.deepEqual(parseSummaryLine('{"program":"full_backup","files":11,"bytes":300,"cartridges":"1-2","tapeFiles":["1.2","2.1"],"indexFile":"/v/backup_log.1.z","status":0}'),
    { files: 11, bytes: 300, cartridges: [1, 2], tapeFiles: [{ cartridge: 1, file: 2 }, { cartridge: 2, file: 1 }], index: '/v/backup_log.1.z', status: 0 });
  assert.deepEqual(parseSummaryLine('{"files":0,"bytes":0,"cartridges":null,"tapeFiles":[]}')!.cartridges, []);
  assert.equal(parseSummaryLine('{"files":1,"bytes":1,"tapeFiles":["1-2"]}'), null);
  assert.equal(findSummary(['{"files":1,"bytes":1}', 'noise', '{"files":2,"bytes":2}', 'done'])!.files, 2);
});

test('scheduler state: format and parse give back the same; errors name the line', () => {
  const s = emptyState();
  s.considered.set('job one', D('2026-03-01T00:00:00Z'));
  s.lastStart.set('job one', D('2026-03-01T01:00:00Z'));
  s.fullSelection.set('job one', 'abc123');
  s.queue.push({ job: 'job one', level: 'Full', scheduled: D('2026-03-01T02:00:00Z'), notBefore: D('2026-03-01T02:30:00Z'), attempt: 2, source: 'retry', cartridgeSet: 3 });
  s.queue.push({ job: 'j2', level: 'Incremental', scheduled: D('2026-03-01T02:00:00Z'), notBefore: D('2026-03-01T02:00:00Z'), attempt: 0, source: 'console' });
  const text = formatState(s);
  assert.equal(formatState(parseState(text, 'f')), text);
  assert.throws(() => parseState('considered\tj\tyesterday\n', '/v/schedule-state'), /"\/v\/schedule-state" line 1|schedule-state.*1/);
  assert.throws(() => parseState('# c\nqueued\tj\tHuge\t2026-03-01T00:00:00Z\t2026-03-01T00:00:00Z\t0\tretry\t-\n', 'f'), /line 2|:2/);
});

test('mail: patterns are replaced and quoted; destinations by status', () => {
  const e = { id: 7, job: "it's", client: 'c1', level: 'Full', status: 'error' as const, body: 'b' };
  assert.equal(expandMailCommand('mail -s %s %r # %j %i %l %e %c 100%% %x', e, 'op@x'),
    "mail -s 'afdirector: job it'\\''s (7) error' 'op@x' # 'it'\\''s' '7' 'Full' 'error' 'c1' 100% %x");
  const cfg = config('Messages { Name = M; Mail Command = "cat"; Mail = all@x = all, !terminate; Mail On Error = err@x = error; Mail = ok@x = terminate }');
  const m = cfg.messages.get('M')!;
  assert.deepEqual(recipientsFor(m, 'ok'), ['ok@x']);
  assert.deepEqual(recipientsFor(m, 'error'), ['all@x', 'err@x']);
  assert.deepEqual(recipientsFor(m, 'canceled'), ['all@x']);
});

test('splitWords keeps quoted words together, no shell', () => {
  assert.deepEqual(splitWords(`full_backup -c "/etc/a b.conf" --x='y z' a\\ b`), ['full_backup', '-c', '/etc/a b.conf', '--x=y z', 'a b']);
});

test('the compressed clock: AF_DIRECTOR_CLOCK=<start>,<speed>', () => {
  let real = 1_000_000;
  const c = scaledClock(D('2026-03-01T00:00:00Z'), 600, () => real);
  assert.equal(c.now().toISOString(), '2026-03-01T00:00:00.000Z');
  real += 1000;
  assert.equal(c.now().toISOString(), '2026-03-01T00:10:00.000Z', 'one real second = ten minutes');
  assert.equal(clockFromEnv(undefined), undefined);
  assert.ok(clockFromEnv('2026-03-01T00:00:00Z,60'));
  for (const bad of ['yesterday,2', '2026-03-01T00:00:00Z,0', '2026-03-01T00:00:00Z,x', '2026-03-01T00:00:00Z,1,2']) {
    assert.throws(() => clockFromEnv(bad), /AF_DIRECTOR_CLOCK/, bad);
  }
});
