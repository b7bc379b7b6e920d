/**
 * Client configuration errors are client-side errors: an unreadable or
 * malformed afclient.conf is CONFIG_SYNTAX (exit status 32) naming the file (and
 * the line and key where there is one) in full_backup, incr_backup, afrestore
 * and afverify alike, never the server's CONFIG_ERROR (76).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { loadClientConfig } from '../../src/config/client-config.js';
import { captureRunner, afrestore, afverify } from './helpers.js';
import { ROOT } from '../server/e2e-helpers.js';

const paths = { bindir: '/b', libdir: '/l', vardir: '/v', confdir: '/c', lockdir: '/k' } as never;

function run(prog: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli', `${prog}.js`), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    c.on('close', (status) => resolve({ status, stderr }));
  });
}

test('loadClientConfig: a missing file, a directory and a bad value are CONFIG_SYNTAX naming the file (and line and key)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afconf-'));
  try {
    const missing = path.join(dir, 'nope.conf');
    await assert.rejects(loadClientConfig(missing, { paths, hostname: 'h' }), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'CONFIG_SYNTAX');
      assert.match(e.message, new RegExp(`^Configuration file has an error: "${missing}" cannot be read: ENOENT`));
      return true;
    });
    await assert.rejects(loadClientConfig(dir, { paths, hostname: 'h' }), { code: 'CONFIG_SYNTAX', message: `Configuration file has an error: "${dir}" cannot be read: it is a directory` });
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, 'BackupHosts: h\n\nBackupPorts: 70000\n');
    await assert.rejects(loadClientConfig(bad, { paths, hostname: 'h' }), {
      code: 'CONFIG_SYNTAX',
      message: `Configuration file has an error: "${bad}" line 3, key "BackupPorts": the port 70000 is out of range (1-65535)`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('afrestore and afverify: an unreadable configuration exits 32 with one message', async () => {
  const { runner, calls } = captureRunner();
  const r = await afrestore(['-c', '/nonexistent/afclient.conf', '-n', 'x'], runner);
  assert.equal(r.status, 32);
  assert.match(r.err.join('\n'), /^Configuration file has an error: "\/nonexistent\/afclient\.conf" cannot be read: ENOENT/);
  const v = await afverify(['-c', '/nonexistent/afclient.conf', '-l'], runner);
  assert.equal(v.status, 32);
  assert.equal(calls.length, 0);
});

test('full_backup, incr_backup, update_indexes and afrestore (built): exit status 32 and one stderr line', async () => {
  for (const prog of ['full_backup', 'incr_backup', 'update_indexes', 'afrestore']) {
    const r = await run(prog, ['-c', '/nonexistent/afclient.conf', ...(prog === 'afrestore' ? ['-n', 'x'] : [])]);
    assert.equal(r.status, 32, `${prog}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^\{/.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^${prog}: Configuration file has an error: "/nonexistent/afclient\\.conf" cannot be read`));
  }
});
