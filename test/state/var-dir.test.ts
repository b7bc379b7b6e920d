/** VarDir: file names and modes, the status file in both modes, the client message and its mtime. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as readonly from '../../src/state/readonly-tapes.js';
import * as precious from '../../src/state/precious-tapes.js';
import { STATE_FILE_NAMES, VarDir } from '../../src/state/var-dir.js';
import { removeDir, tempDir } from './helpers.js';

test('every state file lives under its afbackup name; Tape-Pos-File may be elsewhere', async () => {
  const dir = await tempDir();
  try {
    const vd = new VarDir(dir, { tapePosFile: '/elsewhere/tapepos' });
    assert.equal(vd.tapepos.path, '/elsewhere/tapepos');
    assert.equal(vd.bytesOnTape.path, path.join(dir, 'bytes_on_tape'));
    assert.equal(vd.tapeUses.path, path.join(dir, 'tape_uses'));
    assert.equal(vd.cartridgeOrder.path, path.join(dir, 'cartridge_order'));
    assert.equal(vd.preciousTapes.path, path.join(dir, 'precious_tapes'));
    assert.equal(vd.readonlyTapes.path, path.join(dir, 'readonly_tapes'));
    assert.equal(vd.everUsedBlocksizes.path, path.join(dir, 'ever_used_blocksizes'));
    assert.equal(vd.cartridgeLocations.path, path.join(dir, 'cartridge_locations'));
    assert.equal(vd.cartridgeNames.path, path.join(dir, 'cartridge_names'));
    assert.equal(vd.status.path, path.join(dir, 'status'));
    assert.equal(vd.clientMessage.path, path.join(dir, 'client_message'));
    assert.equal(new VarDir(dir).tapepos.path, path.join(dir, STATE_FILE_NAMES.tapepos));
  } finally {
    await removeDir(dir);
  }
});

test('readonly_tapes is created 0600 and an emptied set is written as "\\n"', async () => {
  const dir = await tempDir();
  try {
    const vd = new VarDir(dir);
    await vd.readonlyTapes.update((m) => readonly.add(m, [5, 6]));
    const f = vd.readonlyTapes.path;
    assert.equal(fs.readFileSync(f, 'latin1'), '5-6\n');
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    await vd.readonlyTapes.update((m) => readonly.remove(m, [5, 6]));
    assert.equal(fs.readFileSync(f, 'latin1'), '\n');
    await vd.preciousTapes.update((m) => precious.setClient(m, 'afdemo-client', [1]));
    assert.equal(fs.readFileSync(vd.preciousTapes.path, 'latin1'), 'afdemo-client 1\n');
  } finally {
    await removeDir(dir);
  }
});

test('the status file is replaced, or appended to with ">>"', async () => {
  const dir = await tempDir();
  try {
    const date = new Date(2026, 10, 25, 12, 10, 28);
    const vd = new VarDir(dir);
    await vd.status.write('Device /dev/nst0 is idle.', { date, pid: 7 });
    await vd.status.write('Device /dev/nst0 is closed, idle.', { date, pid: 7 });
    assert.equal(fs.readFileSync(vd.status.path, 'latin1'), 'Wed Nov 25 12:10:28 2026 [7], Device /dev/nst0 is closed, idle.\n');
    assert.equal((await vd.status.read())!.lines[0]!.text, 'Device /dev/nst0 is closed, idle.');

    const log = path.join(dir, 'status.log');
    const ap = new VarDir(dir, { statusFile: `>> ${log}` });
    assert.equal(ap.status.append, true);
    assert.equal(ap.status.path, log);
    await ap.status.write('one', { date, pid: 1 });
    await ap.status.write('two', { date, pid: 2 });
    assert.equal(fs.readFileSync(log, 'latin1'), 'Wed Nov 25 12:10:28 2026 [1], one\nWed Nov 25 12:10:28 2026 [2], two\n');
    assert.deepEqual((await ap.status.read())!.lines.map((l) => l.pid), [1, 2]);
    assert.equal(await new VarDir(path.join(dir, 'none')).status.read(), null);
  } finally {
    await removeDir(dir);
  }
});

test('the client message: text with its mtime, each new message a later second', async () => {
  const dir = await tempDir();
  try {
    const vd = new VarDir(dir);
    assert.equal(await vd.clientMessage.read(), null);
    await vd.clientMessage.write('Please insert cartridge 2\n');
    const first = (await vd.clientMessage.read())!;
    assert.equal(first.text, 'Please insert cartridge 2\n');
    assert.ok(Math.abs(first.mtimeSec - Date.now() / 1000) < 3);
    assert.equal(fs.statSync(vd.clientMessage.path).mode & 0o777, 0o600);
    await vd.clientMessage.write('Caf\xe9 closed\n');
    const second = (await vd.clientMessage.read())!;
    assert.equal(second.text, 'Caf\xe9 closed\n');
    assert.ok(second.mtimeSec > first.mtimeSec, `${second.mtimeSec} > ${first.mtimeSec}`);
    assert.deepEqual(fs.readFileSync(vd.clientMessage.path), Buffer.from('Caf\xe9 closed\n', 'latin1'));
  } finally {
    await removeDir(dir);
  }
});

test('sweepTempFiles removes old leftovers of state files in both directories', async () => {
  const dir = await tempDir();
  const other = await tempDir();
  try {
    const old = new Date(Date.now() - 3_600_000);
    for (const f of [path.join(dir, 'bytes_on_tape.1234'), path.join(other, 'tapepos.99'), path.join(dir, 'backup_log.1')]) {
      fs.writeFileSync(f, 'x');
      fs.utimesSync(f, old, old);
    }
    const vd = new VarDir(dir, { tapePosFile: path.join(other, 'tapepos') });
    const removed = (await vd.sweepTempFiles()).sort();
    assert.deepEqual(removed, [path.join(dir, 'bytes_on_tape.1234'), path.join(other, 'tapepos.99')].sort());
    assert.deepEqual(fs.readdirSync(dir), ['backup_log.1']);
  } finally {
    await removeDir(dir);
    await removeDir(other);
  }
});
