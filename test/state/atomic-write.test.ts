/** writeAtomic(): bytes, modes, symlinked targets; sweepTempFiles(): only old leftovers of known files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isAfError } from '../../src/errors.js';
import { sweepTempFiles, writeAtomic } from '../../src/state/atomic-write.js';
import { removeDir, tempDir } from './helpers.js';

test('strings are written as Latin-1 bytes, Buffers as they are', async () => {
  const dir = await tempDir();
  try {
    const f = path.join(dir, 'precious_tapes');
    await writeAtomic(f, 'caf\xe9 1\n');
    assert.deepEqual(fs.readFileSync(f), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x31, 0x0a]));
    await writeAtomic(f, Buffer.from([0xff, 0x00, 0x0a]));
    assert.deepEqual(fs.readFileSync(f), Buffer.from([0xff, 0x00, 0x0a]));
    await assert.rejects(writeAtomic(f, 'euro \u20ac'), (e: unknown) => isAfError(e, 'INTERNAL'));
    assert.deepEqual(fs.readFileSync(f), Buffer.from([0xff, 0x00, 0x0a]));
    assert.deepEqual(fs.readdirSync(dir), ['precious_tapes']);
  } finally {
    await removeDir(dir);
  }
});

test('a new file gets the requested mode, an existing file keeps its own', async () => {
  const dir = await tempDir();
  try {
    const f = path.join(dir, 'readonly_tapes');
    await writeAtomic(f, '\n', { mode: 0o600 });
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    fs.chmodSync(f, 0o640);
    await writeAtomic(f, '3\n', { mode: 0o600 });
    assert.equal(fs.statSync(f).mode & 0o777, 0o640);
    assert.equal(fs.readFileSync(f, 'latin1'), '3\n');
  } finally {
    await removeDir(dir);
  }
});

test('a symbolic link is written through, not replaced', async () => {
  const dir = await tempDir();
  try {
    const real = path.join(dir, 'real');
    const link = path.join(dir, 'tapepos');
    fs.writeFileSync(real, 'old\n');
    fs.symlinkSync(real, link);
    await writeAtomic(link, 'new\n');
    assert.equal(fs.lstatSync(link).isSymbolicLink(), true);
    assert.equal(fs.readFileSync(real, 'latin1'), 'new\n');
  } finally {
    await removeDir(dir);
  }
});

test('a missing directory is a STATE_IO error', async () => {
  await assert.rejects(writeAtomic('/nonexistent-dir-af/x', 'a'), (e: unknown) => isAfError(e, 'STATE_IO'));
});

test('sweepTempFiles removes only old temporaries of known or existing files', async () => {
  const dir = await tempDir();
  try {
    const put = (name: string, ageMs: number) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, 'x');
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(f, t, t);
    };
    put('tapepos', 0);
    put('tapepos.123456789', 120_000); // old leftover of an existing file: removed
    put('tapepos.42', 1_000); // fresh: a writer may still be busy
    put('backup_log.1', 120_000); // an index file, base "backup_log" does not exist: kept
    put('status.4294967296', 120_000); // not a uint32: kept
    const removed = await sweepTempFiles(dir);
    assert.deepEqual(removed, [path.join(dir, 'tapepos.123456789')]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['backup_log.1', 'status.4294967296', 'tapepos', 'tapepos.42']);
    put('bytes_on_tape.77', 120_000); // target missing, but named explicitly
    assert.deepEqual(await sweepTempFiles(dir, { baseNames: ['bytes_on_tape'] }), [path.join(dir, 'bytes_on_tape.77')]);
    assert.deepEqual(await sweepTempFiles(path.join(dir, 'none')), []);
  } finally {
    await removeDir(dir);
  }
});
