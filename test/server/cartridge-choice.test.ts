/**
 * Where the next write goes (spec §5.6), as a pure function of the media state:
 * free cartridges in cyclic order, read-only and precious tapes skipped, Full
 * Append Mode continuing the latest written tape, the insert position checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseNextCartridge, resolveInsertPosition, type MediaSnapshot, type TapeRecord } from '../../src/server/cartridge-choice.js';

const rec = (files: number, full: boolean, lastWrite: number): TapeRecord => ({ bytes: 1000 * files, files, full, lastWrite });
const snap = (o: Partial<MediaSnapshot> = {}): MediaSnapshot => ({
  setCartridges: [1, 2, 3, 4],
  readonly: new Set(),
  precious: new Set(),
  writtenThisSession: new Set(),
  tapes: new Map(),
  fullAppendMode: false,
  ...o,
});

test('the next cartridge is the first free one after the current, cyclically', () => {
  assert.deepEqual(chooseNextCartridge(snap(), 1), { cartridge: 2, file: 1 });
  assert.deepEqual(chooseNextCartridge(snap(), 4), { cartridge: 1, file: 1 });
  assert.deepEqual(chooseNextCartridge(snap(), null), { cartridge: 1, file: 1 });
});

test('read-only, precious and already written cartridges are skipped', () => {
  const s = snap({ readonly: new Set([2]), precious: new Set([3]), writtenThisSession: new Set([4]) });
  assert.deepEqual(chooseNextCartridge(s, 4), { cartridge: 1, file: 1 });
  assert.equal(chooseNextCartridge({ ...s, writtenThisSession: new Set([1, 4]) }, 4), null);
});

test('Full Append Mode continues the most recently written tape that is not full', () => {
  const tapes = new Map([
    [1, rec(3, false, 100)],
    [2, rec(2, false, 300)],
    [3, rec(5, true, 400)],
    [4, rec(1, false, 200)],
  ]);
  const s = snap({ precious: new Set([1, 2, 3, 4]), tapes, fullAppendMode: true });
  assert.deepEqual(chooseNextCartridge(s, 3), { cartridge: 2, file: 3 });
  assert.equal(chooseNextCartridge({ ...s, fullAppendMode: false }, 3), null);
  assert.deepEqual(chooseNextCartridge({ ...s, readonly: new Set([2]) }, 3), { cartridge: 4, file: 2 });
});

test('the recorded insert position is kept unless the cartridge may not be written there', () => {
  assert.deepEqual(resolveInsertPosition(snap(), { cartridge: 2, file: 5 }), { cartridge: 2, file: 5 });
  // A precious tape may be appended to, but not restarted at file 1.
  assert.deepEqual(resolveInsertPosition(snap({ precious: new Set([2]) }), { cartridge: 2, file: 5 }), { cartridge: 2, file: 5 });
  assert.deepEqual(resolveInsertPosition(snap({ precious: new Set([2]) }), { cartridge: 2, file: 1 }), { cartridge: 3, file: 1 });
  assert.deepEqual(resolveInsertPosition(snap({ readonly: new Set([2]) }), { cartridge: 2, file: 5 }), { cartridge: 3, file: 1 });
  const full = snap({ tapes: new Map([[2, rec(4, true, 1)]]) });
  assert.deepEqual(resolveInsertPosition(full, { cartridge: 2, file: 5 }), { cartridge: 3, file: 1 });
});
