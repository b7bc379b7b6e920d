/**
 * full_backup and incr_backup with a stand-in afclient named by AF_AFCLIENT
 * (test/fixtures/backup/fake-afclient.mjs): the exact argv, what is fed on stdin
 * (the escaped header line, the start-positions copy with its `//./..` prefix, the
 * names C-escaped with Latin-1 bytes raw and a newline as `\n`), the index lines
 * written from afclient's output, and an interruption by SIGTERM that stops
 * afclient and leaves the var files as they were.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { unescapeName } from '../../src/client/escape.js';
import { ROOT, FIXTURES } from './helpers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

function start(prog: string, args: string[], env: NodeJS.ProcessEnv) {
  const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
  c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => c.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child: c, done };
}

test('argv, stdin and index with a stand-in afclient; SIGTERM puts everything back', { timeout: 60_000 }, async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'afbackup-fake-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const fake = path.join(base, 'fake');
  fs.mkdirSync(fake);
  const data = path.join(base, 'data');
  fs.mkdirSync(data);
  fs.writeFileSync(Buffer.concat([B(`${data}/caf`), Buffer.of(0xe9)]), 'x');
  fs.writeFileSync(`${data}/two\nlines`, 'y');
  const conf = path.join(base, 'afclient.conf');
  fs.writeFileSync(
    conf,
    `BackupHosts: srv
BackupPorts: 4000
CartridgeSets: 2
ClientIdentifier: my client
DirsToBackup: ${data} "||| echo hi ||| cat ### greeting"
DoNotProcess: *.gz
ProcessCmd: gzip
UnprocessCmd: gunzip
ProcessLogfiles: no
VarDirectory: ${base}/var
IndexFilePart: %V/backup_log.
LockFile: ${base}/lock
LoggingFile: ${base}/log
ExitProgram: echo "%e" >> ${base}/exit.txt
`,
  );
  const env = { AF_AFCLIENT: path.join(FIXTURES, 'fake-afclient.mjs'), FAKE_DIR: fake };
  const full = start('full_backup', ['-c', conf, '-v'], env);
  const r = await full.done;
  assert.equal(r.status, 0, r.stderr);
  const argv = fs.readFileSync(path.join(fake, 'argv.jsonl'), 'latin1').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  assert.deepEqual(argv[0], ['-wv', '-h', 'srv', '-p', '4000', '-W', 'my client']);
  const report = argv[1]![argv[1]!.indexOf('-V') + 1]!;
  assert.deepEqual(argv[1], ['-QwjcvnlOUE', '-h', 'srv', '-H-', '-p', '4000', '-z', 'gzip', 'gunzip', '-s', '*.gz', '-S', '2', '-W', 'my client', '-V', report]);
  assert.deepEqual(argv[2], ['-h', 'srv', '-p', '4000', '-S', '2', '-W', 'my client', '-M', 'PreciousTapes:"my client" 3']);
  assert.ok(!fs.existsSync(report), 'the report file is removed');

  const stdin = fs.readFileSync(path.join(fake, 'stdin.bin'));
  const lines: Buffer[] = [];
  let s = 0;
  for (let i = 0; i < stdin.length; i++) if (stdin[i] === 0x0a) (lines.push(stdin.subarray(s, i)), (s = i + 1));
  const header = unescapeName(lines[0]!).toString('latin1');
  assert.match(header, /^!#@\$%&\^\*\(_\)\+\[;,\{-<=\]'\.\}>`\/\|:  \d+ \d+ \w{3} .* @@@===--->>> "my client" srv 4000 3 7 \/tmp\/afbsp_\S+ <<<---===@@@\n/);
  assert.match(header, /\n## Full backup at .*, current number: 1, hostname: \S+ client id: "my client"\n$/);
  assert.match(lines[1]!.toString('latin1'), /^\/\/\.\/\.\.\/tmp\/afbsp_\S+$/);
  const names = lines.slice(2).map((l) => l.toString('latin1'));
  assert.deepEqual(names.sort(), [data, `${data}/caf\xe9`, `${data}/two\\nlines`, '||| echo hi ||| cat ### greeting'].sort());
  const index = fs.readFileSync(path.join(base, 'var', 'backup_log.1'), 'latin1');
  assert.match(index, /^srv%4000!3\.7:\n## Full backup at .*client id: "my client"\nsrv%4000!3\.7\|0~1000: \/tmp\/afbsp_/);
  assert.ok(index.includes(`srv%4000!3.7|0~1000: ${data}/caf\xe9\n`));
  assert.equal(fs.readFileSync(path.join(base, 'var', 'start_positions'), 'latin1'), '1.1/1: srv 4000 3 7\n');
  assert.equal(fs.readFileSync(path.join(base, 'var', 'server_ids'), 'latin1'), 'srv 4000 fake:/etc/afserver.conf\n');
  assert.equal(fs.readFileSync(path.join(base, 'var', 'needed_tapes'), 'latin1'), '1: 2147483647>3@fake:/etc/afserver.conf\n');

  // An incremental interrupted while afclient works: nothing changes.
  const vars = (): [string, string][] =>
    fs
      .readdirSync(path.join(base, 'var'))
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(base, 'var', f), 'latin1')]);
  const before = vars();
  const oldmarkTime = fs.statSync(path.join(base, 'var', 'oldmark')).mtimeMs;
  fs.rmSync(path.join(fake, 'started'), { force: true });
  const incr = start('incr_backup', ['-c', conf], { ...env, FAKE_HANG: '1', FAKE_PRECIOUS: '3' });
  for (let i = 0; i < 300 && !fs.existsSync(path.join(fake, 'started')); i++) await sleep(50);
  assert.ok(fs.existsSync(path.join(fake, 'started')), 'afclient got the header');
  incr.child.kill('SIGTERM');
  const ri = await incr.done;
  assert.equal(ri.status, 78);
  assert.match(ri.stderr, /interrupted by SIGTERM/);
  const after = vars();
  const sp = (l: [string, string][]) => l.find(([f]) => f === 'start_positions')![1];
  const rest = (l: [string, string][]) => l.filter(([f]) => f !== 'start_positions');
  assert.deepEqual(rest(after), rest(before), 'var files and index unchanged, newmark gone');
  assert.equal(sp(after), `${sp(before)}1.1/1: srv 4000 3 7\n`, 'as in afbackup, the started run keeps its start position');
  assert.equal(fs.statSync(path.join(base, 'var', 'oldmark')).mtimeMs, oldmarkTime);
  assert.equal(fs.readFileSync(path.join(base, 'exit.txt'), 'latin1'), '0\n78\n');
});
