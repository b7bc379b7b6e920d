/**
 * afserver's command line: --help and --version print and exit 0, a bad option is
 * a usage error (exit 2), and a connection process whose fd 0 is no socket says so
 * in its log and exits 2 without writing to stdout or stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { AFSERVER } from './e2e-helpers.js';

const run = (args: string[], input?: string | number) =>
  spawnSync(process.execPath, [AFSERVER, ...args], { encoding: 'utf8', stdio: [typeof input === 'number' ? input : 'pipe', 'pipe', 'pipe'], input: typeof input === 'string' ? input : undefined });

test('--help and --version', () => {
  const h = run(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /^Usage: afserver \[options\] \[config-file\]/);
  assert.match(h.stdout, /--listen HOST:PORT/);
  const v = run(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^afserver \(afbackup-ng\) \d+\.\d+\.\d+, speaks afbackup 3\.5\.8\n$/);
});

test('a bad option is a usage error', () => {
  const r = run(['--no-such-option']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^afserver: /);
  assert.equal(run(['--pool', 'lots', '--listen', '127.0.0.1:1']).status, 2);
});

test('fd 0 that is no connection: a log line and exit 2, nothing on stdout or stderr', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afcli-'));
  try {
    const file = path.join(dir, 'not-a-socket');
    fs.writeFileSync(file, 'x');
    const fd = fs.openSync(file, 'r');
    const log = path.join(dir, 'log');
    const r = run(['-l', log, '/nonexistent.conf'], fd);
    fs.closeSync(fd);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.match(fs.readFileSync(log, 'utf8'), /fd 0 is not a connection/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
