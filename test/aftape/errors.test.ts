/**
 * aftape's failures, the way mt-st's own tests probe mt: a character device that is no
 * tape (/dev/null), a regular file, a path that does not exist, a directory device
 * (no loader, no changer, no TapeAlert), and command lines that are wrong.
 * Each one is a single stderr line "aftape: <message>" and the documented exit status.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../src/version.js';
import { aftape, makeLibrary, scratch } from './helpers.js';

/** Exactly one stderr line, starting with the program name, and nothing on stdout. */
function oneLine(r: { stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^aftape: [^\n]*\n$/);
  assert.match(r.stderr, pattern);
}

describe('aftape error paths', { concurrency: 4 }, () => {
  test('/dev/null: a character device that is no tape drive (82) for every tape command', async () => {
    for (const args of [['status'], ['status', '--json'], ['rewind'], ['fsf', '1'], ['weof'], ['tapealert'], ['label']]) {
      const r = await aftape(['-f', '/dev/null', ...args]);
      assert.equal(r.status, 82, `${args.join(' ')}: ${r.stderr}`);
      oneLine(r, /^aftape: Device input\/output error: "\/dev\/null" is a character device but not a tape drive \(MTIOCGET: ENOTTY\)\n$/);
    }
  });

  test('a regular file is not a tape drive (82); a missing path does not exist (83)', async () => {
    const dir = scratch('err');
    try {
      const file = path.join(dir, 'tape.img');
      fs.writeFileSync(file, 'not a tape');
      let r = await aftape(['-f', file, 'status']);
      assert.equal(r.status, 82, r.stderr);
      oneLine(r, /is a regular file.*not a tape drive/);
      r = await aftape(['-f', file, 'rewind']);
      assert.equal(r.status, 82, r.stderr);
      assert.equal(fs.readFileSync(file, 'utf8'), 'not a tape', 'the file is left alone');

      r = await aftape(['-f', '/nonexistent/nst0', 'status']);
      assert.equal(r.status, 83, r.stderr);
      oneLine(r, /^aftape: Device does not exist: "\/nonexistent\/nst0" does not exist\n$/);
      r = await aftape(['-f', path.join(dir, 'gone', 'nst0'), 'eod']);
      assert.equal(r.status, 83, r.stderr);
      r = await aftape(['-f', `vtl:${dir}/nolib`, 'status']);
      assert.equal(r.status, 83, r.stderr);
      oneLine(r, /holds no virtual tape library/);
      // No -f, no $TAPE, a configuration that does not exist.
      r = await aftape(['-c', path.join(dir, 'none.conf'), 'status']);
      assert.equal(r.status, 32, r.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a directory device: status and positions work; load, changer and tapealert are not available (1)', async () => {
    const dir = scratch('dirdev');
    try {
      const vol = path.join(dir, 'vol');
      fs.mkdirSync(vol);
      let r = await aftape(['-f', vol, 'weof', '2']);
      assert.equal(r.status, 0, r.stderr);
      r = await aftape(['-f', vol, 'status', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout) as { kind: string; file: number; eod: boolean };
      assert.deepEqual([s.kind, s.file, s.eod], ['directory', 2, true]);
      r = await aftape(['-f', vol, 'bsf', '1']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse((await aftape(['-f', vol, 'status', '--json'])).stdout) as { file: number }).file, 1);
      for (const [args, what] of [
        [['load'], /^aftape: load: not available for this device \(a directory device has no loader\)\n$/],
        [['changer', 'status'], /^aftape: changer: not available for this device \(.*has no changer; name one with --changer\)\n$/],
        [['tapealert'], /^aftape: tapealert: not available for this device/],
      ] as const) {
        r = await aftape(['-f', vol, ...args]);
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
        oneLine(r, what);
      }
      r = await aftape(['--changer', '/dev/sg9', 'changer', 'status']);
      assert.equal(r.status, 1, r.stderr);
      oneLine(r, /is neither a vtl: library nor a SCSI changer device/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('wrong command lines are usage errors (2); --help and --version', async () => {
    const dir = scratch('usage');
    try {
      const dev = makeLibrary(dir);
      for (const args of [
        [],
        ['frobnicate'],
        ['-f', dev, 'fsf', 'x'],
        ['-f', dev, 'fsf', '-1'],
        ['-f', dev, 'rewind', '2'],
        ['-f', dev, '--json', 'rewind'],
        ['-f', dev, '--yes', 'status'],
        ['-f', dev, 'setblk'],
        ['-f', dev, 'changer'],
        ['-f', dev, 'changer', 'load'],
        ['--bogus', 'status'],
        ['-f'],
        ['-f', '', 'status'],
      ]) {
        const r = await aftape(args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        oneLine(r, /^aftape: Invalid command line: .*\(see --help\)\n$/);
      }
      const h = await aftape(['--help']);
      assert.equal(h.status, 0);
      assert.match(h.stdout, /^Usage: aftape /);
      assert.match(h.stdout, /selftest --yes/);
      const v = await aftape(['--version']);
      assert.equal(v.status, 0);
      assert.equal(v.stdout, `aftape (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
