/**
 * afrestore over the golden index of the vectors (backup_log.1.z, unprocessed
 * through the `gunzip` stored in .backup_log.1.z): the afclient command lines of
 * `afrestore -a -v -C ...` equal the captured execve trace (-C 1 -F 4, then
 * -F 5), and listing, counting, needed tapes and the selections by pattern, time
 * and index number give what the index says.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afrestore, captureRunner, goldenAfclientCalls, goldenClientDir, FIXTURES } from './helpers.js';

const lines = (b: Buffer): string[] => b.toString('latin1').split('\n').filter((l) => l !== '');

for (const variant of ['simple', 'des'] as const) {
  test(`${variant}: afrestore -a -v runs the golden afclient command lines, one per tape file`, async () => {
    const c = goldenClientDir(variant);
    try {
      const golden = fs.readFileSync(path.join(FIXTURES, variant, '17-afrestore.out'), 'latin1').split('\n');
      const target = path.join(c.dir, 'restore', 'afrestore');
      // Replays afclient's output of the capture for each tape file.
      const perGroup = [golden.slice(1, 12).join('\n') + '\n', golden.slice(13, 17).join('\n') + '\n'];
      const { runner, calls } = captureRunner((r, i) => {
        r.out(Buffer.from(perGroup[i]!, 'latin1'));
        return 0;
      });
      const r = await afrestore(['-c', c.conf, '-a', '-v', '-C', target], runner);
      assert.equal(r.status, 0, r.err.join('\n'));
      assert.deepEqual(calls.map((x) => x.argv), goldenAfclientCalls(variant));
      assert.deepEqual(calls.map((x) => x.argv.slice(7, 11)), [['-C', '1', '-F', '4'], ['-C', '1', '-F', '5']]);
      assert.deepEqual(calls.map((x) => x.stdin), ['', '']);
      assert.ok(calls.every((x) => x.cwd === target));
      assert.ok(fs.statSync(target).isDirectory(), '-C creates the restore root');
      assert.equal(r.out.toString('latin1'), golden.join('\n'), 'stdout equals the captured 17-afrestore.out');
    } finally {
      c.cleanup();
    }
  });
}

test('-l lists the escaped names of the current index, each name once (latest version)', async () => {
  const c = goldenClientDir('simple');
  try {
    const r = await afrestore(['-c', c.conf, '-l', 'afdemo/data'], captureRunner().runner);
    assert.equal(r.status, 0, r.err.join('\n'));
    assert.deepEqual(lines(r.out), [
      '/srv/afdemo/data/link-to-text',
      '/srv/afdemo/data/text.txt',
      '/srv/afdemo/data/empty',
      '/srv/afdemo/data/sub/hardlink.txt',
      '/srv/afdemo/data/sub/random.bin',
      '/srv/afdemo/data/sub',
      '/srv/afdemo/data/caf\xe9.txt',
      '/srv/afdemo/data',
      '/srv/afdemo/data/incr-new.txt',
    ]);
  } finally {
    c.cleanup();
  }
});

test('-l -F expands every format letter', async () => {
  const c = goldenClientDir('simple');
  try {
    const fmt = '%n %b %O %o %m %M %t %T %h %p %c %f %%\\n';
    const r = await afrestore(['-c', c.conf, '-l', '-F', fmt, '-p', '/srv/afdemo/data/*.txt'], captureRunner().runner);
    assert.equal(r.status, 0, r.err.join('\n'));
    const got = lines(r.out);
    // `*` also matches `/`, as in afbackup: sub/hardlink.txt is selected too.
    assert.equal(got.length, 4);
    assert.equal(
      got[0],
      '/srv/afdemo/data/text.txt text.txt root 0 1306929600 Wed Jun  1 12:00:00 2011 1795610225 Wed Nov 25 12:37:05 2026 127.0.0.1 29880 1 4 %',
    );
    assert.match(got[1]!, /^\/srv\/afdemo\/data\/sub\/hardlink\.txt hardlink\.txt /);
    assert.match(got[2]!, /^\/srv\/afdemo\/data\/caf\xe9\.txt caf\xe9\.txt root 0 1362279783 /);
    assert.match(got[3]!, /^\/srv\/afdemo\/data\/incr-new\.txt incr-new\.txt root 0 1893456000 Tue Jan  1 00:00:00 2030 1795610226 Wed Nov 25 12:37:06 2026 127.0.0.1 29880 1 5 %$/);
  } finally {
    c.cleanup();
  }
});

test('-n counts, -t names the cartridges needed', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    assert.equal((await afrestore(['-c', c.conf, '-n', 'data'], runner)).out.toString(), '9\n');
    assert.equal((await afrestore(['-c', c.conf, '-n', 'sub'], runner)).out.toString(), '3\n');
    assert.equal((await afrestore(['-c', c.conf, '-n', 'nothing-like-this'], runner)).out.toString(), '0\n');
    const t = await afrestore(['-c', c.conf, '-t', 'data'], runner);
    assert.equal(t.out.toString(), 'Server 127.0.0.1, port 29880: cartridges 1\n');
    assert.equal(calls.length, 0, 'listing modes never start afclient');
  } finally {
    c.cleanup();
  }
});

test('a pattern restore runs afclient per tape file in tape order with the escaped names on stdin', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const r = await afrestore(['-c', c.conf, '-v', '.txt'], runner);
    assert.equal(r.status, 0, r.err.join('\n'));
    assert.deepEqual(calls.map((x) => x.argv), [
      ['-xvgnlu', '-h', '127.0.0.1', '-p', '29880', '-k', '/srv/afdemo/etc/cryptkey', '-C', '1', '-F', '4', '-W', 'afdemo-client', '-r'],
      ['-xvgnlu', '-h', '127.0.0.1', '-p', '29880', '-k', '/srv/afdemo/etc/cryptkey', '-C', '1', '-F', '5', '-W', 'afdemo-client', '-r'],
    ]);
    assert.equal(calls[0]!.stdin, '/srv/afdemo/data/text.txt\n/srv/afdemo/data/sub/hardlink.txt\n/srv/afdemo/data/caf\xe9.txt\n');
    assert.equal(calls[1]!.stdin, '/srv/afdemo/data/incr-new.txt\n');
    assert.deepEqual(lines(r.out), [
      'Going to restore from server 127.0.0.1, port 29880, cartridge 1, file 4',
      'Going to restore from server 127.0.0.1, port 29880, cartridge 1, file 5',
    ]);
  } finally {
    c.cleanup();
  }
});

test('selection: -p whole-path wildcards, -i ignores case, -m keeps existing files', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner } = captureRunner();
    const exact = await afrestore(['-c', c.conf, '-l', '-p', '/srv/afdemo/data/sub'], runner);
    assert.deepEqual(lines(exact.out), ['/srv/afdemo/data/sub']);
    const glob = await afrestore(['-c', c.conf, '-l', '-p', 'srv/afdemo/data/s[u]b/*'], runner);
    assert.deepEqual(lines(glob.out), ['/srv/afdemo/data/sub/hardlink.txt', '/srv/afdemo/data/sub/random.bin']);
    assert.equal((await afrestore(['-c', c.conf, '-n', 'RANDOM'], runner)).out.toString(), '0\n');
    assert.equal((await afrestore(['-c', c.conf, '-n', '-i', 'RANDOM'], runner)).out.toString(), '1\n');
    const m = captureRunner();
    await afrestore(['-c', c.conf, '-m', 'random'], m.runner);
    assert.equal(m.calls[0]!.argv[0], '-xvg', '-m drops the u (replace existing) flag');
  } finally {
    c.cleanup();
  }
});

test('selection by time: -A/-B on file mtimes and, after %, on the backup start', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner, calls } = captureRunner();
    const after2014 = await afrestore(['-c', c.conf, '-l', '-A', '01.01.2014', 'data/'], runner);
    assert.deepEqual(lines(after2014.out), [
      '/srv/afdemo/data/link-to-text',
      '/srv/afdemo/data/sub/random.bin',
      '/srv/afdemo/data/sub',
      '/srv/afdemo/data/incr-new.txt',
    ]);
    const before2012 = await afrestore(['-c', c.conf, '-l', '-B', '01/01/2012 00:00', 'data/'], runner);
    assert.deepEqual(lines(before2012.out), ['/srv/afdemo/data/text.txt', '/srv/afdemo/data/sub/hardlink.txt']);
    // Only the incremental run started at or after 12:37:06.
    const incr = await afrestore(['-c', c.conf, '-l', '-A', '%Wed Nov 25 12:37:06 2026', 'data'], runner);
    assert.deepEqual(lines(incr.out), ['/srv/afdemo/data/incr-new.txt']);
    const full = await afrestore(['-c', c.conf, '-n', '-B', '% 25.11.2026 12:37:06', 'data'], runner);
    assert.equal(full.out.toString(), '8\n');
    // The file times go to afclient too.
    await afrestore(['-c', c.conf, '-A', '@1390000000', 'random'], runner);
    assert.deepEqual(calls.at(-1)!.argv.slice(-2), ['-A', '1390000000']);
  } finally {
    c.cleanup();
  }
});

test('selection by index number: -1 reads the index of the previous full backup; latest version wins', async () => {
  const c = goldenClientDir('simple');
  try {
    // A second full backup (number 2) with a newer text.txt, an incremental that saved it once more.
    fs.writeFileSync(path.join(c.varDir, 'num'), '2\n');
    fs.writeFileSync(
      path.join(c.varDir, 'backup_log.2'),
      [
        '127.0.0.1%29880!2.1:',
        '## Full backup at Thu Nov 26 10:00:00 2026, current number: 2, hostname: vm client id: afdemo-client',
        '127.0.0.1%29880!2.1|0~1795000000: /srv/afdemo/data/text.txt',
        '127.0.0.1%29880!2.1|0~1499411227: /srv/afdemo/data',
        '',
        '127.0.0.1%29880!2.2:',
        '## Incremental backup at Fri Nov 27 10:00:00 2026, current number: 2, hostname: vm client id: afdemo-client',
        '127.0.0.1%29880!2.2|0~1795100000: /srv/afdemo/data/text.txt',
        '',
      ].join('\n'),
    );
    const { runner, calls } = captureRunner();
    const now = await afrestore(['-c', c.conf, '-l', '-F', '%n %c.%f\\n', 'text.txt'], runner);
    assert.deepEqual(lines(now.out), ['/srv/afdemo/data/text.txt 2.2']);
    const prev = await afrestore(['-c', c.conf, '-l', '-F', '%n %c.%f\\n', '-1', 'text.txt'], runner);
    assert.deepEqual(lines(prev.out), ['/srv/afdemo/data/text.txt 1.4']);
    // With a time limit every index is scanned and every version that passes is listed.
    const all = await afrestore(['-c', c.conf, '-l', '-F', '%n %c.%f\\n', '-B', '01.01.2030', 'text.txt'], runner);
    assert.deepEqual(lines(all.out), ['/srv/afdemo/data/text.txt 1.4', '/srv/afdemo/data/text.txt 2.1', '/srv/afdemo/data/text.txt 2.2']);
    // ... and -N limits the scan to the newest index.
    const one = await afrestore(['-c', c.conf, '-l', '-F', '%n %c.%f\\n', '-N', '1', '-B', '01.01.2030', 'text.txt'], runner);
    assert.deepEqual(lines(one.out), ['/srv/afdemo/data/text.txt 2.1', '/srv/afdemo/data/text.txt 2.2']);
    // A restore with a time limit takes the latest version that passes it.
    await afrestore(['-c', c.conf, '-B', '% 27.11.2026', 'text.txt'], runner);
    assert.deepEqual(calls.map((x) => x.argv.slice(7, 11)), [['-C', '2', '-F', '1']]);
    const missing = await afrestore(['-c', c.conf, '-l', '-5', 'x'], runner);
    assert.notEqual(missing.status, 0);
    assert.match(missing.err.join('\n'), /no index file for backup number -3/i);
  } finally {
    c.cleanup();
  }
});

test('usage errors: no pattern, -a with patterns, a bad date', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner } = captureRunner();
    for (const argv of [['-c', c.conf], ['-c', c.conf, '-a', 'x'], ['-c', c.conf, '-A', '31.02.2020', 'x'], ['-c', c.conf, '-q', 'x']]) {
      const r = await afrestore(argv, runner);
      assert.equal(r.status, 2, `${argv.join(' ')}: ${r.err.join('\n')}`);
      assert.equal(r.err.length, 1);
    }
  } finally {
    c.cleanup();
  }
});

test('--json with -l, -n and -t; a Latin-1 byte stays an escape so JSON is ASCII', async () => {
  const c = goldenClientDir('simple');
  try {
    const { runner } = captureRunner();
    const l = await afrestore(['-c', c.conf, '-l', '--json', 'caf'], runner);
    assert.equal(l.status, 0, l.err.join('\n'));
    assert.deepEqual(JSON.parse(l.out.toString('latin1')), [
      { name: '/srv/afdemo/data/caf\\351.txt', server: '127.0.0.1', port: 29880, cartridge: 1, file: 4, uid: 0, mtime: 1362279783, backupTime: 1795610225, index: 1 },
    ]);
    assert.deepEqual(JSON.parse((await afrestore(['-c', c.conf, '-n', '--json', 'sub'], runner)).out.toString()), { count: 3 });
    assert.deepEqual(JSON.parse((await afrestore(['-c', c.conf, '-t', '--json', 'data'], runner)).out.toString()), [
      { host: '127.0.0.1', port: 29880, cartridges: [1] },
    ]);
    assert.equal((await afrestore(['-c', c.conf, '--json', 'data'], runner)).status, 2, '--json alone is a usage error');
    assert.equal((await afrestore(['-c', c.conf, '-a', '-B', '01.01.2020'], runner)).status, 2, '-a takes no -B');
  } finally {
    c.cleanup();
  }
});
