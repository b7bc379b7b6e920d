// changer.conf: the mtx and chio samples, tolerant key spellings, move expansion, list outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { isAfError } from '../../src/errors.js';
import { readParamLines } from '../../src/config/param-file.js';
import { expandTemplate } from '../../src/config/command-template.js';
import {
  moveCommand,
  moveVars,
  parseChangerConf,
  parseNumberList,
  parseTapeLabels,
} from '../../src/device/command/changer-conf.js';

const conf = (name: string) =>
  parseChangerConf(readParamLines(fs.readFileSync(new URL(`../fixtures/scsi/${name}`, import.meta.url), 'utf8')));

test('the mtx sample', () => {
  const c = conf('changer.conf.mtx');
  assert.deepEqual(c.move, {
    'slot:drive': 'mtx -f %D load %n %M',
    'drive:slot': 'mtx -f %D unload %N %m',
    'slot:slot': 'mtx -f %D transfer %n %N',
    'loadport:slot': 'mtx -f %D transfer `expr %n + 24` %N',
    'slot:loadport': 'mtx -f %D transfer %n `expr %N + 24`',
  });
  assert.match(c.listTapeLabels!, /^mtx -f %D status \|\s+sed -n /);
  assert.equal(c.listEmptySlots, undefined);
  assert.deepEqual(c.unknownLines, []);
  const vars = moveVars({ from: 'slot', fromNumber: 3, to: 'drive', toNumber: 1, changerDevice: '/dev/sg1', driveDevice: '/dev/nst0' });
  assert.equal(expandTemplate(moveCommand(c, 'slot', 'drive'), vars), 'mtx -f /dev/sg1 load 3 0');
  const back = moveVars({ from: 'drive', fromNumber: 2, to: 'slot', toNumber: 7, changerDevice: '/dev/sg1' });
  assert.equal(expandTemplate(moveCommand(c, 'drive', 'slot'), back), 'mtx -f /dev/sg1 unload 7 1');
});

test('the chio sample: all nine moves in tolerant spellings, list commands, an unknown key', () => {
  const c = conf('changer.conf.chio');
  assert.equal(Object.keys(c.move).length, 9);
  assert.equal(c.move['slot:drive'], 'chio -f %D move slot %m drive %M');
  assert.equal(c.move['drive:drive'], 'chio -f %D move drive %m drive %M');
  assert.equal(c.move['loadport:drive'], 'chio -f %D move portal %m drive %M');
  assert.equal(c.move['loadport:slot'], 'chio -f %D move portal %m slot %M');
  assert.equal(c.move['drive:loadport'], 'chio -f %D move drive %m portal %M');
  assert.equal(c.move['loadport:loadport'], 'chio -f %D move portal %m portal %M');
  assert.match(c.listEmptySlots!, /status slot/);
  assert.match(c.listEmptyLoadports!, /status portal/);
  assert.match(c.listTapeLabelsIn.slot!, /status -v slot/);
  assert.match(c.listTapeLabelsIn.drive!, /status -v drive/);
  assert.equal(c.listTapeLabelsIn.loadport, undefined);
  assert.equal(c.listTapeLabels, undefined);
  assert.deepEqual(c.unknownLines.map((l) => l.text), ["Eject Command: this key is not afbackup's"]);
  const vars = moveVars({ from: 'slot', fromNumber: 1, to: 'drive', toNumber: 2, changerDevice: '/dev/ch0' });
  assert.equal(expandTemplate(c.move['slot:drive']!, vars), 'chio -f /dev/ch0 move slot 0 drive 1');
});

test('key spellings: case, separators, plurals, Command abbreviations; a key must end at a word end', () => {
  const c = parseChangerConf(
    readParamLines(
      [
        'MOVESLOTTODRIVECOMMAND a',
        'move_drives_to_slots_comand:b',
        'Move  Load-Port  To  Slot  Cmd  :  c',
        'list empty load ports cmd d',
        'LIST TAPE LABELS IN LOADPORTS COMMAND: e',
        'List Tape Labels Commandx: f',
        'Move Slot To Drive Command: g',
        'List Tape Labels Command:',
      ].join('\n'),
    ),
  );
  assert.deepEqual(c.move, { 'slot:drive': 'g', 'drive:slot': 'b', 'loadport:slot': 'c' });
  assert.equal(c.listEmptyLoadports, 'd');
  assert.equal(c.listTapeLabelsIn.loadport, 'e');
  assert.equal(c.listTapeLabels, undefined);
  assert.deepEqual(c.unknownLines.map((l) => l.line), [6]);
  assert.deepEqual(c.duplicateLines.map((l) => l.line), [7]);
});

test('%d %D %n %m %N %M of a move', () => {
  const vars = moveVars({ from: 'drive', fromNumber: 1, to: 'loadport', toNumber: 2, changerDevice: '/dev/sg0', driveDevice: '/dev/nst1' });
  assert.equal(expandTemplate('%d %D %n %m %N %M %% %x', vars), '/dev/nst1 /dev/sg0 1 0 2 1 % %x');
  assert.equal(expandTemplate('mt -f %d offline', moveVars({ from: 'slot', fromNumber: 1, to: 'slot', toNumber: 2, changerDevice: 'c' })), 'mt -f %d offline');
  assert.throws(() => moveVars({ from: 'slot', fromNumber: 0, to: 'drive', toNumber: 1, changerDevice: 'c' }), (e) => isAfError(e, 'CHANGER_FAILED'));
  assert.throws(() => moveCommand(parseChangerConf([]), 'loadport', 'drive'), (e) => isAfError(e, 'CHANGER_FAILED') && /"Move Loadport To Drive Command"/.test(e.message));
});

test('the output of List Empty ... Commands', () => {
  assert.deepEqual(parseNumberList('3\n5-7, 1\n\n6 '), [1, 3, 5, 6, 7]);
  assert.deepEqual(parseNumberList(''), []);
  assert.throws(() => parseNumberList('1 two'), (e) => isAfError(e, 'CHANGER_FAILED'));
  assert.throws(() => parseNumberList('7-5'), (e) => isAfError(e, 'CHANGER_FAILED'));
});

test('the output of List Tape Labels Commands', () => {
  assert.deepEqual(parseTapeLabels('slot 1 AF0001L9\ndrive 1 AF0003L9\nloadport 1 NEW001\nslot 2\n'), [
    { place: 'slot', number: 1, barcode: 'AF0001L9' },
    { place: 'drive', number: 1, barcode: 'AF0003L9' },
    { place: 'loadport', number: 1, barcode: 'NEW001' },
  ]);
  assert.deepEqual(parseTapeLabels('1 AF0001L9\n  4   AF0004L9  \n', 'slot'), [
    { place: 'slot', number: 1, barcode: 'AF0001L9' },
    { place: 'slot', number: 4, barcode: 'AF0004L9' },
  ]);
  assert.throws(() => parseTapeLabels('robot 1 X'), (e) => isAfError(e, 'CHANGER_FAILED') && /line 1/.test(e.message));
});
