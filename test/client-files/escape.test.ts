/**
 * Tests of afbackup's C-escaping of names: round trips for every byte value and
 * the exact forms written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeLatin1, escapeName, unescapeLatin1, unescapeName } from '../../src/client/escape.js';

test('every single byte value round-trips', () => {
  for (let b = 0; b < 256; b++) {
    const name = Buffer.from([0x61, b, 0x62]);
    assert.deepEqual(unescapeName(escapeName(name)), name, `byte 0x${b.toString(16)}`);
  }
});

test('a name of all 256 bytes round-trips and the escaped form has no newline', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const esc = escapeName(all);
  assert.equal(esc.includes(0x0a), false);
  assert.deepEqual(unescapeName(esc), all);
});

test('the forms written', () => {
  assert.equal(escapeLatin1('a\nb'), 'a\\nb');
  assert.equal(escapeLatin1('a\tb'), 'a\\tb');
  assert.equal(escapeLatin1('a\\b'), 'a\\\\b');
  assert.equal(escapeLatin1('a"b'), 'a\\"b');
  assert.equal(escapeLatin1('a\x01b\x7f'), 'a\\001b\\177');
  assert.equal(escapeLatin1('caf\xe9.txt'), 'caf\xe9.txt', 'high bytes stay raw');
});

test('unescaping understands other C letters, short octal and unknown escapes', () => {
  assert.equal(unescapeLatin1('\\r\\b\\f\\v\\a'), '\r\b\f\v\x07');
  assert.equal(unescapeLatin1('\\101\\7x'), 'A\x07x');
  assert.equal(unescapeLatin1('\\351'), '\xe9');
  assert.equal(unescapeLatin1('\\q'), 'q');
  assert.equal(unescapeLatin1('end\\'), 'end\\');
});
