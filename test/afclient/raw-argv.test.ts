/**
 * Command-line words are bytes: a Latin-1 file name typed as an argument (not valid
 * UTF-8) is saved and selected under its exact bytes, and a directory is packed in
 * readdir order, as afbackup packed it (checked against find(1), which reads the
 * directory the same way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adoptRawArgs, argBytes } from '../../src/client/arg-bytes.js';
import { directoryOrder } from '../../src/client/file-walk.js';
import { ROOT } from '../server/e2e-helpers.js';

const AFCLIENT = path.join(ROOT, 'dist/cli/afclient.js');

test('adoptRawArgs keeps UTF-8 words and remembers the bytes of the others', () => {
  const raw = [Buffer.from('-c'), Buffer.from('caf\xe9.txt', 'latin1'), Buffer.from('naïve', 'utf8')];
  const decoded = raw.map((b) => b.toString('utf8'));
  const words = adoptRawArgs(raw, decoded);
  assert.equal(words[0], '-c');
  assert.equal(words[2], 'naïve');
  assert.ok(argBytes(words[1]!).equals(raw[1]!));
  assert.ok(argBytes(words[2]!).equals(raw[2]!));
  // A list that does not line up is left as Node decoded it.
  assert.deepEqual(adoptRawArgs(raw.slice(1), decoded), decoded);
});

test('afclient -c and -x take a Latin-1 name from the command line byte for byte', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-rawargv-'));
  try {
    const name = Buffer.from('caf\xe9.txt', 'latin1');
    fs.writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), 'latin-1 file name\n');
    // Only a shell can put a byte that is not UTF-8 into argv.
    const sh = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd: dir });
    const c = sh(`"${process.execPath}" "${AFCLIENT}" -c -f a.af $'caf\\xe9.txt'`);
    assert.equal(c.status, 0, c.stderr.toString());
    const t = sh(`"${process.execPath}" "${AFCLIENT}" -t -f a.af`);
    assert.equal(t.status, 0, t.stderr.toString());
    assert.ok(t.stdout.includes(name) || t.stdout.includes(Buffer.from('caf\\351.txt')), t.stdout.toString('latin1'));
    fs.mkdirSync(path.join(dir, 'out'));
    const x = sh(`cd out && "${process.execPath}" "${AFCLIENT}" -x -f ../a.af $'caf\\xe9.txt'`);
    assert.equal(x.status, 0, x.stderr.toString());
    assert.equal(fs.readFileSync(Buffer.concat([Buffer.from(dir + '/out/'), name]), 'utf8'), 'latin-1 file name\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('directories are walked in readdir order, not sorted', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-order-'));
  try {
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, `f${(i * 7919) % 97}`), '');
    const found = spawnSync('find', [dir, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\n'], { encoding: 'latin1' });
    assert.equal(found.status, 0);
    const expected = found.stdout.trim().split('\n');
    assert.deepEqual(
      directoryOrder(Buffer.from(dir)).map((b) => b.toString('latin1')),
      expected,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
