/**
 * Tests of the minimum restore info: the plain line given to the
 * StartupInfoProgram and the checked INFORMATION header on the golden tapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESTORE_INFO_PREFIX,
  checkOf,
  findCheckedLines,
  formatCheckedLine,
  formatInformationHeader,
  formatRestoreInfoLine,
  parseCheckedLine,
  parseInformationHeader,
  parseRestoreInfoLine,
} from '../../src/client/files/restore-info.js';
import { parseIndex } from '../../src/client/files/index-file.js';
import * as levels from '../../src/client/files/level-timestamps.js';
import * as startPositions from '../../src/client/files/start-positions.js';
import { VARIANTS, fixture, fixtureText } from './helpers.js';

for (const v of VARIANTS) {
  test(`${v}: the StartupInfoProgram lines parse and format back`, () => {
    const lines = fixtureText(v, 'log-startup-info.txt').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2);
    const sp = startPositions.parse(fixtureText(v, 'start_positions'), 'start_positions').entries;
    lines.forEach((line, i) => {
      const info = parseRestoreInfoLine(line)!;
      assert.equal(info.clientId, 'afdemo-client');
      assert.equal(info.server, sp[i]!.host);
      assert.equal(info.port, sp[i]!.port);
      assert.equal(info.cart, sp[i]!.cart);
      assert.equal(info.file, sp[i]!.file);
      assert.match(info.startPositionsPath, /^\/tmp\/afbsp_/);
      assert.equal(formatRestoreInfoLine(info), line);
    });
  });

  test(`${v}: the INFORMATION header computed from the golden values equals the one on tape`, () => {
    const tape = fixture(v, 'data.4.head');
    const m = /^100;(\d+);/.exec(tape.toString('latin1', 0, 20))!;
    const start = m[0].length;
    const payload = tape.toString('latin1', start, start + Number(m[1]));
    assert.equal(tape.toString('latin1', start + Number(m[1]), start + Number(m[1]) + 1), '.');
    // The golden values: the start info line and the index header of the full backup.
    const info = parseRestoreInfoLine(fixtureText(v, 'log-startup-info.txt').split('\n')[0]!)!;
    const header = parseIndex(fixture(v, 'backup_log.1.decompressed.txt')).lines[1]!;
    assert.equal(header.kind, 'header');
    const h = header.kind === 'header' ? header : undefined!;
    // The header and the INFORMATION record share the index header's time (level_timestamps may be a second earlier).
    const time = h.time;
    const started = levels.parse(fixtureText(v, 'level_timestamps'), 'level_timestamps').entries[0]!.time;
    assert.ok(Date.parse(time) - Date.parse(started) <= 2000);
    const built = formatInformationHeader({ checked: { time, info }, number: h.number, hostname: h.hostname });
    assert.equal(built, payload);
    const back = parseInformationHeader(payload)!;
    assert.deepEqual(back, { checked: { time, info }, number: 1, hostname: 'vm' });
  });
}

test('the checked line: prefix, two blanks, length and sum (the golden 115 21)', () => {
  const checked = {
    time: 'Wed Nov 25 12:37:05 2026',
    info: { clientId: 'afdemo-client', server: '127.0.0.1', port: 29880, cart: 1, file: 4, startPositionsPath: '/tmp/afbsp_Kl3_7Xz_LnH1F1_V622' },
  };
  const line = formatCheckedLine(checked);
  assert.ok(line.startsWith(`${RESTORE_INFO_PREFIX} 115 21 Wed Nov 25`));
  assert.ok(line.startsWith("!#@$%&^*(_)+[;,{-<=]'.}>`/|:  115 21 "));
  assert.deepEqual(parseCheckedLine(line.slice(0, -1)), { ok: true, value: checked });
  assert.deepEqual(checkOf('\xff\x02'), { length: 2, sum: 1 });
});

test('damaged copies are rejected with a reason and skipped when scanning', () => {
  const checked = { time: 'T', info: { clientId: 'c', server: 's', port: 1, cart: 2, file: 3, startPositionsPath: '/p q' } };
  const good = formatCheckedLine(checked);
  const bad = good.replace(' 2 3 ', ' 2 4 ');
  const r = parseCheckedLine(bad.slice(0, -1));
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /byte sum/);
  assert.deepEqual(findCheckedLines(`junk\n${bad}${good}`), [checked]);
  assert.equal(parseInformationHeader('nothing here'), undefined);
});

test('a client id with blanks is quoted in the restore info and read back whole', () => {
  const info = { clientId: 'two words', server: '127.0.0.1', port: 2988, cart: 3, file: 7, startPositionsPath: '/tmp/afbsp_x' };
  const plain = formatRestoreInfoLine(info);
  assert.equal(plain, '@@@===--->>> "two words" 127.0.0.1 2988 3 7 /tmp/afbsp_x');
  assert.deepEqual(parseRestoreInfoLine(plain), info);
  const checked = formatCheckedLine({ time: 'Wed Nov 25 12:11:18 2026', info });
  const back = parseCheckedLine(checked.replace(/\n$/, ''));
  assert.ok(back.ok, back.ok ? '' : back.reason);
  if (back.ok) assert.deepEqual(back.value.info, info);
});
