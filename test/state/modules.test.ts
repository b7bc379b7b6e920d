/** Each state file module: what it rejects (with file, line and text) and what its helpers write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAfError } from '../../src/errors.js';
import * as bytesOnTape from '../../src/state/bytes-on-tape.js';
import * as locations from '../../src/state/cartridge-locations.js';
import * as names from '../../src/state/cartridge-names.js';
import * as order from '../../src/state/cartridge-order.js';
import * as everUsed from '../../src/state/ever-used-blocksizes.js';
import * as precious from '../../src/state/precious-tapes.js';
import { formatRanges } from '../../src/state/range-list.js';
import * as readonly from '../../src/state/readonly-tapes.js';
import * as status from '../../src/state/status.js';
import * as tapeUses from '../../src/state/tape-uses.js';
import * as tapepos from '../../src/state/tapepos.js';

/** Asserts a STATE_SYNTAX error with the exact `"<file>" line <n>: <what>, "<line>"` detail. */
function rejects(parse: (text: string, file: string) => unknown, text: string, line: number, what: RegExp, shown: string) {
  assert.throws(
    () => parse(text, '/var/af/x'),
    (e: unknown) => {
      assert.ok(isAfError(e, 'STATE_SYNTAX'), `expected STATE_SYNTAX, got ${String(e)}`);
      const m = /^"\/var\/af\/x" line (\d+): (.*), "(.*)"$/.exec(e.detail ?? '');
      assert.ok(m, `detail has the wrong shape: ${e.detail}`);
      assert.equal(Number(m[1]), line);
      assert.match(m[2]!, what);
      assert.equal(m[3], shown);
      return true;
    },
  );
}

test('bytes_on_tape rejects typos', () => {
  const p = bytesOnTape.parse;
  rejects(p, '1: 478208 6 1 1795608857\n2: 99x28 1 1 1795608857\n', 2, /<bytes> "99x28" is not a number/, '2: 99x28 1 1 1795608857');
  rejects(p, '1: 478208 6 1\n', 1, /missing field <epoch>/, '1: 478208 6 1');
  rejects(p, '1:\t478208 6 1 1795608857\n', 1, /TAB separates key and value/, '1:\\t478208 6 1 1795608857');
  rejects(p, '1: 478208\t6 1 1795608857\n', 1, /TAB inside the value/, '1: 478208\\t6 1 1795608857');
  rejects(p, '1: 478208 6 2 1795608857\n', 1, /<full 0\|1> is "2"/, '1: 478208 6 2 1795608857');
  rejects(p, '1: 478208 6 1 1795608857 x\n', 1, /unexpected text "x"/, '1: 478208 6 1 1795608857 x');
  rejects(p, '1: 478208  6 1 1795608857\n', 1, /two blanks in a row/, '1: 478208  6 1 1795608857');
  rejects(p, 'one: 1 1 1 1\n', 1, /key "one:" is not <cart>:/, 'one: 1 1 1 1');
  rejects(p, '1: 1 1 1 1\n\n', 2, /empty line/, '');
  rejects(p, '1: 1 1 1 1\n1: 2 2 0 2\n', 2, /appears twice/, '1: 2 2 0 2');
  rejects(p, '1:  1 1 1 1\n', 1, /more than one blank/, '1:  1 1 1 1');
});

test('bytes_on_tape helpers', () => {
  let m = bytesOnTape.parse('1: 1024 0 0 100\n', 'b');
  m = bytesOnTape.addBytes(m, 1, 2048, { files: 1, now: 200 });
  m = bytesOnTape.addBytes(m, 3, 512, { now: 300 });
  m = bytesOnTape.markFull(m, 1, 400);
  assert.equal(bytesOnTape.format(m), '1: 3072 1 1 400\n3: 512 0 0 300\n');
  m = bytesOnTape.set(m, { cart: 2, bytes: 1, files: 1, full: false, lastWrite: 5 });
  assert.equal(bytesOnTape.format(m), '1: 3072 1 1 400\n2: 1 1 0 5\n3: 512 0 0 300\n');
  assert.equal(bytesOnTape.format(bytesOnTape.delete(m, [1, 3])), '2: 1 1 0 5\n');
  assert.equal(bytesOnTape.deleteTapes(m, [9]), m);
});

