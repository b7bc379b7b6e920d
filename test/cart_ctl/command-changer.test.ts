/**
 * CommandChanger: the one MediaChanger contract suite over the pretend mtx
 * (fake-changer.ts), then what only this backend has: the list-command inventory,
 * the %x values the moves receive, and failing commands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandChanger, isMtxStatusCall, type CommandResult } from '../../src/device/command/command-changer.js';
import { parseChangerConf } from '../../src/device/command/changer-conf.js';
import { expandTemplate } from '../../src/config/command-template.js';
import { readParamLines } from '../../src/config/param-file.js';
import { commandChangerFromFile } from '../../src/cli/changer-setup.js';
import { runChangerContract } from '../device/changer-contract.js';
import { isAfError, type AfError, type ErrorCode } from '../../src/errors.js';
import { rejectsWith } from '../device/helpers.js';
import { makeFakeChanger } from './fake-changer.js';

runChangerContract('command changer (pretend mtx)', async () => {
  const f = makeFakeChanger();
  const changer = await commandChangerFromFile(f.conf, { changerDevice: f.device });
  return { changer, drive: (n) => f.lib.drive(n), spec: { device: `vtl:${f.device}` }, cleanup: f.cleanup };
});

/** Expects fn to reject with AfError `code`, and returns the error. */
async function failsWith(fn: () => Promise<unknown>, code: ErrorCode): Promise<AfError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(isAfError(e), String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

/** A CommandChanger over a scripted runner that records the commands it was given. */
function scripted(confText: string, answer: (cmd: string) => CommandResult, opts: { slots?: number; drives?: number; loadports?: number } = {}) {
  const ran: string[] = [];
  const changer = new CommandChanger({
    conf: parseChangerConf(readParamLines(confText)),
    changerDevice: '/dev/sg3',
    driveDevices: ['/dev/nst0', '/dev/nst1'],
    expand: expandTemplate,
    run: async (cmd) => {
      ran.push(cmd);
      return answer(cmd);
    },
    ...opts,
  });
  return { changer, ran };
}

const LIST_CONF = `
Move Slot To Drive Command: load %D %n %m -> %N %M (%d)
Move Drive To Slot Command: unload %D %n %m -> %N %M (%d)
Move Slot To Loadport Command: export %n %N
List Empty Slots Command: empty-slots %D
List Empty Loadports Command: empty-ports %D
List Tape Labels Command: labels %D
`;

test('command changer: inventory from List Empty Slots/Loadports and List Tape Labels', async () => {
  const { changer, ran } = scripted(
    LIST_CONF,
    (cmd) => {
      if (cmd.startsWith('empty-slots')) return { code: 0, output: '2, 4-5\n' };
      if (cmd.startsWith('empty-ports')) return { code: 0, output: '' };
      if (cmd.startsWith('labels')) return { code: 0, output: 'drive 2 BC0002\nslot 1 BC0001\nslot 3 BC0003\nloadport 1 BC0009\n' };
      return { code: 0, output: '' };
    },
    { slots: 5, loadports: 1 },
  );
  assert.deepEqual(await changer.inventory(), [
    { kind: 'drive', number: 1, full: false },
    { kind: 'drive', number: 2, full: true, barcode: 'BC0002' },
    { kind: 'slot', number: 1, full: true, barcode: 'BC0001' },
    { kind: 'slot', number: 2, full: false },
    { kind: 'slot', number: 3, full: true, barcode: 'BC0003' },
    { kind: 'slot', number: 4, full: false },
    { kind: 'slot', number: 5, full: false },
    { kind: 'ioport', number: 1, full: true, barcode: 'BC0009' },
  ]);
  assert.deepEqual(ran, ['labels /dev/sg3', 'empty-slots /dev/sg3', 'empty-ports /dev/sg3']);
});

test('command changer: moves get %D %d %n %m %N %M, and are checked before they run', async () => {
  const { changer, ran } = scripted(LIST_CONF, (cmd) => {
    if (cmd.startsWith('empty-slots')) return { code: 0, output: '2 4 5' };
    if (cmd.startsWith('labels')) return { code: 0, output: 'drive 2 BC0002\nslot 1 BC0001\nslot 3 BC0003\n' };
    return { code: 0, output: '' };
  }, { slots: 5 });
  await changer.load(3, 1);
  assert.equal(ran.at(-1), 'load /dev/sg3 3 2 -> 1 0 (/dev/nst0)');
  await changer.unload(2, 4);
  assert.equal(ran.at(-1), 'unload /dev/sg3 2 1 -> 4 3 (/dev/nst1)');
  await changer.unload(2); // source slot unknown: the first empty slot
  assert.equal(ran.at(-1), 'unload /dev/sg3 2 1 -> 2 1 (/dev/nst1)');
  const before = ran.length;
  await rejectsWith(() => changer.load(2, 1), 'CHANGER_FAILED'); // empty slot
  await rejectsWith(() => changer.load(1, 2), 'CHANGER_FAILED'); // full drive
  await rejectsWith(() => changer.load(6, 1), 'CHANGER_FAILED'); // no such slot
  await rejectsWith(() => changer.unload(1), 'CHANGER_FAILED'); // empty drive
  assert.ok(ran.slice(before).every((c) => !/^(load|unload)/.test(c)), 'no move command ran');
  // No "Move Slot To Slot Command": a clear CHANGER_FAILED.
  const e = await failsWith(() => changer.transfer({ kind: 'slot', number: 1, full: true }, { kind: 'slot', number: 2, full: false }), 'CHANGER_FAILED');
  assert.match(e.message, /Move Slot To Slot Command/);
});

test('command changer: a failing command is CHANGER_FAILED naming the command and its output', async () => {
  const { changer } = scripted(LIST_CONF, (cmd) => {
    if (cmd.startsWith('empty-slots')) return { code: 0, output: '2' };
    if (cmd.startsWith('labels')) return { code: 0, output: 'slot 1 BC0001\n' };
    if (cmd.startsWith('load')) return { code: 3, output: 'robot arm jammed\n' };
    return { code: 0, output: '' };
  }, { slots: 2 });
  const e = await failsWith(() => changer.load(1, 1), 'CHANGER_FAILED');
  assert.match(e.message, /"load \/dev\/sg3 1 0 -> 1 0 \(\/dev\/nst0\)".*status 3: robot arm jammed/);
  const bad = scripted(LIST_CONF, (cmd) => (cmd.startsWith('labels') ? { code: 1, output: 'no such device' } : { code: 0, output: '' }), { slots: 2 });
  await rejectsWith(() => bad.changer.inventory(), 'CHANGER_FAILED');
  const none = scripted('Move Slot To Drive Command: x\n', () => ({ code: 0, output: '' }));
  const e2 = await failsWith(() => none.changer.inventory(), 'CHANGER_FAILED');
  assert.match(e2.message, /no command that lists/);
});

test('command changer: which list commands count as an mtx status call', () => {
  assert.equal(isMtxStatusCall('mtx -f /dev/sg0 status'), true);
  assert.equal(isMtxStatusCall('/usr/sbin/mtx -f /dev/sg0 status'), true);
  assert.equal(isMtxStatusCall('mtx -f /dev/sg0 status | grep Empty'), false);
  assert.equal(isMtxStatusCall('mtx -f /dev/sg0 inventory'), false);
  assert.equal(isMtxStatusCall('chio -f /dev/ch0 status'), false);
});
