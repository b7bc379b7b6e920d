/** cartready as a child process: deleting the cartridge-ready flag, its messages and exit statuses. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../src/version.js';
import { makeSite, run } from './helpers.js';

// Every test has its own site, so they run side by side.
describe('cartready', { concurrency: 2 }, () => {
  test('cartready --help and --version print to stdout and exit 0', async () => {
    const help = await run('cartready', ['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: cartready \[-c conf\]\n/);
    assert.match(help.stdout, /cartready\(8\)/);
    assert.equal(help.stderr, '');
    const version = await run('cartready', ['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout, `cartready (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`);
  });

  test('cartready removes the flag of a waiting session and says nothing', async () => {
    const site = makeSite();
    try {
      fs.writeFileSync(site.flag, '12345\n');
      const r = await run('cartready', ['-c', site.conf], { env: site.env });
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
      assert.equal(fs.existsSync(site.flag), false);
    } finally {
      site.remove();
    }
  });

  test('cartready without a flag exits 1 with one line naming the flag', async () => {
    const site = makeSite();
    try {
      const r = await run('cartready', ['-c', site.conf], { env: site.env });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `cartready: no session is waiting for a cartridge ("${site.flag}" does not exist)\n`);
    } finally {
      site.remove();
    }
  });

  test('cartready needs no configuration file unless one is named', async () => {
    const site = makeSite();
    try {
      fs.writeFileSync(site.flag, '1\n');
      // No -c: the standard places are looked at; none existing is fine.
      const r = await run('cartready', [], { env: site.env });
      if (fs.existsSync('/etc/afbackup/server.conf') || fs.existsSync('/etc/afserver.conf')) return; // a real installation decides
      assert.equal(r.status, 0, r.stderr);
      assert.equal(fs.existsSync(site.flag), false);
    } finally {
      site.remove();
    }
  });

  test('cartready reports a broken or missing named configuration with exit 32', async () => {
    const site = makeSite();
    try {
      fs.writeFileSync(site.flag, '1\n');
      fs.appendFileSync(site.conf, 'Authentication-Scheme: rot13\n');
      const broken = await run('cartready', ['-c', site.conf], { env: site.env });
      assert.equal(broken.status, 32);
      assert.match(broken.stderr, /^cartready: Configuration file has an error: ".*server\.conf"/);
      assert.equal(broken.stderr.split('\n').length, 2, 'one line');
      const missing = await run('cartready', ['-c', path.join(site.root, 'nope.conf')], { env: site.env });
      assert.equal(missing.status, 32);
      assert.match(missing.stderr, /^cartready: Configuration file has an error: cannot read ".*nope\.conf"/);
      assert.equal(fs.existsSync(site.flag), true, 'the flag stays when the configuration is bad');
    } finally {
      site.remove();
    }
  });

  test('cartready rejects unknown options and arguments with exit 2', async () => {
    const unknown = await run('cartready', ['-x']);
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'cartready: Invalid command line: unknown option -x (see --help)\n');
    const arg = await run('cartready', ['7']);
    assert.equal(arg.status, 2);
    assert.equal(arg.stderr, 'cartready: Invalid command line: unexpected argument "7" (see --help)\n');
    const noValue = await run('cartready', ['-c']);
    assert.equal(noValue.status, 2);
    assert.equal(noValue.stderr, 'cartready: Invalid command line: option -c needs a value (see --help)\n');
  });

  test('cartready exits 1 when the flag cannot be removed', async () => {
    const site = makeSite();
    try {
      fs.mkdirSync(site.flag); // unlink() of a directory fails, for root too
      const r = await run('cartready', ['-c', site.conf], { env: site.env });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^cartready: cannot remove ".*": E[A-Z]+\n$/);
    } finally {
      fs.rmSync(site.flag, { recursive: true, force: true });
      site.remove();
    }
  });
});