test('tapepos rejects typos and reads both formats', () => {
  const p = tapepos.parse;
  rejects(p, '/dev/nst0 1\n', 1, /missing field <file>/, '/dev/nst0 1');
  rejects(p, '/dev/nst0 1 1\n1: 1 x6\n', 2, /<file> "x6" is not a number/, '1: 1 x6');
  rejects(p, '/dev/nst0 1 1\n1:\t1 6\n', 2, /TAB separates/, '1:\\t1 6');
  rejects(p, '/dev/nst0 1 1\n0: 1 6\n', 2, /set 0/, '0: 1 6');
  rejects(p, '1 1\n1 x\n', 2, /"x" is not a number \(old two-number format\)/, '1 x');
  rejects(p, '1 1\n1\n', 2, /odd count/, '1');
});

test('tapepos: the old two-number format is converted when a drive position is set', () => {
  const legacy = tapepos.parse('1 1\n1 6\n2 3\n', 'tapepos');
  assert.equal(tapepos.isLegacy(legacy), true);
  assert.equal(tapepos.format(legacy), '1 1\n1 6\n2 3\n');
  assert.deepEqual(tapepos.getDevicePos(legacy, '/dev/nst0'), { cart: 1, file: 1 });
  assert.deepEqual(tapepos.getInsertPos(legacy, 2), { cart: 2, file: 3 });
  assert.equal(tapepos.format(tapepos.setInsertPos(legacy, 2, 2, 4)), '1 1\n1 6\n2 4\n');
  const converted = tapepos.setDevicePos(legacy, '/dev/nst0', 2, 1);
  assert.equal(tapepos.isLegacy(converted), false);
  assert.equal(tapepos.format(converted), '/dev/nst0 2 1\n1: 1 6\n2: 2 3\n');
  assert.equal(tapepos.format(tapepos.convertLegacy(legacy, '/dev/st0')), '/dev/st0 1 1\n1: 1 6\n2: 2 3\n');
});

test('tapepos helpers keep afbackup order and quote device names with blanks', () => {
  let m = tapepos.setInsertPos(tapepos.empty(), 1, 3, 2);
  m = tapepos.setDevicePos(m, '/dev/my tape', 3, 2);
  assert.equal(tapepos.format(m), '1: 3 2\n"/dev/my tape" 3 2\n');
  assert.deepEqual(tapepos.getDevicePos(tapepos.parse(tapepos.format(m), 't'), '/dev/my tape'), { cart: 3, file: 2 });
  let n = tapepos.parse('/dev/nst0 2 3\n1: 2 5\n2: 4 7\n3: 2 2\n', 't');
  n = tapepos.resetSetsOnTapes(n, [2]);
  assert.equal(tapepos.format(n), '/dev/nst0 2 3\n1: 2 1\n2: 4 7\n3: 2 1\n');
  const same = tapepos.parse('/dev/nst0 2 3\n1: 2 1\n', 't');
  assert.equal(tapepos.resetSetsOnTapes(same, [2]), same);
});

test('tape_uses', () => {
  rejects(tapeUses.parse, '1: one\n', 1, /<count> "one" is not a number/, '1: one');
  rejects(tapeUses.parse, '1:\n', 1, /missing value/, '1:');
  let m = tapeUses.parse('2: 4\n', 't');
  m = tapeUses.increment(m, 1);
  m = tapeUses.increment(m, 2);
  assert.equal(tapeUses.format(m), '1: 1\n2: 5\n');
  assert.equal(tapeUses.get(m, 7), 0);
});

