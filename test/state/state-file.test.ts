/** StateFile: read/update under locks, syntax errors leave the file alone, concurrent processes lose nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isAfError } from '../../src/errors.js';
import * as bytesOnTape from '../../src/state/bytes-on-tape.js';
import { StateFile } from '../../src/state/state-file.js';
import * as tapeUses from '../../src/state/tape-uses.js';
import * as tapepos from '../../src/state/tapepos.js';
import { VarDir } from '../../src/state/var-dir.js';
import { killHard, removeDir, runChild, startChild, tempDir, waitForLine } from './helpers.js';

test('a missing file reads as empty; update creates it with the default mode 0644', async () => {
  const dir = await tempDir();
  try {
    const sf = new StateFile(path.join(dir, 'tape_uses'), tapeUses.codec);
    assert.deepEqual((await sf.read()).entries, []);
    await sf.update((m) => m);
    assert.equal(fs.existsSync(sf.path), false, 'an unchanged missing file is not created');
    const m = await sf.update((v) => tapeUses.increment(v, 2));
    assert.equal(tapeUses.get(m, 2), 1);
    assert.equal(fs.readFileSync(sf.path, 'latin1'), '2: 1\n');
    assert.equal(fs.statSync(sf.path).mode & 0o777, 0o644);
    assert.equal(fs.existsSync(sf.lockPath), true);
    assert.equal(tapeUses.get(await sf.read(), 2), 1);
  } finally {
    await removeDir(dir);
  }
});

test('an unchanged value is not rewritten (the file keeps its inode)', async () => {
  const dir = await tempDir();
  try {
    const f = path.join(dir, 'tapepos');
    fs.writeFileSync(f, '/dev/nst0 1 1\n1: 1 6\n');
    const before = fs.statSync(f).ino;
    const sf = new StateFile(f, tapepos.codec);
    await sf.update(() => undefined);
    await sf.update((m) => tapepos.setInsertPos(m, 1, 1, 6));
    assert.equal(fs.statSync(f).ino, before);
    await sf.update((m) => tapepos.setInsertPos(m, 1, 1, 7));
    assert.notEqual(fs.statSync(f).ino, before);
    assert.equal(fs.readFileSync(f, 'latin1'), '/dev/nst0 1 1\n1: 1 7\n');
  } finally {
    await removeDir(dir);
  }
});

for (const [what, text, line] of [
  ['a letter in a number', '1: 478208 6 1 1795608857\n2: 9932x 1 1 1795608857\n', 2],
  ['a missing field', '1: 478208 6 1\n', 1],
  ['a TAB instead of a space', '1: 478208 6 1 1795608857\n2:\t99328 1 1 1795608857\n', 2],
] as const) {
  test(`hand-edited typo (${what}): STATE_SYNTAX names file and line, update writes nothing`, async () => {
    const dir = await tempDir();
    try {
      const f = path.join(dir, 'bytes_on_tape');
      fs.writeFileSync(f, text, 'latin1');
      const st = fs.statSync(f);
      const sf = new StateFile(f, bytesOnTape.codec);
      let called = false;
      const check = (e: unknown) => {
        assert.ok(isAfError(e, 'STATE_SYNTAX'));
        assert.ok(e.detail!.startsWith(`"${f}" line ${line}: `), e.detail);
        return true;
      };
      await assert.rejects(sf.read(), check);
      await assert.rejects(
        sf.update((m) => {
          called = true;
          return bytesOnTape.markFull(m, 1, 1);
        }),
        check,
      );
      assert.equal(called, false);
      assert.equal(fs.readFileSync(f, 'latin1'), text);
      assert.equal(fs.statSync(f).ino, st.ino);
      assert.equal(fs.statSync(f).mtimeMs, st.mtimeMs);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['bytes_on_tape', 'bytes_on_tape.lck']);
    } finally {
      await removeDir(dir);
    }
  });
}

test('a mutate that throws writes nothing', async () => {
  const dir = await tempDir();
  try {
    const f = path.join(dir, 'tape_uses');
    fs.writeFileSync(f, '1: 1\n');
    const sf = new StateFile(f, tapeUses.codec);
    await assert.rejects(sf.update(() => Promise.reject(new Error('no'))), /no/);
    assert.equal(fs.readFileSync(f, 'latin1'), '1: 1\n');
  } finally {
    await removeDir(dir);
  }
});

test('updates in one process are serialised', async () => {
  const dir = await tempDir();
  try {
    const sf = new StateFile(path.join(dir, 'tape_uses'), tapeUses.codec);
    await Promise.all(Array.from({ length: 20 }, () => sf.update((m) => tapeUses.increment(m, 1))));
    assert.equal(tapeUses.get(await sf.read(), 1), 20);
  } finally {
    await removeDir(dir);
  }
});

test('four child processes incrementing tape_uses 50 times each lose nothing', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  try {
    await Promise.all([1, 2, 3, 4].map(() => runChild('increment-tape-uses', [dir, '3', '50'])));
    const vd = new VarDir(dir);
    assert.equal(tapeUses.get(await vd.tapeUses.read(), 3), 200);
    assert.equal(fs.readFileSync(path.join(dir, 'tape_uses'), 'latin1'), '3: 200\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['tape_uses', 'tape_uses.lck']);
  } finally {
    await removeDir(dir);
  }
});

test('a child killed with SIGKILL inside update() leaves the file intact and unlocked', async () => {
  const dir = await tempDir();
  const f = path.join(dir, 'bytes_on_tape');
  fs.writeFileSync(f, '1: 1024 0 0 100\n');
  const child = startChild('update-bytes-slowly', [dir]);
  try {
    await waitForLine(child, 'locked');
    const vd = new VarDir(dir, { lockTimeoutMs: 100 });
    await assert.rejects(vd.bytesOnTape.update((m) => m), (e: unknown) => isAfError(e, 'CANNOT_LOCK'));
    await killHard(child);
    const m = await new VarDir(dir, { lockTimeoutMs: 2000 }).bytesOnTape.update((v) => bytesOnTape.markFull(v, 1, 200));
    assert.equal(bytesOnTape.format(m), '1: 1024 0 1 200\n');
  } finally {
    await killHard(child);
    await removeDir(dir);
  }
});
