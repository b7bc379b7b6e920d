/**
 * afverify over the golden index with a recording runner: the run chosen by
 * -<run>.<backup>, the afclient -d command line and names (without the removed
 * start-positions copy), -l, and the exit status when afclient finds differences.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afverify, captureRunner, goldenClientDir } from './helpers.js';

test('afverify checks the last run: afclient -d per tape file, the run\'s names on stdin', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const r = await afverify(['-c', c.conf], runner);
    assert.equal(r.status, 0, r.err.join('\n'));
    assert.deepEqual(calls.map((x) => x.argv), [
      ['-d', '-h', '127.0.0.1', '-p', '29880', '-k', '/srv/afdemo/etc/cryptkey', '-C', '1', '-F', '5', '-W', 'afdemo-client', '-r'],
    ]);
    assert.equal(calls[0]!.stdin, '/srv/afdemo/data/incr-new.txt\n', 'the start-positions copy /tmp/afbsp_... is left out');
    assert.equal(calls[0]!.cwd, c.dir, 'RootDirectory is the working directory');
    const full = captureRunner();
    await afverify(['-c', c.conf, '-v', '-1.0'], full.runner);
    assert.equal(full.calls[0]!.argv[0], '-dv');
    assert.deepEqual(full.calls[0]!.argv.slice(7, 11), ['-C', '1', '-F', '4']);
    assert.equal(full.calls[0]!.stdin.split('\n').filter(Boolean).length, 8);
  } finally {
    c.cleanup();
  }
});

test('afverify -l lists the runs with the argument that selects them', async () => {
  const c = goldenClientDir('simple');
  try {
    const r = await afverify(['-c', c.conf, '-l'], captureRunner().runner);
    assert.equal(r.status, 0);
    assert.equal(
      r.out.toString(),
      '-1.0: Full backup at Wed Nov 25 12:37:05 2026, 127.0.0.1%29880!1.4, 9 entries\n' +
        '-0.0: Incremental backup at Wed Nov 25 12:37:06 2026, 127.0.0.1%29880!1.5, 2 entries\n',
    );
  } finally {
    c.cleanup();
  }
});

test('afverify exits 1 when afclient reports differences, with afclient\'s other statuses passed on', async () => {
  const c = goldenClientDir('simple');
  try {
    const differ = await afverify(['-c', c.conf], captureRunner((r) => {
      r.out(Buffer.from('srv/afdemo/data/incr-new.txt: contents differ\n'));
      return 1;
    }).runner);
    assert.equal(differ.status, 1);
    assert.equal(differ.out.toString(), 'srv/afdemo/data/incr-new.txt: contents differ\n');
    assert.match(differ.err.join('\n'), /differs from the file system/);
    const broken = await afverify(['-c', c.conf], captureRunner(() => 52).runner);
    assert.equal(broken.status, 52);
    const none = await afverify(['-c', c.conf, '-5.0'], captureRunner().runner);
    assert.equal(none.status, 2);
  } finally {
    c.cleanup();
  }
});
