/**
 * The pure parts of full_backup / incr_backup / update_indexes: wildcard
 * matching, comparison times, option parsing, afclient command lines (against
 * the golden execve trace), header texts (against the golden tape INFORMATION
 * record), afclient output reading, var-file updates and the erased-cartridge
 * filter of update_indexes.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { matchGlob, hasWildcards } from '../../src/client/backup/glob.js';
import { computeCmpTime, entryCmpTime, parseCtime } from '../../src/client/backup/cmp-time.js';
import { parseBackupArgs, configOverrides } from '../../src/client/backup/options.js';
import { backupArgs, messageArgs, preciousTapesMessage, processPair, stateQueryArgs, afclientProgram } from '../../src/client/backup/afclient-command.js';
import { headerStdinLine, indexRunHeader, informationText, minimumRestoreInfo, noVerifyName } from '../../src/client/backup/header.js';
import { BackupOutputReader, LineSplitter, usedCartridges } from '../../src/client/backup/afclient-output.js';
import { parseStreamerState } from '../../src/client/backup/streamer-state.js';
import { crucialTapes, erasedTapes, removeErasedTapes, updateNeededTapes, updateStartPositions } from '../../src/client/backup/var-updates.js';
import { removeErasedFromIndex } from '../../src/client/backup/erased-tapes.js';
import { cleanPath, entryText, runEntries } from '../../src/client/backup/entries.js';
import { exitCommand } from '../../src/client/backup/programs.js';
import { progressLine } from '../../src/client/backup/progress-report.js';
import { parseMountinfo, splitDev } from '../../src/client/backup/filesystems.js';
import { unescapeName } from '../../src/client/escape.js';
import * as neededTapes from '../../src/client/files/needed-tapes.js';
import * as startPositions from '../../src/client/files/start-positions.js';
import * as serverIds from '../../src/client/files/server-ids.js';
import * as levelTimestamps from '../../src/client/files/level-timestamps.js';
import { parseClientConfig } from '../../src/config/client-config.js';
import { readRanges, formatRanges } from '../../src/state/range-list.js';
import { golden, goldenText } from './helpers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const ranges = (s: string) => {
  const r = readRanges(s);
  assert.ok(r.ok);
  return r.ranges;
};

test('wildcards: *, ?, sets, escapes, slashes and Latin-1 bytes', () => {
  assert.ok(matchGlob(B('*.gz'), B('a.tar.gz')));
  assert.ok(!matchGlob(B('*.gz'), B('dir/a.gz')), '* does not cross a slash');
  assert.ok(matchGlob(B('*/a.gz'), B('dir/a.gz')));
  assert.ok(matchGlob(B('caf?.txt'), B('caf\xe9.txt')));
  assert.ok(matchGlob(B('[a-c]x'), B('bx')));
  assert.ok(!matchGlob(B('[!a-c]x'), B('bx')));
  assert.ok(matchGlob(B('\\*'), B('*')));
  assert.ok(!matchGlob(B('\\*'), B('a')));
  assert.ok(matchGlob(B('core'), B('core')) && !matchGlob(B('core'), B('core.1')));
  assert.ok(hasWildcards(B('/home/*')) && !hasWildcards(B('/home/\\*')));
});

test('comparison time: full 0, incremental oldmark, level -Q from level_timestamps, new entries 0', () => {
  const lt = levelTimestamps.parse('1: Wed Nov 25 10:00:00 2026\n3: Wed Nov 25 11:00:00 2026\n2147483647: Wed Nov 25 09:00:00 2026\n', 'lt');
  assert.equal(computeCmpTime({ mode: 'full', level: 2147483647, oldmarkMtime: 5, levelTimestamps: lt }), 0);
  assert.equal(computeCmpTime({ mode: 'incremental', level: 0, oldmarkMtime: 12345, levelTimestamps: lt }), 12345);
  assert.equal(computeCmpTime({ mode: 'incremental', level: 2, oldmarkMtime: 12345, levelTimestamps: lt }), parseCtime('Wed Nov 25 11:00:00 2026'));
  assert.equal(computeCmpTime({ mode: 'incremental', level: 4, oldmarkMtime: 12345, levelTimestamps: lt }), parseCtime('Wed Nov 25 09:00:00 2026'));
  assert.equal(entryCmpTime(777, 'incremental', '/new', ['/old']), 0);
  assert.equal(entryCmpTime(777, 'incremental', '/old', ['/old']), 777);
  assert.equal(entryCmpTime(777, 'full', '/new', ['/old']), 777);
  assert.equal(parseCtime('Wed Nov  5 01:02:03 2026'), Math.floor(new Date(2026, 10, 5, 1, 2, 3).getTime() / 1000));
});

