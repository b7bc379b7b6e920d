/**
 * `estimate job=... listing` for a remote client over loopback: a real client
 * afserver (virtual tape library, Program-Directory with a full_backup wrapper that
 * passes `-c <client conf>`), the real afclient doing the remote start, and the
 * real full_backup --estimate walking a tree with a Latin-1 name. Both in-process
 * (the console's command with the real programs) and through the afconsole
 * program with --json.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeServerDir, inetdLauncher } from '../server/e2e-helpers.js';
import { programCommand } from '../../src/director/runner/afclient-command.js';
import { runCaptured } from '../../src/director/console/programs.js';
import { afconsole, fakeWorld, makeCtx, makeDirectorDir, run, ROOT } from './helpers.js';

const FULL = path.join(ROOT, 'dist/cli/full_backup.js');

test('remote client over loopback: the client walks its tree, afconsole shows names and counts', { timeout: 120_000, skip: !fs.existsSync(FULL) && 'dist/cli/full_backup.js is not built' }, async (t) => {
  const sd = makeServerDir();
  const launcher = await inetdLauncher(sd.conf);
  const d = await makeDirectorDir({ port: launcher.port, key: path.join(sd.dir, 'cryptkey') });
  t.after(async () => {
    await launcher.close();
    sd.cleanup();
    d.cleanup();
  });
  const data = path.join(sd.dir, 'data');
  fs.mkdirSync(path.join(data, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(data, 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(data, 'skip.o'), 'object');
  fs.writeFileSync(path.join(data, 'sub', 'b.txt'), 'beta '.repeat(100));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${data}/caf`), Buffer.of(0xe9)]), 'cafe');
  const cvar = path.join(sd.dir, 'client-var');
  const cconf = path.join(sd.dir, 'client.conf');
  fs.writeFileSync(cconf, `BackupHosts: 127.0.0.1\nBackupPorts: 1\nDirsToBackup: ${data}\nFilesToSkip: *.o\nVarDirectory: ${cvar}\nLockFile: ${sd.dir}/client.lock\n`);
  fs.writeFileSync(path.join(sd.dir, 'rexec', 'full_backup'), `#!/bin/sh\nexec "${process.execPath}" "${FULL}" -c "${cconf}" "$@"\n`, { mode: 0o755 });

  const expected = [`${data}/a.txt`, `${data}/sub/b.txt`, `${data}/sub`, `${data}/caf\\xe9`, data].sort();

  // in process: the command with the real afclient
  const afclient = programCommand('afclient', process.env, path.join(ROOT, 'dist/cli'));
  const world = fakeWorld('2026-03-26T12:00:00Z', { afclient: (args) => runCaptured([...afclient, ...args]) });
  const o = await run(makeCtx(d, { json: true, world }), 'estimate job=fileserver-backup listing');
  const doc = o.document as any;
  assert.equal(o.status, 0, JSON.stringify(doc));
  assert.equal(doc.supported, true);
  assert.equal(doc.source, 'remote');
  assert.equal(doc.files, 5);
  assert.equal(doc.bytes, 6 + 500 + 4);
  assert.deepEqual([...doc.names].sort(), expected);
  assert.equal(fs.existsSync(cvar), false, 'the client wrote no var file');
  const text = await run(makeCtx(d, { world }), 'estimate job=fileserver-backup listing');
  assert.match(text.text, /a Full backup would save 5 entries, 510 bytes/);
  assert.match(text.text, /caf\\xe9\n/);

  // the afconsole program, as an administrator runs it
  const r = await afconsole(['-c', d.conf, '--json', 'estimate', 'job=fileserver-backup', 'listing'], { env: { AF_AFCLIENT: afclient.join(' ') } });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(j.schema, 'afconsole/1');
  assert.equal(j.command, 'estimate');
  assert.equal(j.ok, true);
  assert.equal(j.files, 5);
  assert.deepEqual([...j.names].sort(), expected);
});
