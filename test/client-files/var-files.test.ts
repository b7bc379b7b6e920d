/**
 * Tests of the client var-file codecs: the golden files of both variants
 * round-trip, typed values are right, edits are placed the afbackup way and typos
 * give STATE_SYNTAX errors naming the file and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as counter from '../../src/client/files/counter.js';
import * as indexAges from '../../src/client/files/index-ages.js';
import * as levels from '../../src/client/files/level-timestamps.js';
import * as needed from '../../src/client/files/needed-tapes.js';
import * as progress from '../../src/client/files/progress.js';
import * as saveEntries from '../../src/client/files/save-entries.js';
import * as serverIds from '../../src/client/files/server-ids.js';
import * as startPositions from '../../src/client/files/start-positions.js';
import type { StateCodec } from '../../src/state/state-file.js';
import { VARIANTS, fixtureText } from './helpers.js';

const GOLDEN: [string, StateCodec<object>][] = [
  ['num', counter.codec],
  ['index_ages', indexAges.codec],
  ['level_timestamps', levels.codec],
  ['needed_tapes', needed.codec],
  ['save_entries', saveEntries.codec],
  ['server_ids', serverIds.codec],
  ['start_positions', startPositions.codec],
];

/** A deep copy loses the recorded source text, so format() must rebuild the line. */
const fresh = <T>(v: T): T => structuredClone(v);

for (const v of VARIANTS) {
  for (const [name, codec] of GOLDEN) {
    test(`${v}: ${name} round-trips byte for byte (recorded and rebuilt)`, () => {
      const text = fixtureText(v, name);
      const model = codec.parse(text, name);
      assert.equal(codec.format(model), text);
      assert.equal(codec.format(fresh(model)), text);
    });
  }

  test(`${v}: typed values of the golden var files`, () => {
    assert.equal(counter.parse(fixtureText(v, 'num'), 'num').value, 1);
    const lt = levels.parse(fixtureText(v, 'level_timestamps'), 'level_timestamps');
    assert.equal(lt.entries[0]!.level, levels.FULL_LEVEL);
    assert.match(lt.entries[0]!.time, /^Wed Nov 25 12:37:\d\d 2026$/);
    const nt = needed.parse(fixtureText(v, 'needed_tapes'), 'needed_tapes');
    assert.deepEqual(fresh(nt.entries), [
      {
        num: 1,
        items: [
          { level: 2147483647, tapes: [[1, 1]], serverId: 'vm:/srv/afdemo/etc/server.conf' },
          { level: 0, tapes: [[1, 1]], serverId: 'vm:/srv/afdemo/etc/server.conf' },
        ],
      },
    ]);
    const sp = startPositions.parse(fixtureText(v, 'start_positions'), 'start_positions');
    assert.deepEqual(fresh(sp.entries), [
      { num: 1, part: 1, numParts: 1, host: '127.0.0.1', port: 29880, cart: 1, file: 4 },
      { num: 1, part: 1, numParts: 1, host: '127.0.0.1', port: 29880, cart: 1, file: 5 },
    ]);
    const si = serverIds.parse(fixtureText(v, 'server_ids'), 'server_ids');
    assert.equal(serverIds.get(si, '127.0.0.1', 29880), 'vm:/srv/afdemo/etc/server.conf');
    const ia = indexAges.parse(fixtureText(v, 'index_ages'), 'index_ages');
    assert.equal(ia.entries[0]!.num, 1);
    assert.ok(ia.entries[0]!.epoch > 1_700_000_000);
    assert.deepEqual(saveEntries.parse(fixtureText(v, 'save_entries'), 'save_entries').entries, ['/srv/afdemo/data']);
  });
}