test('options: bundles, values, +/- switches, -z with two words, program restrictions', () => {
  const o = parseBackupArgs('incr_backup', ['-vc', '/etc/x.conf', '-Q', '3', '-E', '-H', '-z', 'gzip', 'gunzip', '+L', '-B', '-h', 'a,b', '--json', 'some/dir']);
  assert.equal(o.configFile, '/etc/x.conf');
  assert.equal(o.verbose, true);
  assert.equal(o.level, 3);
  assert.equal(o.removeLowerLevels, true);
  assert.equal(o.json, true);
  assert.deepEqual(o.names, ['some/dir']);
  assert.equal(o.overrides.get('ProcessCmd'), 'gzip');
  assert.equal(o.overrides.get('UnprocessCmd'), 'gunzip');
  assert.equal(o.overrides.get('ProcessLogfiles'), 'yes');
  assert.equal(o.overrides.get('ProcessBackupedFiles'), 'no');
  assert.equal(o.overrides.get('UseCTime'), 'yes');
  assert.match(configOverrides(o), /^BackupHosts: a,b$/m);
  assert.throws(() => parseBackupArgs('full_backup', ['-Q', '1']), /incr_backup only/);
  assert.throws(() => parseBackupArgs('update_indexes', ['-F', 'x']), /not one of update_indexes/);
  assert.throws(() => parseBackupArgs('full_backup', ['-q']), /unknown option -q/);
  assert.throws(() => parseBackupArgs('full_backup', ['-c']), /needs a value/);
});

/** The argv lines of the golden execve trace (afbackup = afclient). */
function tracedArgv(variant: 'simple' | 'des'): string[][] {
  return goldenText(variant, 'execve-trace.txt')
    .split('\n')
    .filter((l) => l.includes('<bindir>/afbackup'))
    .map((l) => JSON.parse(/\[(.*)\], <envp>/.exec(l)![0].replace(/, <envp>$/, '')) as string[])
    .map((argv) => argv.slice(1));
}

test('afclient command lines are those of the golden trace', () => {
  const conf = parseClientConfig(goldenText('simple', '../client.conf'), {
    path: 'client.conf',
    paths: { bindir: '/b', libdir: '/l', vardir: '/v', confdir: '/c', lockdir: '/k' },
    hostname: 'vm',
  }).config;
  const server = conf.servers[0]!;
  const c = { server, keyFile: conf.encryptionKeyFile, clientId: conf.clientIdentifier };
  const traced = tracedArgv('simple');
  assert.deepEqual(stateQueryArgs(c), traced[0]);
  const run = backupArgs({
    ...c,
    newCartridge: false,
    process: processPair(conf),
    doNotProcess: conf.doNotProcess,
    reportFile: traced[1]![traced[1]!.indexOf('-V') + 1],
    checksums: conf.writeChecksums,
    useCTime: conf.useCTime,
  });
  assert.deepEqual(run, traced[1]);
  assert.deepEqual(messageArgs(c, preciousTapesMessage(conf.clientIdentifier, '1')), traced[2]);
  assert.deepEqual(stateQueryArgs(c), traced[3]);
  assert.equal(preciousTapesMessage('my client', '1-3'), 'PreciousTapes:"my client" 1-3');
  assert.deepEqual(afclientProgram({ AF_AFCLIENT: '/usr/sbin/afbackup' }, '/d/afclient.js', '/node'), { file: '/usr/sbin/afbackup', prefix: [] });
  assert.deepEqual(afclientProgram({}, '/d/afclient.js', '/node'), { file: '/node', prefix: ['/d/afclient.js'] });
});

