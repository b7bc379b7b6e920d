/**
 * ACL semantics: names, *all*, !name (deny wins), empty list allows nothing,
 * command keywords ignore case, help/quit always allowed, unknown -n console.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aclAllows, ConsoleAccess, DEFAULT_CONSOLE, selectConsole } from '../../src/director/console/acl.js';
import { isAfError } from '../../src/errors.js';
import { makeDirectorDir } from './helpers.js';

test('aclAllows: names, *all*, !name and the empty list', () => {
  assert.equal(aclAllows(['laptop'], 'laptop'), true);
  assert.equal(aclAllows(['laptop'], 'Laptop'), false);
  assert.equal(aclAllows(['laptop'], 'fileserver'), false);
  assert.equal(aclAllows(['*all*'], 'anything'), true);
  assert.equal(aclAllows(['*ALL*', '!fileserver'], 'fileserver'), false);
  assert.equal(aclAllows(['!fileserver', '*all*'], 'laptop'), true);
  assert.equal(aclAllows([], 'laptop'), false);
  assert.equal(aclAllows(['Status'], 'status', true), true);
});

test('ConsoleAccess: help and quit always; the default console is unrestricted', async () => {
  const d = await makeDirectorDir();
  try {
    const owner = selectConsole(d.config, 'laptop-owner');
    assert.equal(owner.allowsCommand('help'), true);
    assert.equal(owner.allowsCommand('quit'), true);
    assert.equal(owner.allowsCommand('cancel'), false);
    assert.equal(owner.allowsCommand('RUN'), true);
    assert.equal(owner.sees({ job: 'laptop-backup', client: 'laptop' }), true);
    assert.equal(owner.sees({ job: 'laptop-backup', client: 'fileserver' }), false);
    assert.equal(owner.allClients, false);
    const def = selectConsole(d.config, undefined);
    assert.equal(def.name, DEFAULT_CONSOLE);
    assert.equal(def.unrestricted, true);
    assert.equal(def.allowsCommand('cancel'), true);
    assert.equal(new ConsoleAccess('x', d.config.consoles.get('auditor')).allClients, true);
    assert.throws(() => selectConsole(d.config, 'nobody'), (e: unknown) => isAfError(e, 'USAGE') && /"nobody"/.test(e.message) && /laptop-owner, auditor/.test(e.message));
  } finally {
    d.cleanup();
  }
});