test('edits: numeric order, replacement and canonical lines', () => {
  let lt = levels.parse('2147483647: Wed Nov 25 12:11:18 2026\n', 'level_timestamps');
  lt = levels.set(lt, 1, 'Thu Nov 26 01:00:00 2026');
  assert.equal(levels.format(lt), '1: Thu Nov 26 01:00:00 2026\n2147483647: Wed Nov 25 12:11:18 2026\n');
  let nt = needed.empty();
  nt = needed.set(nt, 2, [{ level: 2147483647, tapes: [[3, 5], [7, 7]], serverId: 's:/c' }]);
  nt = needed.set(nt, 1, [{ level: 0, tapes: [[1, 1]] }]);
  assert.equal(needed.format(nt), '1: 0>1\n2: 2147483647>3-5,7@s:/c\n');
  assert.equal(needed.format(needed.remove(nt, 1)), '2: 2147483647>3-5,7@s:/c\n');
  let ia = indexAges.set(indexAges.empty(), 3, 100);
  ia = indexAges.set(ia, 3, 200);
  assert.equal(indexAges.format(ia), '3: 200\n');
  const sp = startPositions.append(startPositions.empty(), { num: 2, part: 1, numParts: 3, host: 'h', port: -1, cart: 4, file: 2 });
  assert.equal(startPositions.format(sp), '2.1/3: h -1 4 2\n');
  assert.equal(startPositions.parse('7: h 2988 1 2\n', 'start_positions').entries[0]!.part, undefined);
  const si = serverIds.set(serverIds.parse('a -1 x:/c\n', 'server_ids'), { host: 'a', port: -1, serverId: 'y:/c' });
  assert.equal(serverIds.format(si), 'a -1 y:/c\n');
  assert.equal(counter.format(counter.of(12)), '12\n');
  assert.deepEqual(saveEntries.newEntries(saveEntries.of(['/a']), ['/a', '/b']), ['/b']);
});

test('progress', () => {
  const p = progress.parse('10 40 25\n', 'progress');
  assert.deepEqual({ ...p }, { done: 10, total: 40, percent: 25 });
  assert.equal(progress.format(progress.of(1, 3)), '1 3 33\n');
  assert.equal(progress.parse('1 3 33.3\n', 'progress').percent, 33.3);
  assert.throws(() => progress.parse('1 x 3\n', 'progress'), /"progress" line 1: <total> "x" is not a number/);
});

test('typos give STATE_SYNTAX errors naming the file and line', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => counter.parse('x\n', '/v/num'), /"\/v\/num" line 1: <number> "x" is not a number/],
    [() => counter.parse('1\n2\n', '/v/num'), /"\/v\/num" line 2: unexpected second line/],
    [() => levels.parse('1: Wed Nov 25 12:11:18 2026\n2: yesterday\n', 'level_timestamps'), /"level_timestamps" line 2: "yesterday" is not a ctime/],
    [() => needed.parse('1: 0>1 2147483647-1@x\n', 'needed_tapes'), /"needed_tapes" line 1: "2147483647-1@x" is not <level>><cartridges>/],
    [() => needed.parse('1: 0>1,,2\n', 'needed_tapes'), /"needed_tapes" line 1: the cartridges of "0>1,,2" are not a range list/],
    [() => startPositions.parse('1.1/1: h 2988 1 4\n1.1: h 2988 1 5\n', 'start_positions'), /"start_positions" line 2: "1.1:" is not <num>.<part>\/<numparts>:/],
    [() => startPositions.parse('1.1/1: h 2988 1\n', 'start_positions'), /"start_positions" line 1: missing field <file>/],
    [() => serverIds.parse('h x id\n', 'server_ids'), /"server_ids" line 1: <port> "x" is not a number/],
    [() => serverIds.parse('h 1\n', 'server_ids'), /"server_ids" line 1: expected <host> <port> <server id>/],
    [() => indexAges.parse('1 123\n', 'index_ages'), /"index_ages" line 1: key "1" is not <num>:/],
  ];
  for (const [run, re] of cases) {
    assert.throws(run, (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'STATE_SYNTAX');
      assert.match((e as Error).message, re);
      return true;
    });
  }
});