test('header texts equal the golden INFORMATION record and index lines', () => {
  const idx = goldenText('simple', 'backup_log.1.decompressed.txt').split('\n');
  const hdr = /^## Full backup at ([^,]+),/.exec(idx[1]!)![1]!;
  const copy = /: (\/tmp\/afbsp_\S+)$/.exec(idx[2]!)![1]!;
  const h = {
    mode: 'full' as const,
    time: hdr,
    number: 1,
    hostname: 'vm',
    clientId: 'afdemo-client',
    host: '127.0.0.1',
    port: 29880,
    cart: 1,
    file: 4,
  };
  assert.equal(informationText(h, copy), golden('simple', 'data4-information.bin').toString('latin1'));
  assert.equal(indexRunHeader(h, false), `${idx[0]}\n${idx[1]}\n`);
  const line = headerStdinLine(h, copy);
  assert.equal(line[line.length - 1], 0x0a);
  assert.ok(!line.subarray(0, -1).includes(0x0a), 'the escaped header is one line');
  assert.equal(unescapeName(line.subarray(0, -1)).toString('latin1'), informationText(h, copy));
  assert.equal(minimumRestoreInfo(h, copy), goldenText('simple', 'log-startup-info.txt').split('\n')[0]);
  assert.equal(noVerifyName('/tmp/x').toString(), '//./../tmp/x');
  const incr = indexRunHeader({ ...h, mode: 'incremental', file: 5 }, true);
  assert.match(incr, /^\n127\.0\.0\.1%29880!1\.5:\n## Incremental backup at /);
});

test('afclient output: preamble, position, index lines split anywhere, report', () => {
  const out = B(
    'Streamer state: READY+CHANGEABLE\nServer-ID: vm:/etc/s.conf\nPrecious tapes: -\nNext tape writing position\nCartridge: 1\nFile:      4\nNumber of cartridges: 10\n' +
      '127.0.0.1%29880!1.4|0~17: /tmp/afbsp_x\n127.0.0.1%29880!1.4|0~13: /d/caf\xe9.txt\nsome error text\n',
  );
  for (let cut = 0; cut <= out.length; cut += 7) {
    const s = new LineSplitter();
    const r = new BackupOutputReader();
    const items = [...s.push(out.subarray(0, cut)), ...s.push(out.subarray(cut)), ...s.end()].flatMap((l) => r.read(l));
    const pos = items.find((i) => i.kind === 'position');
    assert.deepEqual(pos && pos.kind === 'position' ? pos.position : undefined, { cart: 1, file: 4, serverId: 'vm:/etc/s.conf' });
    const idx = items.filter((i) => i.kind === 'index').map((i) => (i.kind === 'index' ? i.line.toString('latin1') : ''));
    assert.deepEqual(idx, ['127.0.0.1%29880!1.4|0~17: /tmp/afbsp_x', '127.0.0.1%29880!1.4|0~13: /d/caf\xe9.txt']);
    assert.deepEqual(items.filter((i) => i.kind === 'other').map((i) => (i.kind === 'other' ? i.text : '')), ['some error text']);
  }
  assert.equal(usedCartridges('Backup statistics:\nUsed Cartridges:               1-3,5\n'), '1-3,5');
  assert.equal(usedCartridges('nothing here\n'), undefined);
});

test('streamer state: states, load, server id, precious tapes', () => {
  const s = parseStreamerState('Streamer state: BUSY+CHANGEABLE+WRITING=2+PENDING=1\nServer-ID: vm:/x\nPrecious tapes: 1-3,7\n')!;
  assert.equal(s.state, 'BUSY');
  assert.equal(s.changeable, true);
  assert.equal(s.writing, true);
  assert.equal(s.load, 3);
  assert.equal(s.serverId, 'vm:/x');
  assert.equal(formatRanges(s.preciousTapes!), '1-3,7');
  assert.deepEqual(parseStreamerState('Streamer state: READY\nPrecious tapes: -\n')!.preciousTapes, []);
  assert.equal(parseStreamerState('garbage\n'), undefined);
});

test('var files: start_positions and needed_tapes updates give the golden files', () => {
  for (const v of ['simple', 'des'] as const) {
    const ids = serverIds.parse(goldenText(v, 'server_ids'), 'server_ids');
    const id = ids.entries[0]!.serverId;
    let sp = startPositions.empty();
    sp = updateStartPositions(sp, 1, 5, { num: 1, part: 1, numParts: 1, host: '127.0.0.1', port: 29880, cart: 1, file: 4 });
    sp = updateStartPositions(sp, 1, 5, { num: 1, part: 1, numParts: 1, host: '127.0.0.1', port: 29880, cart: 1, file: 5 });
    assert.equal(startPositions.format(sp), goldenText(v, 'start_positions'));
    let nt = neededTapes.empty();
    const base = { num: 1, numIndexesToStore: 5, tapes: ranges('1'), serverId: id, removeLowerLevels: false, removePreviousEqualLevel: false };
    nt = updateNeededTapes(nt, { ...base, level: 2147483647 });
    nt = updateNeededTapes(nt, { ...base, level: 0 });
    assert.equal(neededTapes.format(nt), goldenText(v, 'needed_tapes'));
    assert.equal(formatRanges(crucialTapes(nt, id)), '1');
  }
  // pruning: with NumIndexesToStore 1, backup 3 keeps 2 and 3
  let sp = startPositions.parse('1.1/1: h 1 1 1\n2.1/1: h 1 1 2\n', 'sp');
  sp = updateStartPositions(sp, 3, 1, { num: 3, part: 1, numParts: 1, host: 'h', port: 1, cart: 2, file: 1 });
  assert.equal(startPositions.format(sp), '2.1/1: h 1 1 2\n3.1/1: h 1 2 1\n');
  let nt = neededTapes.parse('1: 2147483647>1@s\n2: 2147483647>2@s 0>2-3@s 0>4@s\n', 'nt');
  nt = updateNeededTapes(nt, { num: 2, numIndexesToStore: 0, level: 1, tapes: ranges('5'), serverId: 's', removeLowerLevels: true, removePreviousEqualLevel: false });
  assert.equal(neededTapes.format(nt), '2: 2147483647>2@s 1>5@s\n');
  assert.equal(formatRanges(erasedTapes(neededTapes.parse('1: 9>1-3@s 0>4@t\n', 'n'), 's', ranges('2'))), '1,3');
  assert.equal(neededTapes.format(removeErasedTapes(neededTapes.parse('1: 9>1-3@s 0>1@t\n2: 9>3@s\n', 'n'), 's', ranges('1,3'))), '1: 9>2@s 0>1@t\n');
});

test('update_indexes filter: lines on erased cartridges go, with the entry before them', () => {
  const index = B(
    'h%29880!1.4:\n## Full backup at X, current number: 1, hostname: vm client id: c\nh%29880!1.4|0~1: /a\nh%29880!1.4|0~1: /b\nh%29880!2.1|0~1: /c\nh%29880!2.1|0~1: /d\n' +
      '\nh%29880!3.1:\n## Incremental backup at Y, current number: 1, hostname: vm client id: c\nh%29880!3.1|0~1: /e\nother%1!2.1|0~1: /f\n',
  );
  const ids = serverIds.parse('h 29880 vm:/s\n', 'server_ids');
  const r = removeErasedFromIndex(index, ids, [{ serverId: 'vm:/s', tapes: ranges('2') }]);
  assert.equal(
    r.data.toString('latin1'),
    'h%29880!1.4:\n## Full backup at X, current number: 1, hostname: vm client id: c\nh%29880!1.4|0~1: /a\n' +
      '\nh%29880!3.1:\n## Incremental backup at Y, current number: 1, hostname: vm client id: c\nh%29880!3.1|0~1: /e\nother%1!2.1|0~1: /f\n',
  );
  assert.equal(r.removed, 3);
  assert.equal(removeErasedFromIndex(index, ids, [{ serverId: 'vm:/other', tapes: ranges('2') }]).removed, 0);
});

test('entries: texts, prefixes, split parts, command-line names', async () => {
  assert.equal(cleanPath('/a//b/./c/'), '/a/b/c');
  const conf = parseClientConfig(
    'NumBackupParts: 2\nDirsToBackup1: /a .//./b\nDirsToBackup2: /c /../dev/sda1 "||| tar cf - /x ||| tar xf - ### x"\n',
    { path: 'c', paths: { bindir: '/b', libdir: '/l', vardir: '/v', confdir: '/c', lockdir: '/k' }, hostname: 'h' },
  ).config;
  const run = async (mode: 'full' | 'incremental', part: number | undefined, names: string[] = []) =>
    runEntries({ config: conf, mode, level: 0, part, commandLine: names, runCommand: async () => '' });
  const full2 = await run('full', 2);
  assert.deepEqual(full2.all, ['/a', './/./b', '/c', '/../dev/sda1', '||| tar cf - /x ||| tar xf - ### x']);
  assert.deepEqual(full2.walk.map((w) => [w.text, w.full]), [['/a', false], ['.//./b', false], ['/c', true]]);
  assert.deepEqual(full2.verbatim, ['/../dev/sda1', '||| tar cf - /x ||| tar xf - ### x']);
  const incr = await run('incremental', undefined);
  assert.ok(incr.walk.every((w) => !w.full));
  const cl = await run('full', undefined, ['/only this']);
  assert.deepEqual(cl.all, ['/only this']);
  assert.equal(entryText({ kind: 'raw', path: 'dev/x', processed: true }), '//../dev/x');
  const piped = parseClientConfig('DirsToBackup: | echo /p%T /q\n', { path: 'c', paths: { bindir: '/b', libdir: '/l', vardir: '/v', confdir: '/c', lockdir: '/k' }, hostname: 'h' }).config;
  const seen: string[] = [];
  const r = await runEntries({ config: piped, mode: 'incremental', level: 3, part: undefined, commandLine: [], runCommand: async (c) => (seen.push(c), '/p1\n/q\n') });
  assert.deepEqual(seen, ['echo /pL3 /q']);
  assert.deepEqual(r.all, ['/p1', '/q']);
});

test('exit program patterns, progress line, mount table', () => {
  assert.equal(exitCommand("echo '%e %l %r %i %%'", { indexFile: '/v/i.z', reportFile: '/tmp/r', status: 3, restoreInfo: '@@@ x' }), "echo '3 /v/i.z /tmp/r @@@ x %'");
  assert.equal(progressLine(50, 200), '50 200 25.00\n');
  assert.equal(progressLine(500, 200), '200 200 100.00\n');
  const m = parseMountinfo('22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n30 22 0:25 / /tmp rw - tmpfs tmpfs rw\n');
  assert.equal(m.get('8:1'), 'ext4');
  assert.equal(m.get('0:25'), 'tmpfs');
  assert.deepEqual(splitDev(0x801), { major: 8, minor: 1 });
});
