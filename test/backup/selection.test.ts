/**
 * The selection walk over a real tree with awkward entries: post-order, skip
 * patterns, exclude-list files, globs, Latin-1 names, the mtime test for files and
 * directories, ctime with UseCTime, and the server polling rules.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { selectEntries, type SelectionOptions } from '../../src/client/backup/selection.js';
import { pollServers } from '../../src/client/backup/server-poll.js';
import type { BackupServer } from '../../src/config/client-config.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const OPTS: SelectionOptions = { filesToSkip: [], dirsToSkip: [], filesystemTypes: [], useCTime: false };

function tree(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'afsel-'));
  const t = (p: string): string => path.join(d, p);
  fs.mkdirSync(t('data/sub'), { recursive: true });
  fs.mkdirSync(t('data/empty-dir'));
  fs.mkdirSync(t('data/skipme'));
  fs.writeFileSync(t('data/skipme/inner'), 'x');
  fs.writeFileSync(t('data/text.txt'), 'text\n');
  fs.linkSync(t('data/text.txt'), t('data/sub/hardlink.txt'));
  fs.symlinkSync('text.txt', t('data/link-to-text'));
  execFileSync('mkfifo', [t('data/fifo')]);
  fs.writeFileSync(t('data/empty'), '');
  const fd = fs.openSync(t('data/sparse'), 'w');
  fs.ftruncateSync(fd, 10 << 20);
  fs.writeSync(fd, 'end', (10 << 20) - 3);
  fs.closeSync(fd);
  fs.writeFileSync(Buffer.concat([B(t('data/caf')), Buffer.of(0xe9), B('.txt')]), 'latin-1\n');
  fs.writeFileSync(t('data/core'), 'dump');
  fs.writeFileSync(t('data/sub/.buexcl'), 'secret*\n# comment\n');
  fs.writeFileSync(t('data/sub/secret.key'), 'k');
  fs.writeFileSync(t('data/sub/public'), 'p');
  return d;
}

function names(items: Iterable<{ kind: string }>, base: string): string[] {
  const out: string[] = [];
  for (const i of items as Iterable<{ kind: string; name?: Buffer }>) if (i.kind === 'entry') out.push(i.name!.toString('latin1').slice(base.length + 1));
  return out;
}

test('post-order walk with skips, exclude list and every kind of entry', () => {
  const d = tree();
  try {
    const got = names(
      selectEntries([{ pattern: B(path.join(d, 'data')), oneFilesystem: true, cmpTime: 0 }], {
        ...OPTS,
        filesToSkip: [B('core')],
        dirsToSkip: [B('skip*')],
        excludeListFile: B('.buexcl'),
      }),
      d,
    );
    assert.equal(got[got.length - 1], 'data', 'the root comes last');
    for (const n of ['data/text.txt', 'data/sub/hardlink.txt', 'data/link-to-text', 'data/fifo', 'data/empty', 'data/sparse', 'data/caf\xe9.txt', 'data/empty-dir', 'data/sub/public', 'data/sub/.buexcl']) {
      assert.ok(got.includes(n), `${n} is selected`);
    }
    for (const n of ['data/core', 'data/skipme', 'data/skipme/inner', 'data/sub/secret.key']) assert.ok(!got.includes(n), `${n} is skipped`);
    assert.ok(got.indexOf('data/sub/public') < got.indexOf('data/sub'), 'contents before their directory');
    const sizes = [...selectEntries([{ pattern: B(path.join(d, 'data/sparse')), oneFilesystem: false, cmpTime: 0 }], OPTS)];
    assert.deepEqual(sizes.map((s) => (s.kind === 'entry' ? [s.isFile, s.size] : s.kind)), [[true, 10 << 20]]);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('mtime test: older entries left out, directories tested too but descended; UseCTime', () => {
  const d = tree();
  try {
    const old = new Date('2015-01-01T00:00:00Z');
    const walk = (p: Buffer): void => {
      for (const n of fs.readdirSync(p, { encoding: 'buffer' })) {
        const f = Buffer.concat([p, B('/'), n]);
        const st = fs.lstatSync(f);
        if (st.isDirectory()) walk(f);
        fs.lutimesSync(f as unknown as string, old, old);
      }
    };
    walk(B(path.join(d, 'data')));
    fs.utimesSync(path.join(d, 'data'), old, old);
    const newer = new Date('2030-01-01T00:00:00Z');
    fs.utimesSync(path.join(d, 'data/sub/public'), newer, newer);
    const cmp = Math.floor(new Date('2020-01-01T00:00:00Z').getTime() / 1000);
    const root = [{ pattern: B(path.join(d, 'data')), oneFilesystem: false, cmpTime: cmp }];
    const got = names(selectEntries(root, OPTS), d);
    assert.ok(got.includes('data/sub/public'));
    assert.ok(!got.includes('data/text.txt') && !got.includes('data/sub') && !got.includes('data'));
    // utimes set every ctime to now, so with UseCTime everything is new enough again.
    const withCtime = names(selectEntries(root, { ...OPTS, useCTime: true }), d);
    assert.ok(withCtime.includes('data/text.txt') && withCtime.includes('data'));
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('glob roots expand in sorted order; a root matching nothing is reported', () => {
  const d = tree();
  try {
    const items = [...selectEntries([{ pattern: B(path.join(d, 'data/*.txt')), oneFilesystem: false, cmpTime: 0 }, { pattern: B(path.join(d, 'nothing*')), oneFilesystem: false, cmpTime: 0 }], OPTS)];
    assert.deepEqual(names(items, d), ['data/caf\xe9.txt', 'data/text.txt']);
    assert.equal(items.filter((i) => i.kind === 'noMatch').length, 1);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('server polling: first READY, else least loaded writer, else wait and retry', async () => {
  const s = (host: string): BackupServer => ({ host, port: 1, defaultPort: false, cartridgeSet: 1 });
  const answers: Record<string, string[]> = {
    a: ['Streamer state: BUSY+WRITING=3\nServer-ID: A\n', 'Streamer state: BUSY\n'],
    b: ['Streamer state: BUSY+WRITING=1+PENDING=1\nServer-ID: B\n', 'Streamer state: READY\nServer-ID: B\n'],
  };
  const round = { n: 0 };
  const q = (server: BackupServer) => Promise.resolve({ status: 0, stdout: answers[server.host]![round.n]!, stderr: '' });
  const r1 = await pollServers([s('a'), s('b')], { query: q, sleep: async () => undefined, note: () => undefined });
  assert.equal(r1.chosen.server.host, 'b', 'least load among writers');
  round.n = 1;
  const r2 = await pollServers([s('a'), s('b')], { query: q, sleep: async () => undefined, note: () => undefined });
  assert.equal(r2.chosen.server.host, 'b', 'the ready one');
  let slept = 0;
  const idle = (server: BackupServer) => Promise.resolve(slept >= 2 && server.host === 'b' ? { status: 0, stdout: 'Streamer state: READY\n', stderr: '' } : { status: 0, stdout: 'Streamer state: DEVINUSE\n', stderr: '' });
  const r3 = await pollServers([s('a'), s('b')], { query: idle, sleep: async () => void slept++, note: () => undefined });
  assert.equal(slept, 2);
  assert.equal(r3.chosen.server.host, 'b');
  const dead = () => Promise.resolve({ status: 11, stdout: '', stderr: 'key file cannot be used\n' });
  await assert.rejects(pollServers([s('a')], { query: dead, sleep: async () => undefined, note: () => undefined }), /no server can be used/);
  const flaky = (server: BackupServer) => Promise.resolve(server.host === 'a' ? { status: 52, stdout: '', stderr: 'refused' } : { status: 0, stdout: 'Streamer state: UNLOADED+CHANGEABLE\n', stderr: '' });
  assert.equal((await pollServers([s('a'), s('b')], { query: flaky, sleep: async () => undefined, note: () => undefined })).chosen.server.host, 'b');
});
