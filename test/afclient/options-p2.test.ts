/**
 * The afclient options beyond the basic modes, on archive files (-f) so no
 * server is needed: -z with an external command (stored unprocess field, undone
 * by -x and -t), -s, -Z, the special names (//./.. not verified, /.. raw
 * contents, ||| command output restored through its restore command), the time
 * windows -N/-A/-B on create and extract, -T name files, -e error logs and -E
 * time stamps; the option parser for the combined full_backup and afrestore
 * command lines; /etc/services lookups for -p.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afclient } from './helpers.js';
import { parseAfclientArgs } from '../../src/client/afclient/options.js';
import { lookupService, resolveAddress } from '../../src/client/afclient/address.js';
import { packPolicy, classifyName, globToRegExp } from '../../src/client/afclient/pack-entry.js';
import { readArchive } from '../../src/archive/unpacker.js';
import { Progress, progressText } from '../../src/client/afclient/progress.js';

function tmp(t: { after(fn: () => void): void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'afopt-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('parser: the full_backup and afrestore command lines', () => {
  const c = parseAfclientArgs(['-QwjcvnlOUE', '-h', 'h', '-H-', '-p', '29880', '-z', '. 2', '.', '-k', 'k', '-s', '*.gz', '-s', '*.bz2', '-W', 'id', '-V', '/tmp/r', '-G', '-S', '2', '-Z']);
  assert.equal(c.mode, 'create');
  assert.deepEqual(c.queries, { state: true, newCartridge: true, position: false, writePosition: true });
  assert.equal(c.header, '-');
  assert.deepEqual(c.compress, { proc: '. 2', unproc: '.' });
  assert.deepEqual(c.dontCompress, ['*.gz', '*.bz2']);
  assert.equal(c.reportFile, '/tmp/r');
  assert.equal(c.cartSet, 2);
  assert.ok(c.newFile && c.verbose && c.positions && c.location && c.showUid && c.showMtime && c.longErrors && c.crc);
  const x = parseAfclientArgs(['-xvanlu', '-h', 'h', '-p', '1', '-k', 'k', '-C', '1', '-F', '4', '-W', 'id', '-r', '-o', '1000:100:4,5', '-A', '100', '-B', '200', '-g', '-i', '-K', '-b']);
  assert.equal(x.mode, 'extract');
  assert.ok(x.all && x.overwrite && x.relative && x.skipGarbage && x.ignoreOwner && x.dontKeepAtime && x.noQueue);
  assert.equal(x.owner, '1000:100:4,5');
  assert.equal(parseAfclientArgs(['-wv']).mode, 'state');
  assert.equal(parseAfclientArgs(['-w', '-q', '--json']).mode, 'query');
  assert.equal(parseAfclientArgs(['-D', '-h b -C 2', '-C', '1']).mode, 'duplicate');
  assert.throws(() => parseAfclientArgs(['-x', '-o', 'bob']), /-o wants/);
  assert.throws(() => parseAfclientArgs(['-c', '-A', 'yesterday']), /-A wants seconds/);
  assert.throws(() => parseAfclientArgs(['-c', '-x']), /exclude each other/);
});

test('-p: numbers, /etc/services names, socket paths', () => {
  const services = 'ssh 22/tcp\nafbackup\t2988/tcp\t# afbackup\nafmbackup 2989/tcp afmb\nfoo 100/udp\n';
  assert.equal(lookupService('afbackup', services), 2988);
  assert.equal(lookupService('afmb', services), 2989);
  assert.equal(lookupService('foo', services), null);
  assert.deepEqual(resolveAddress('h', '3000'), { kind: 'tcp', host: 'h', port: 3000 });
  assert.equal(resolveAddress('h', '/run/afbackup.sock').kind, 'unix');
  assert.throws(() => resolveAddress('h', 'no-such-service-here'), /cannot resolve the TCP service/);
  assert.throws(() => resolveAddress('h', '70000'), /not a TCP port/);
});

test('-z policy, -s patterns and special names', () => {
  assert.equal(packPolicy({ proc: '.', unproc: '' }, [], false).level, 5);
  assert.deepEqual(packPolicy({ proc: '. 3 gzip -1', unproc: 'gunzip' }, [], false).proc, ['gzip', '-1']);
  assert.equal(packPolicy({ proc: '. 3 gzip -1', unproc: 'gunzip' }, [], false).unprocess.toString(), '. gunzip');
  assert.equal(packPolicy({ proc: 'gzip', unproc: 'gunzip' }, [], false).unprocess.toString(), 'gunzip');
  assert.throws(() => packPolicy({ proc: 'gzip', unproc: '' }, [], false), /undoes/);
  assert.ok(globToRegExp('*.gz').test('a.gz') && !globToRegExp('*.gz').test('a.gzip'));
  assert.ok(globToRegExp('file[0-9].?').test('file7.x'));
  assert.deepEqual(classifyName(Buffer.from('//./../tmp/x')), { kind: 'plain', path: Buffer.from('/tmp/x'), noVerify: true });
  assert.deepEqual(classifyName(Buffer.from('/../dev/sda')), { kind: 'contents', path: Buffer.from('/dev/sda'), processed: false });
  assert.deepEqual(classifyName(Buffer.from('//../dev/sda')), { kind: 'contents', path: Buffer.from('/dev/sda'), processed: true });
  assert.equal(classifyName(Buffer.from('||| echo hi ||| cat ### c')).kind, 'command');
});

test('external -z, -Z, special names and time windows through an archive file', async (t) => {
  const d = tmp(t);
  const tree = path.join(d, 'tree');
  fs.mkdirSync(tree);
  const big = Buffer.from('compress me please '.repeat(2000));
  fs.writeFileSync(path.join(tree, 'old.txt'), big);
  fs.writeFileSync(path.join(tree, 'new.txt'), 'new\n');
  fs.writeFileSync(path.join(tree, 'skip.gz'), 'not processed\n');
  fs.writeFileSync(path.join(d, 'raw.img'), Buffer.alloc(700, 3));
  fs.utimesSync(path.join(tree, 'old.txt'), 1000000000, 1000000000);
  fs.utimesSync(path.join(tree, 'new.txt'), 2000000000, 2000000000);
  fs.utimesSync(path.join(tree, 'skip.gz'), 2000000000, 2000000000);
  const restored = path.join(d, 'cmd-restored.txt');
  const names = [
    path.join(tree, 'old.txt'),
    path.join(tree, 'new.txt'),
    path.join(tree, 'skip.gz'),
    `//./..${path.join(tree, 'new.txt')}`,
    `/..${path.join(d, 'raw.img')}`,
    `||| printf 'from a command\\n' ||| cat > ${restored} ### a comment`,
  ];
  const list = path.join(d, 'names');
  fs.writeFileSync(list, names.join('\n') + '\n');
  const af = path.join(d, 'a.af');
  const errlog = path.join(d, 'err.log');
  const c = await afclient(['-c', '-v', '-Z', '-z', 'gzip -9', 'gunzip', '-s', '*.gz', '-T', list, '-f', af, '-e', errlog]);
  assert.equal(c.status, 0, c.err.join('\n'));
  const { entries } = await readArchive(fs.readFileSync(af));
  const by = (suffix: string) => entries.find((e) => ('name' in e.entry ? e.entry.name : (e.entry as { command?: Buffer }).command ?? Buffer.alloc(0)).toString('latin1').endsWith(suffix))!.entry as unknown as Record<string, unknown>;
  assert.equal((by('old.txt').unprocess as Buffer).toString(), 'gunzip');
  assert.equal(by('old.txt').crc, true);
  assert.equal((by('skip.gz').unprocess as Buffer).length, 0);
  assert.equal(entries.filter((e) => e.entry.kind === 'file' && e.entry.noVerify).length, 1);
  assert.equal(by('raw.img').kind, 'filecontents');
  assert.equal(by('a comment').kind, 'command');
  assert.equal(fs.readFileSync(errlog, 'latin1'), '');

  // -x undoes gunzip, restores raw contents and pipes command output into its restore command.
  const x = path.join(d, 'x');
  fs.mkdirSync(x);
  const r = await afclient(['-x', '-a', '-r', '-u', '-f', af], { cwd: x });
  assert.equal(r.status, 0, r.err.join('\n'));
  assert.deepEqual(fs.readFileSync(path.join(x, tree.slice(1), 'old.txt')), big);
  assert.deepEqual(fs.readFileSync(path.join(x, d.slice(1), 'raw.img')), Buffer.alloc(700, 3));
  assert.equal(fs.readFileSync(restored, 'latin1'), 'from a command\n');

  // -d compares through the unprocess command, and skips the entry saved as not to be verified.
  const v = await afclient(['-d', '-f', af]);
  assert.equal(v.status, 0, v.out.toString() + v.err.join('\n'));
  fs.writeFileSync(path.join(tree, 'old.txt'), Buffer.concat([big.subarray(0, 100), Buffer.from('X'), big.subarray(101)]));
  fs.utimesSync(path.join(tree, 'old.txt'), 1000000000, 1000000000);
  const v2 = await afclient(['-d', '-f', af]);
  assert.equal(v2.status, 1);
  assert.equal(v2.out.toString('latin1'), `${path.join(tree, 'old.txt')}: contents differ\n`);

  // -A on extract: only entries from that time on.
  const y = path.join(d, 'y');
  fs.mkdirSync(y);
  const a = await afclient(['-x', '-a', '-r', '-u', '-A', '1500000000', '-f', af], { cwd: y });
  assert.equal(a.status, 0, a.err.join('\n'));
  assert.ok(!fs.existsSync(path.join(y, tree.slice(1), 'old.txt')));
  assert.ok(fs.existsSync(path.join(y, tree.slice(1), 'new.txt')));

  // -B on create: only entries before that time; -E stamps errors, -e keeps them.
  const af2 = path.join(d, 'b.af');
  const b = await afclient(['-c', '-v', '-E', '-e', errlog, '-B', '1500000000', '-f', af2, path.join(tree, 'old.txt'), path.join(tree, 'new.txt'), path.join(d, 'missing')]);
  assert.equal(b.status, 14);
  assert.deepEqual(b.out.toString('latin1').trim().split('\n'), [path.join(tree, 'old.txt')]);
  assert.match(b.err[0]!, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}, cannot save .*missing/);
  assert.equal(fs.readFileSync(errlog, 'latin1'), b.err[0] + '\n');

  // A failing process command: that entry is reported, the rest is saved.
  const af3 = path.join(d, 'c.af');
  const bad = await afclient(['-c', '-z', 'false', 'true', '-f', af3, path.join(tree, 'old.txt'), path.join(tree, 'new.txt')]);
  assert.equal(bad.status, 14);
  assert.match(bad.err.join('\n'), /old\.txt: false exited with status 1/);
});

test('progress line: text, throttling, cleared at the end, absent without the hook', () => {
  assert.equal(progressText('saved', 3, 1536, 2), 'saved 3 entries, 1.5 KiB, 768 B/s');
  const shown: (string | null)[] = [];
  const p = new Progress({ out: () => undefined, err: () => undefined, progress: (l) => shown.push(l) }, 'saved');
  p.add(1, 10);
  p.add(1, 10);
  assert.equal(shown.length, 1, 'at most one line per half second');
  assert.match(shown[0]!, /^saved 1 entries, 10 B, /);
  p.done();
  assert.equal(shown[shown.length - 1], null);
  const quiet = new Progress({ out: () => undefined, err: () => undefined }, 'saved');
  quiet.add(1, 1);
  quiet.done();
});
