/**
 * Names that could leave the restore root are never handed to afclient; the
 * emergency restore (-e) follows the minimum restore info on stdin to the
 * start-positions copy and restores every tape file of that backup.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afrestore, captureRunner, goldenClientDir, FIXTURES } from './helpers.js';

test('a name with a ".." component is refused before afclient sees it (status 14)', async () => {
  const c = goldenClientDir('simple');
  try {
    fs.writeFileSync(path.join(c.varDir, 'num'), '3\n');
    fs.writeFileSync(
      path.join(c.varDir, 'backup_log.3'),
      '127.0.0.1%29880!3.1:\n## Full backup at Thu Nov 26 10:00:00 2026, current number: 3, hostname: vm client id: afdemo-client\n' +
        '127.0.0.1%29880!3.1|0~1: /srv/../../etc/evil\n127.0.0.1%29880!3.1|0~1: /srv/good/evil-twin\n',
    );
    const { runner, calls } = captureRunner();
    const r = await afrestore(['-c', c.conf, 'evil'], runner);
    assert.equal(r.status, 14);
    assert.deepEqual(r.err, ['/srv/../../etc/evil: not restored: the name contains a ".." component and could leave the restore root']);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.stdin, '/srv/good/evil-twin\n');
    const only = captureRunner();
    const r2 = await afrestore(['-c', c.conf, '-p', '/srv/../*'], only.runner);
    assert.equal(r2.status, 14);
    assert.equal(only.calls.length, 0, 'nothing left to restore: afclient is not started');
  } finally {
    c.cleanup();
  }
});

test('-e reads the minimum restore info, fetches the start-positions copy and restores each tape file with -a', async () => {
  const c = goldenClientDir('simple');
  try {
    const info = fs.readFileSync(path.join(FIXTURES, 'simple', 'log-startup-info.txt'), 'latin1');
    const copy = fs.readFileSync(path.join(FIXTURES, 'simple', 'start_positions'), 'latin1');
    const target = path.join(c.dir, 'emergency');
    const { runner, calls } = captureRunner((r, i) => {
      if (i === 0) {
        // afclient -x puts the requested copy below its working directory (-r).
        const name = r.stdin!.toString('latin1').trim().replace(/^\/+/, '');
        fs.mkdirSync(path.join(r.cwd, path.dirname(name)), { recursive: true });
        fs.writeFileSync(path.join(r.cwd, name), copy);
      }
      return 0;
    });
    const res = await afrestore(['-c', c.conf, '-e', '-C', target], runner, info);
    assert.equal(res.status, 0, res.err.join('\n'));
    assert.equal(calls.length, 3);
    assert.deepEqual(calls[0]!.argv.slice(0, 11), ['-xgu', '-h', '127.0.0.1', '-p', '29880', '-k', '/srv/afdemo/etc/cryptkey', '-C', '1', '-F', '5']);
    assert.equal(calls[0]!.stdin, '/tmp/afbsp_Dm3_N3H_MnH1F1_zog3\n', 'the latest info line is used');
    assert.deepEqual(calls.slice(1).map((x) => [x.argv[0], ...x.argv.slice(7, 11), x.cwd]), [
      ['-xvau', '-C', '1', '-F', '4', target],
      ['-xvau', '-C', '1', '-F', '5', target],
    ]);
    const none = await afrestore(['-c', c.conf, '-e', '-C', target], captureRunner().runner, 'nothing here\n');
    assert.equal(none.status, 2);
  } finally {
    c.cleanup();
  }
});