test('cartridge_order rejects typos', () => {
  const p = order.parse;
  rejects(p, '2 -> x 6\n', 1, /not "-> <next cart> <next file>"/, '2 -> x 6');
  rejects(p, '2 1 6\n', 1, /does not start with "->"/, '2 1 6');
  rejects(p, '2 -> 1\t6\n', 1, /TAB inside the value/, '2 -> 1\\t6');
  rejects(p, '2 ->\n', 1, /missing field <next cart>/, '2 ->');
  rejects(p, 'two -> 1 6\n', 1, /<cart> "two" is not a number/, 'two -> 1 6');
});

test('cartridge_order: a new continuation invalidates older pointers to the same place', () => {
  let m = order.parse('1 -> 2 5\n4 -> 2 1\n', 'o');
  m = order.setSuccessor(m, 3, 2, 3);
  assert.equal(order.format(m), '1 -> 0 0\n3 -> 2 3\n4 -> 2 1\n');
  assert.equal(order.format(order.setSuccessor(order.parse('1 -> 2\n', 'o'), 5, 2, 1)), '1 -> 0\n5 -> 2 1\n');
});

test('cartridge_order: ReuseTapes blanks the successor digits in place', () => {
  const m = order.parse('1 -> 2 1\n2 -> 13 6\n3 -> 1 1\n', 'o');
  const r = order.invalidateSuccessors(m, [13, 1]);
  const text = order.format(r);
  assert.equal(text, '1 -> 2 1\n2 -> 0  6\n3 -> 0 1\n');
  const again = order.parse(text, 'o');
  assert.deepEqual(order.get(again, 2), { cart: 2, next: 0, file: 6 });
  assert.equal(order.format(again), text);
  assert.equal(order.invalidateSuccessors(m, [7]), m);
  assert.equal(order.format(order.invalidateSuccessors(order.parse('4 -> 12\n', 'o'), [12])), '4 -> 0 \n');
  assert.equal(order.format(order.invalidateSuccessors(m, [13, 1], { form: 'zero' })), '1 -> 2 1\n2 -> 0 0\n3 -> 0 0\n');
});

test('precious_tapes', () => {
  rejects(precious.parse, 'client 1-x\n', 1, /not a range list/, 'client 1-x');
  rejects(precious.parse, 'client\n', 1, /missing value/, 'client');
  let m = precious.parse('alpha 2\nbeta 5\n"my host" 1-3\n', 'p');
  assert.equal(formatRanges(precious.get(m, 'my host')!), '1-3');
  m = precious.removeTapes(m, [2, 3]);
  assert.equal(precious.format(m), 'beta 5\n"my host" 1\n');
  m = precious.protect(m, [7, 8]);
  assert.equal(precious.format(m), '"< * protected by admin * >" 7-8\nbeta 5\n"my host" 1\n');
  m = precious.protect(m, [9]);
  assert.equal(precious.format(m), '"< * protected by admin * >" 7-9\nbeta 5\n"my host" 1\n');
  m = precious.setClient(m, 'gamma', [4, 6]);
  m = precious.deleteClient(m, 'beta');
  assert.equal(precious.format(m), '"< * protected by admin * >" 7-9\ngamma 4,6\n"my host" 1\n');
  assert.equal(formatRanges(precious.allTapes(m)), '1,4,6-9');
  assert.equal(precious.format(precious.setClient(m, 'gamma', [])), '"< * protected by admin * >" 7-9\n"my host" 1\n');
  // untouched lines keep their own spelling
  const odd = precious.parse('alpha 3,1,2\nbeta 5\n', 'p');
  assert.equal(precious.format(precious.removeTapes(odd, [5])), 'alpha 3,1,2\n');
});

test('readonly_tapes: free text of range lists, written as one line', () => {
  rejects(readonly.parse, '1-2\n5-x\n', 2, /not a range list/, '5-x');
  const m = readonly.parse('1-2\n\n5\n', 'r');
  assert.equal(formatRanges(m.tapes), '1-2,5');
  assert.equal(readonly.format(m), '1-2\n\n5\n');
  assert.equal(readonly.has(m, 5), true);
  assert.equal(readonly.has(m, 3), false);
  assert.equal(readonly.format(readonly.add(m, [3])), '1-3,5\n');
  assert.equal(readonly.format(readonly.remove(m, [1, 2, 5])), '\n');
});

