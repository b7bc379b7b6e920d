/**
 * One idea: the director configuration reader on good input — the sample
 * etc/afdirector.conf gives the expected model, and the syntax corners (separators,
 * blanks in keys, quoting, comments, nesting, includes, durations) read as documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfText, type ConfBlock, type ConfDirective } from '../../src/director/conf/parser.js';
import { loadDirectorConfig, validateConfig } from '../../src/director/conf/validate.js';
import { readDuration } from '../../src/director/conf/values.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLE = path.join(ROOT, 'etc/afdirector.conf');
const FIX = path.join(ROOT, 'test/fixtures/director');

/** Strips source positions so resources compare by content. */
function noAt<T extends object>(r: T): Omit<T, 'at'> {
  const { at: _at, ...rest } = r as T & { at: unknown };
  return rest;
}

test('the sample configuration gives the expected model', async () => {
  const c = await loadDirectorConfig(SAMPLE);
  assert.deepEqual(noAt(c.director), {
    name: 'backup-dir', varDirectory: '/var/lib/afbackup/director', maxConcurrentJobs: 2,
    messages: 'Standard', timeZone: 'Europe/Berlin', maxJobLogSize: 10 * 1024 * 1024,
  });
  assert.equal(c.director.at.line, 16);

  assert.deepEqual([...c.tapeServers.values()].map(noAt), [
    { name: 'tapehost', address: 'tape.example.org', port: 2988, maxConcurrentJobs: 1, keyFile: '/etc/afbackup/cryptkey' },
  ]);
  assert.deepEqual([...c.clients.values()].map(noAt), [
    { name: 'fileserver', address: 'files.example.org', port: 2988, keyFile: '/etc/afbackup/cryptkey',
      fullBackupCommand: 'full_backup', incrementalBackupCommand: 'incr_backup', enabled: true },
    { name: 'laptop', address: 'laptop.example.org', port: 2988, keyFile: '/etc/afbackup/cryptkey',
      fullBackupCommand: 'full_backup', incrementalBackupCommand: 'incr_backup', enabled: true },
  ]);

  const weekly = c.schedules.get('WeeklyCycle')!;
  assert.deepEqual(weekly.runs.map((r) => r.spec.source), ['Full 1st sun at 23:05', 'Incremental mon-sat at 23:05']);
  assert.equal(weekly.runs[0]!.spec.overrides.level, 'Full');
  assert.deepEqual([...weekly.runs[1]!.spec.weekDays!].sort(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(weekly.runs.map((r) => r.at.line), [58, 59]);
  const monthly = c.schedules.get('MonthlyCycle')!;
  assert.equal(monthly.runs[0]!.spec.overrides.cartridgeSet, 2);
  assert.equal(monthly.runs[1]!.spec.overrides.level, 'Differential');

  assert.deepEqual(noAt(c.jobs.get('fileserver-backup')!), {
    name: 'fileserver-backup', client: 'fileserver', schedule: 'WeeklyCycle', level: 'Incremental',
    fullCartridgeSet: 2, incrementalCartridgeSet: 1,
    commands: [
      { command: '/usr/local/sbin/announce-backup fileserver', when: 'before', onClient: false, onSuccess: true, onFailure: false, failJobOnError: true },
      { command: '/usr/local/sbin/backup-done fileserver', when: 'after', onClient: false, onSuccess: true, onFailure: false, failJobOnError: true },
      { command: '/usr/local/sbin/db-dump', when: 'before', onClient: true, onSuccess: true, onFailure: false, failJobOnError: true },
      { command: '/usr/local/sbin/db-cleanup', when: 'after', onClient: true, onSuccess: true, onFailure: false, failJobOnError: true },
    ],
    maxStartDelaySec: 4 * 3600, rescheduleOnError: true, rescheduleIntervalSec: 1800, rescheduleTimes: 3,
    allowDuplicateJobs: false, priority: 10, maxFullIntervalSec: 35 * 86400, tapeServer: 'tapehost',
    messages: 'Standard', enabled: true,
  });
  assert.deepEqual(noAt(c.jobs.get('laptop-backup')!), {
    name: 'laptop-backup', client: 'laptop', level: 'Incremental', cartridgeSet: 3,
    commands: [
      { command: "/usr/local/bin/notify-user 'backup finished'", when: 'after', onClient: true, onSuccess: true, onFailure: true, failJobOnError: true },
    ],
    rescheduleOnError: true, rescheduleIntervalSec: 5400, rescheduleTimes: 5, allowDuplicateJobs: false,
    priority: 20, dueAfterSec: 86400, notMoreOftenThanSec: 6 * 3600, maxFullIntervalSec: 30 * 86400,
    tapeServer: 'tapehost', enabled: true,
  });

  assert.deepEqual(noAt(c.messages.get('Standard')!), {
    name: 'Standard', mailCommand: '/usr/sbin/sendmail -t',
    mail: [
      { address: 'root@localhost', onErrorOnly: false, include: ['all'], exclude: ['skipped'] },
      { address: 'operator@example.org', onErrorOnly: true, include: ['error', 'fatal'], exclude: [] },
    ],
    jobLog: { include: ['all'], exclude: ['skipped'] },
  });
  assert.deepEqual(noAt(c.consoles.get('laptop-owner')!), {
    name: 'laptop-owner', password: 'change me', clientAcl: ['laptop'], jobAcl: ['laptop-backup'],
    commandAcl: ['status', 'list', 'run', 'restore', 'messages'], scheduleAcl: ['*all*'],
  });
});

test('the issue\'s one-line Schedule: semicolons separate, Run repeats', () => {
  const text = 'Director { Name = d; VarDirectory = /v }\nSchedule { Name = "WeeklyCycle"; Run = Full 1st sun at 23:05; Run = Incremental mon-sat at 23:05 }\n';
  const c = validateConfig(parseConfText(text, 'one.conf'), 'one.conf');
  const s = c.schedules.get('WeeklyCycle')!;
  assert.equal(s.runs.length, 2);
  assert.equal(s.runs[1]!.spec.source, 'Incremental mon-sat at 23:05');
  assert.equal(s.runs[1]!.at.line, 2);
});

test('keys and types ignore case and blanks; defaults apply', () => {
  const text = [
    'DIRECTOR {', ' name = d', ' var directory = /v', '}',
    'client { NAME = c; ADDRESS = h }',
    'job { Name = j; client = c; Max  start\tDELAY = 10 min }',
  ].join('\n');
  const c = validateConfig(parseConfText(text, 'k.conf'), 'k.conf');
  const j = c.jobs.get('j')!;
  assert.equal(j.maxStartDelaySec, 600);
  assert.equal(j.level, 'Incremental');
  assert.equal(j.priority, 10);
  assert.equal(j.allowDuplicateJobs, false);
  assert.equal(j.rescheduleOnError, false);
  assert.equal(j.tapeServer, undefined);
  assert.equal(c.clients.get('c')!.port, 2988);
  assert.equal(c.director.maxConcurrentJobs, 1);
});

test('quoted strings keep ; } # and resolve escapes; comments end values', () => {
  const items = parseConfText('X {\n a = "semi;colon } # not a comment"  # a comment\n b = "q\\"uote\\\\ \\ttab"\n c = plain words here ; d = "" }\n', 'q.conf');
  const x = items[0] as ConfBlock;
  const vals = x.items.map((i) => [(i as ConfDirective).key, (i as ConfDirective).value.text, (i as ConfDirective).value.quoted]);
  assert.deepEqual(vals, [
    ['a', 'semi;colon } # not a comment', true],
    ['b', 'q"uote\\ \ttab', true],
    ['c', 'plain words here', false],
    ['d', '', true],
  ]);
});

test('nested blocks parse generically', () => {
  const items = parseConfText('FileSet {\n Name = fs\n Include {\n  File = /etc\n  Options { Signature = MD5 }\n }\n}\n', 'n.conf');
  const fs = items[0] as ConfBlock;
  assert.equal(fs.key, 'fileset');
  const inc = fs.items[1] as ConfBlock;
  assert.equal(inc.kind, 'block');
  assert.equal(inc.pos.line, 3);
  assert.equal((inc.items[0] as ConfDirective).value.text, '/etc');
  assert.equal(((inc.items[1] as ConfBlock).items[0] as ConfDirective).value.text, 'MD5');
});

test('a block\'s "{" may stand on the next line', () => {
  const c = validateConfig(parseConfText('Director\n{\n Name = d\n Var Directory = /v\n}\nClient\n\n  # comment\n{ Name = c; Address = h }\n', 'b.conf'), 'b.conf');
  assert.equal(c.director.name, 'd');
  assert.equal(c.clients.get('c')!.at.line, 6);
});

test('@include splices files at top level and inside a resource', async () => {
  const c = await loadDirectorConfig(path.join(FIX, 'include/main.conf'));
  assert.equal(c.clients.get('c1')!.address, 'c1.example.org');
  assert.equal(c.clients.get('c1')!.at.file, path.join(FIX, 'include/clients.conf'));
  const j = c.jobs.get('j1')!;
  assert.equal(j.priority, 5);
  assert.equal(j.level, 'Full');
});

test('durations', () => {
  const cases: [string, number][] = [
    ['90', 90], ['1 hour', 3600], ['30 min', 1800], ['2 days', 172800], ['1h30m', 5400],
    ['1 day 12 hours', 129600], ['1 week', 604800], ['1 month', 2592000], ['45s', 45], ['1.5h', 5400],
  ];
  for (const [text, secs] of cases) assert.deepEqual(readDuration(text), { ok: true, value: secs }, text);
  for (const bad of ['', 'soon', '5 fortnights', '1h30', 'h']) assert.equal(readDuration(bad).ok, false, bad);
});
