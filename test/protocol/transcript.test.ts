/**
 * The transcript parser on a small hand-made text, and the integrity of the copied
 * fixtures against the checksums of the original vectors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { isAfError } from '../../src/errors.js';
import { view } from '../../src/protocol/bytes.js';
import { expandItems, parseTranscript } from '../../src/protocol/transcript.js';
import { TRANSCRIPTS, VARIANTS, fixtureBytes, fixtureText, loadTranscript } from './fixtures.js';

const SAMPLE = [
  '# afbackup 3.5.8 wire transcript',
  '# variant: simple',
  '#',
  '# < @0 banner (42 bytes)',
  '< 6166',
  '> 62',
  '# > (continued) something',
  '< 00000400',
  '# > @1 \'W\' WRITETOTAPE + 2 data bytes (all zero bytes)   [x3 consecutive identical items, each 3 bytes]',
  '> 570000',
  '> 5700005700',
  '> 00',
  '# EOF C->S (client closed its sending side)',
  '',
].join('\n');

test('parses header, chunks, streams, items and comments', () => {
  const t = parseTranscript(SAMPLE);
  assert.deepEqual(t.header, ['afbackup 3.5.8 wire transcript', 'variant: simple', '']);
  assert.equal(t.c2s.toString('hex'), '62570000570000570000');
  assert.equal(t.s2c.toString('hex'), '616600000400');
  assert.deepEqual(t.chunks.map((c) => c.dir), ['<', '>', '<', '>', '>', '>']);
  assert.equal(t.items.length, 2);
  assert.deepEqual(t.items[0], { dir: '<', offset: 0, text: 'banner (42 bytes)', count: 1, size: null });
  assert.deepEqual(t.items[1], { dir: '>', offset: 1, text: "'W' WRITETOTAPE + 2 data bytes (all zero bytes)", count: 3, size: 3 });
  assert.deepEqual(t.comments, ['> (continued) something', 'EOF C->S (client closed its sending side)']);
});

test('expandItems spreads repeated items over their offsets', () => {
  const items = expandItems(parseTranscript(SAMPLE).items);
  assert.deepEqual(items.map((i) => `${i.dir}${i.offset}`), ['<0', '>1', '>4', '>7']);
  assert.ok(items.every((i) => i.count === 1));
});

test('CRLF line ends are accepted', () => {
  const t = parseTranscript(SAMPLE.replace(/\n/g, '\r\n'));
  assert.equal(t.c2s.length, 10);
  assert.equal(t.items.length, 2);
});

test('malformed lines are refused with their line number', () => {
  assert.throws(() => parseTranscript('> 123\n'), (e: unknown) => isAfError(e, 'PROTOCOL_ERROR') && /line 1/.test(e.message));
  assert.throws(() => parseTranscript('# x\n> 12\nhello\n'), (e: unknown) => isAfError(e, 'PROTOCOL_ERROR') && /line 3/.test(e.message));
  assert.throws(() => parseTranscript('> zz\n'), (e: unknown) => isAfError(e, 'PROTOCOL_ERROR'));
});

test('fixture copies match the checksums of the original vectors', () => {
  const sums = fixtureText('SHA256SUMS.orig').trim().split('\n');
  assert.equal(sums.length, 3 + 2 * TRANSCRIPTS.length);
  for (const line of sums) {
    const [sum, rel] = line.split(/\s+/) as [string, string];
    const name = rel.replace(/^\.\//, '').replace(/^checks\//, '');
    assert.equal(crypto.createHash('sha256').update(view(fixtureBytes(name))).digest('hex'), sum, name);
  }
});

test('every copied transcript parses, with the byte totals its header states', () => {
  for (const v of VARIANTS) {
    for (const name of TRANSCRIPTS) {
      const t = loadTranscript(v, name);
      const totals = t.header.map((h) => /^totals: C->S (\d+) bytes in (\d+) chunks, S->C (\d+) bytes in (\d+) chunks/.exec(h)).find((m) => m);
      assert.ok(totals, `${v}/${name} has a totals line`);
      assert.equal(t.c2s.length, Number(totals[1]), `${v}/${name} C->S`);
      assert.equal(t.chunks.filter((c) => c.dir === '>').length, Number(totals[2]));
      assert.equal(t.s2c.length, Number(totals[3]), `${v}/${name} S->C`);
      assert.equal(t.chunks.filter((c) => c.dir === '<').length, Number(totals[4]));
      assert.ok(t.header.some((h) => h === `variant: ${v} (${v === 'des' ? '16-byte 3DES-EDE2-CBC' : '4-byte simple'} challenge/response)`));
    }
  }
});