test('ever_used_blocksizes', () => {
  rejects(everUsed.parse, '10a4 \n', 1, /<size> "10a4" is not a number/, '10a4 ');
  rejects(everUsed.parse, '1024 extra\n', 1, /unexpected text "extra"/, '1024 extra');
  rejects(everUsed.parse, '1024\t\n', 1, /TAB/, '1024\\t');
  let m = everUsed.parse('1024 \n', 'e');
  m = everUsed.add(m, 512);
  m = everUsed.add(m, 10240);
  assert.equal(everUsed.format(m), '512 \n1024 \n10240 \n');
  const bare = everUsed.parse('2048\n', 'e');
  assert.deepEqual(everUsed.sizes(bare), [2048]);
  assert.equal(everUsed.format(bare), '2048\n');
});

test('cartridge_locations', () => {
  rejects(locations.parse, 'x: /dev/sg0 slot 1\n', 1, /not <cart>:/, 'x: /dev/sg0 slot 1');
  let m = locations.parse('5: /dev/sg0 slot 6\n7: Shelf in room 12\n', 'l');
  assert.deepEqual(locations.get(m, 5), { kind: 'changer', changer: '/dev/sg0', place: 'slot', index: 6 });
  assert.deepEqual(locations.get(m, 7), { kind: 'external', text: 'Shelf in room 12' });
  m = locations.set(m, 6, { kind: 'changer', changer: '/dev/sg0', place: 'drive', index: 1 });
  m = locations.set(m, 1, { kind: 'external', text: 'safe' });
  assert.equal(locations.format(m), '1: safe\n5: /dev/sg0 slot 6\n6: /dev/sg0 drive 1\n7: Shelf in room 12\n');
  assert.equal(locations.format(locations.remove(m, 5)), '1: safe\n6: /dev/sg0 drive 1\n7: Shelf in room 12\n');
  assert.deepEqual(locations.readLocation('/dev/sg1 Load-Port 2'), { kind: 'changer', changer: '/dev/sg1', place: 'loadport', index: 2 });
});

test('cartridge_names', () => {
  rejects(names.parse, '3 AES540L3 Tape 3\n', 1, /not <cart>:/, '3 AES540L3 Tape 3');
  let m = names.parse('10: "" spare\n3: AES540L3 Tape 3\n', 'n');
  assert.deepEqual(names.get(m, 3), { cart: 3, barcode: 'AES540L3', description: 'Tape 3' });
  assert.deepEqual(names.get(m, 10), { cart: 10, barcode: '', description: 'spare' });
  m = names.setBarcode(m, 4, 'X Y');
  m = names.setDescription(m, 3, 'Monday');
  assert.equal(names.format(m), '10: "" spare\n3: AES540L3 Monday\n4: "X Y" \n');
  assert.deepEqual(names.get(names.parse(names.format(m), 'n'), 4), { cart: 4, barcode: 'X Y', description: '' });
  assert.equal(names.format(names.remove(m, 10)), '3: AES540L3 Monday\n4: "X Y" \n');
});

test('status lines', () => {
  rejects(status.parse, 'garbage\n', 1, /does not start with a ctime date/, 'garbage');
  rejects(status.parse, 'Wed Nov 25 12:10:28 2026 14457, text\n', 1, /expected "<ctime> \[<pid>\], <text>"/, 'Wed Nov 25 12:10:28 2026 14457, text');
  const date = new Date(2026, 10, 5, 9, 8, 7);
  assert.equal(status.statusLine('Device /dev/nst0 is idle.', { date, pid: 42 }), 'Thu Nov  5 09:08:07 2026 [42], Device /dev/nst0 is idle.\n');
  assert.equal(status.statusLine('x\n', { date, pid: 1 }), 'Thu Nov  5 09:08:07 2026 [1], x\n');
  const m = status.parse('Thu Nov  5 09:08:07 2026 [1], a\nThu Nov  5 09:08:08 2026 [1], b\n', 's');
  assert.deepEqual(m.lines.map((l) => l.text), ['a', 'b']);
});
