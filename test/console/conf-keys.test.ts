/**
 * The two TapeServer keys added for afconsole (`Key File`, `Server Config`) are read
 * into the model, and a misspelt one is still refused naming the word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfText } from '../../src/director/conf/parser.js';
import { validateConfig } from '../../src/director/conf/validate.js';
import { isAfError } from '../../src/errors.js';

const BASE = 'Director {\n  Name = d\n  Var Directory = /tmp/x\n}\n';

test('TapeServer Key File and Server Config', () => {
  const text = `${BASE}TapeServer {\n  Name = t\n  Address = tape\n  Key File = /etc/afbackup/cryptkey\n  Server Config = "/etc/afbackup/server.conf"\n}\n`;
  const c = validateConfig(parseConfText(text, 'x.conf'), 'x.conf');
  const t = c.tapeServers.get('t')!;
  assert.equal(t.keyFile, '/etc/afbackup/cryptkey');
  assert.equal(t.serverConfig, '/etc/afbackup/server.conf');
  const plain = validateConfig(parseConfText(`${BASE}TapeServer {\n  Name = t\n  Address = tape\n}\n`, 'y.conf'), 'y.conf').tapeServers.get('t')!;
  assert.equal(plain.keyFile, undefined);
  assert.equal(plain.serverConfig, undefined);
});

test('a misspelt key is refused with file, line and word', () => {
  const text = `${BASE}TapeServer {\n  Name = t\n  Address = tape\n  Server Conf = /x\n}\n`;
  assert.throws(() => validateConfig(parseConfText(text, 'z.conf'), 'z.conf'), (e: unknown) => isAfError(e, 'CONFIG_SYNTAX') && /z\.conf" line 8/.test(e.message) && /Server Conf/.test(e.message));
});
