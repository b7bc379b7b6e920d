/**
 * Golden state files written by afbackup 3.5.8 (../shared/vectors/state, copied to
 * test/fixtures/state): each parses and formats back byte for byte, and the
 * helpers reproduce the files afbackup wrote from the files it wrote before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as bytesOnTape from '../../src/state/bytes-on-tape.js';
import * as cartridgeOrder from '../../src/state/cartridge-order.js';
import { CTIME_PATTERN } from '../../src/state/ctime.js';
import * as everUsed from '../../src/state/ever-used-blocksizes.js';
import * as precious from '../../src/state/precious-tapes.js';
import * as readonly from '../../src/state/readonly-tapes.js';
import type { StateCodec } from '../../src/state/state-file.js';
import * as status from '../../src/state/status.js';
import * as tapeUses from '../../src/state/tape-uses.js';
import * as tapepos from '../../src/state/tapepos.js';
import { formatRanges } from '../../src/state/range-list.js';
import { fixturesDir } from './helpers.js';

const codecs: Record<string, StateCodec<unknown>> = {
  tapepos: tapepos.codec as StateCodec<unknown>,
  bytes_on_tape: bytesOnTape.codec as StateCodec<unknown>,
  cartridge_order: cartridgeOrder.codec as StateCodec<unknown>,
  ever_used_blocksizes: everUsed.codec as StateCodec<unknown>,
  readonly_tapes: readonly.codec as StateCodec<unknown>,
  'readonly_tapes.after-04-M-readonly': readonly.codec as StateCodec<unknown>,
  status: status.codec as StateCodec<unknown>,
  tape_uses: tapeUses.codec as StateCodec<unknown>,
  precious_tapes: precious.codec as StateCodec<unknown>,
};

function goldenFiles(dir = fixturesDir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? goldenFiles(full) : [full];
  });
}

const read = (rel: string) => fs.readFileSync(path.join(fixturesDir, rel), 'latin1');

test('the fixtures hold every golden state file of the vectors', () => {
  const files = goldenFiles();
  assert.equal(files.length, 42);
  for (const f of files) assert.ok(codecs[path.basename(f)], `no codec for ${f}`);
});

for (const file of goldenFiles()) {
  const rel = path.relative(fixturesDir, file);
  test(`golden ${rel} parses and formats back byte for byte`, () => {
    const codec = codecs[path.basename(file)]!;
    const text = fs.readFileSync(file, 'latin1');
    const model = codec.parse(text, file);
    assert.equal(codec.format(model), text);
    // a structurally equal copy (no remembered text) formats canonically to the same bytes
    // (an empty readonly_tapes is the one exception: afbackup writes an empty set as "\n")
    const copy = structuredClone(model);
    if (path.basename(file) !== 'readonly_tapes' || text !== '') assert.equal(codec.format(copy), text);
  });
}

test('golden values read as afbackup meant them', () => {
  const pos = tapepos.parse(read('simple/tapepos'), 'tapepos');
  assert.deepEqual(tapepos.getDevicePos(pos, '/srv/afdemo/tape/vol'), { cart: 1, file: 1 });
  assert.deepEqual(tapepos.getInsertPos(pos, 1), { cart: 1, file: 6 });

  const bot = bytesOnTape.parse(read('des-tapefull/bytes_on_tape'), 'bytes_on_tape');
  assert.deepEqual(bytesOnTape.get(bot, 2), { cart: 2, bytes: 149504, files: 2, full: true, lastWrite: 1795610244 });

  const order = cartridgeOrder.parse(read('des-tapefull/cartridge_order'), 'cartridge_order');
  assert.deepEqual(cartridgeOrder.continuation(order, 3), { cart: 1, file: 1 });

  const prec = precious.parse(read('des/precious_tapes'), 'precious_tapes');
  assert.equal(formatRanges(precious.get(prec, 'afdemo-client')!), '1');

  assert.equal(formatRanges(readonly.parse(read('des/readonly_tapes.after-04-M-readonly'), 'r').tapes), '5-6');
  assert.equal(readonly.parse(read('des/readonly_tapes'), 'r').tapes.length, 0);
  assert.equal(readonly.parse(read('des-tapefull/readonly_tapes'), 'r').tapes.length, 0);

  assert.deepEqual(everUsed.sizes(everUsed.parse(read('des/ever_used_blocksizes'), 'e')), [1024]);

  const st = status.parse(read('des/status'), 'status');
  assert.equal(st.lines.length, 1);
  assert.match(st.lines[0]!.time, CTIME_PATTERN);
  assert.equal(st.lines[0]!.pid, 14848);
  assert.equal(st.lines[0]!.text, 'Device /srv/afdemo/tape/vol is closed, idle.');
});

for (const variant of ['des-tapefull', 'simple-tapefull']) {
  test(`${variant}: the helpers turn afbackup's state after run 1 into its state after run 2`, () => {
    const before = (f: string) => read(`${variant}/after-run1/${f}`);
    const after = (f: string) => read(`${variant}/${f}`);

    let order = cartridgeOrder.parse(before('cartridge_order'), 'cartridge_order');
    order = cartridgeOrder.setSuccessor(order, 2, 3, 1);
    order = cartridgeOrder.setSuccessor(order, 3, 1, 1);
    assert.equal(cartridgeOrder.format(order), after('cartridge_order'));

    let uses = tapeUses.parse(before('tape_uses'), 'tape_uses');
    uses = tapeUses.increment(tapeUses.increment(uses, 2), 3);
    assert.equal(tapeUses.format(uses), after('tape_uses'));

    let pos = tapepos.parse(before('tapepos'), 'tapepos');
    pos = tapepos.record(pos, '/srv/afdemo/tapefull/tape/vol', { cart: 1, file: 1 }, [{ cart: 1, file: 2 }]);
    assert.equal(tapepos.format(pos), after('tapepos'));

    const final = bytesOnTape.parse(after('bytes_on_tape'), 'bytes_on_tape');
    let bot = bytesOnTape.parse(before('bytes_on_tape'), 'bytes_on_tape');
    for (const cart of [2, 3, 1]) bot = bytesOnTape.set(bot, { ...bytesOnTape.get(final, cart)! });
    assert.equal(bytesOnTape.format(bot), after('bytes_on_tape'));

    let eub = everUsed.parse(before('ever_used_blocksizes'), 'e');
    eub = everUsed.add(eub, 1024);
    assert.equal(everUsed.format(eub), after('ever_used_blocksizes'));
  });
}

test('files afbackup created from nothing come out the same from empty models', () => {
  assert.equal(everUsed.format(everUsed.add(everUsed.empty(), 1024)), read('simple/ever_used_blocksizes'));
  assert.equal(precious.format(precious.setClient(precious.empty(), 'afdemo-client', [1])), read('simple/precious_tapes'));
  assert.equal(readonly.format(readonly.empty()), read('simple/readonly_tapes'));
  assert.equal(readonly.format(readonly.add(readonly.empty(), [5, 6])), read('simple/readonly_tapes.after-04-M-readonly'));
  const ro = readonly.parse(read('simple/readonly_tapes.after-04-M-readonly'), 'r');
  assert.equal(readonly.format(readonly.remove(ro, [5, 6])), read('simple/readonly_tapes'));
  let pos = tapepos.setDevicePos(tapepos.empty(), '/srv/afdemo/tape/vol', 1, 1);
  pos = tapepos.setInsertPos(pos, 1, 1, 6);
  assert.equal(tapepos.format(pos), read('simple/tapepos'));
  const st = status.parse(read('simple/status'), 'status');
  const line = st.lines[0]!;
  assert.equal(status.format({ lines: [{ time: line.time, pid: line.pid, text: line.text }] }), read('simple/status'));
});
