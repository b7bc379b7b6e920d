/**
 * Tests of the client configuration parser: the vectors' client.conf, every key
 * pattern, defaults, substitutions, DirsToBackup entry forms and error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseClientConfig, parseBackupEntries, loadClientConfig, type ClientInstallPaths } from '../../src/config/client-config.js';
import { CLIENT_KEYS, findClientKey } from '../../src/config/client-keys.js';
import { fixtures } from './helpers.js';

const paths: ClientInstallPaths = {
  bindir: '/opt/af/bin',
  libdir: '/opt/af/lib',
  vardir: '/opt/af/var',
  confdir: '/opt/af/etc',
  lockdir: '/var/lock',
  logdir: '/opt/af/log',
  prefix: '/opt/af',
};
const parse = (text: string) => parseClientConfig(text, { path: '/etc/c.conf', paths, hostname: 'myhost' });

test("the vectors' client.conf", () => {
  const text = fs.readFileSync(path.join(fixtures, 'client.conf'), 'latin1');
  const { config: c, unknownLines, notSupported, duplicateLines } = parse(text);
  assert.deepEqual([unknownLines, notSupported, duplicateLines], [[], [], []]);
  assert.deepEqual(c.servers, [{ host: '127.0.0.1', port: 29880, defaultPort: false, cartridgeSet: 1 }]);
  assert.equal(c.clientIdentifier, 'afdemo-client');
  assert.equal(c.rootDirectory, '/');
  assert.deepEqual(c.dirsToBackup, { kind: 'entries', entries: [{ kind: 'path', path: '/srv/afdemo/data', glob: false, oneFilesystem: false }] });
  assert.equal(c.numBackupParts, 1);
  assert.equal(c.builtinCompressionLevel, 2);
  assert.deepEqual(c.doNotProcess, ['*.gz', '*.bz2']);
  assert.equal(c.processBackupedFiles, true);
  assert.equal(c.varDirectory, '/srv/afdemo/client-var');
  assert.equal(c.indexFilePart, '/srv/afdemo/client-var/backup_log.');
  assert.equal(c.indexProcessCmd, 'gzip -9');
  assert.equal(c.indexUnprocessCmd, 'gunzip');
  assert.equal(c.processLogfiles, true);
  assert.equal(c.numIndexesToStore, 5);
  assert.equal(c.loggingFile, '/srv/afdemo/log/client.log');
  assert.equal(c.lockFile, '/srv/afdemo/log/client.lock');
  assert.equal(c.encryptionKeyFile, '/srv/afdemo/etc/cryptkey');
  assert.equal(c.startupInfoProgram, 'cat >> /srv/afdemo/log/startup-info.txt');
  assert.equal(c.exitProgram, "echo 'exit status: %e' >> /srv/afdemo/log/client-exit.txt");
  assert.equal(c.processCmd, undefined);
});

test('defaults', () => {
  const { config: c } = parse('');
  assert.deepEqual(c.servers, [{ host: 'backuphost', port: 2988, defaultPort: true, cartridgeSet: 1 }]);
  assert.deepEqual(c.dirsToBackup, { kind: 'entries', entries: [{ kind: 'path', path: '*', glob: true, oneFilesystem: false }] });
  assert.equal(c.varDirectory, '/opt/af/var');
  assert.equal(c.indexFilePart, '/opt/af/log/backup_log.');
  assert.equal(c.loggingFile, '/opt/af/log/backup.log');
  assert.equal(c.lockFile, '/var/lock/Lck.afbu_client.^opt^af');
  assert.equal(c.clientIdentifier, 'myhost');
  assert.equal(c.processLogfiles, true);
  assert.equal(c.writeChecksums, false);
  assert.equal(c.numIndexesToScan, undefined);
  assert.equal(c.encryptionKeyFile, undefined);
});

test('every key has a pattern that recognises its canonical and a dashed spelling', () => {
  for (const k of CLIENT_KEYS) {
    const canonical = k.name.replace('Built-in', 'Builtin');
    assert.equal(findClientKey(`${canonical}: v`)?.key.name, k.name, canonical);
    const dashed = canonical.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
    assert.equal(findClientKey(`${dashed} v`)?.key.name, k.name, dashed);
  }
});

test('abbreviations and alternative spellings', () => {
  const name = (line: string) => findClientKey(line)?.key.name;
  assert.equal(name('Directories to backup: /'), 'DirsToBackup');
  assert.equal(name('Compress-Cmd: gzip'), 'ProcessCmd');
  assert.equal(name('Uncompress Command: gunzip'), 'UnprocessCmd');
  assert.equal(name('IndexCompressCmd: gzip'), 'IndexProcessCmd');
  assert.equal(name("Don't Compress: *.gz"), 'DoNotProcess');
  assert.equal(name('CompressLogFiles: no'), 'ProcessLogfiles');
  assert.equal(name('ProcessIndexes: no'), 'ProcessLogfiles');
  assert.equal(name('BuiltinCompressionLevel: 3'), 'Built-inCompressionLevel');
  assert.equal(name('CheckSumming: y'), 'WriteChecksums');
  assert.equal(name('Progress: y'), 'ReportProgress');
  assert.equal(name('Identity: x'), 'ClientIdentifier');
  assert.equal(name('FSTypes: /proc'), 'FilesystemTypes');
  assert.equal(name('PrintSrvrMsgs: b'), 'PrintServerMessages');
  assert.equal(name('DirsToBackupX: b'), undefined);
});

test('hosts with positional ports and sets; first line wins; unknown lines', () => {
  const r = parse('BackupHosts: a, b;c\nBackupPorts: 3000 afbackup\nCartridgeSets: 2 3 4\nBackupHosts: z\nFrobnicate: 1\n');
  assert.deepEqual(r.config.servers, [
    { host: 'a', port: 3000, defaultPort: false, cartridgeSet: 2 },
    { host: 'b', port: 'afbackup', defaultPort: false, cartridgeSet: 3 },
    { host: 'c', port: 2988, defaultPort: true, cartridgeSet: 4 },
  ]);
  assert.deepEqual(r.duplicateLines, [{ line: 4, text: 'BackupHosts: z', key: 'BackupHosts' }]);
  assert.deepEqual(r.unknownLines, [{ line: 5, text: 'Frobnicate: 1' }]);
});

test('substitutions %B %L %V %C %I', () => {
  const { config: c } = parse('VarDirectory: %V/client\nIndexFilePart: %V/idx.\nLoggingFile: %I/l\nInitProgram: %B/x %L %C %e %%V\n');
  assert.equal(c.varDirectory, '/opt/af/var/client');
  assert.equal(c.indexFilePart, '/opt/af/var/client/idx.');
  assert.equal(c.loggingFile, '/opt/af/log/l');
  assert.equal(c.initProgram, '/opt/af/bin/x /opt/af/lib /opt/af/etc %e %%V');
});

test('DirsToBackup entry forms', () => {
  const r = parseBackupEntries(
    '"/home/my dir" .//./usr -m /var /../dev/sda1 -r /dev/sdb //../dev/sdc -R /dev/sdd /srv/*.d ' +
      '"||| pg_dumpall ||| psql postgres ### the database"',
  );
  assert.deepEqual(r, {
    kind: 'entries',
    entries: [
      { kind: 'path', path: '/home/my dir', glob: false, oneFilesystem: false },
      { kind: 'path', path: '/usr', glob: false, oneFilesystem: true },
      { kind: 'path', path: '/var', glob: false, oneFilesystem: true },
      { kind: 'raw', path: '/dev/sda1', processed: false },
      { kind: 'raw', path: '/dev/sdb', processed: false },
      { kind: 'raw', path: '/dev/sdc', processed: true },
      { kind: 'raw', path: '/dev/sdd', processed: true },
      { kind: 'path', path: '/srv/*.d', glob: true, oneFilesystem: false },
      { kind: 'command', command: 'pg_dumpall', restoreCommand: 'psql postgres', comment: 'the database' },
    ],
  });
  assert.deepEqual(parseBackupEntries('| list-dirs %T'), { kind: 'fromCommand', command: 'list-dirs %T' });
});

test('DirsToBackup<N> parts, PrintServerMessages, FilesystemTypes, lists and flags', () => {
  const { config: c, notSupported } = parse(
    'NumBackupParts: 2\nDirsToBackup1: /a\nDirsToBackup 2: /b %V\nDirsToBackup: /c\nPrintServerMessages: bv 2989\n' +
      'FilesystemTypes: ext4 +xfs -proc /autofs\nFilesToSkip: *.obj core\nDirsToSkip: "lost+found" proc\n' +
      'WriteChecksums: t\nUseCTime: on\nProcessLogfiles: no\nCheckRestoreAccessPerms: yes\nDaysToStoreIndexes: 30\n',
  );
  assert.equal(c.numBackupParts, 2);
  assert.deepEqual([...c.dirsToBackupParts.keys()], [1, 2]);
  assert.deepEqual(c.dirsToBackupParts.get(2), {
    kind: 'entries',
    entries: [
      { kind: 'path', path: '/b', glob: false, oneFilesystem: false },
      { kind: 'path', path: '/opt/af/var', glob: false, oneFilesystem: false },
    ],
  });
  assert.deepEqual(c.dirsToBackup, { kind: 'entries', entries: [{ kind: 'path', path: '/c', glob: false, oneFilesystem: false }] });
  assert.deepEqual(c.printServerMessages, { letters: 'bv', ports: [2989] });
  assert.deepEqual(c.filesystemTypes, [
    { type: 'ext4', mode: 'only' },
    { type: 'xfs', mode: 'only' },
    { type: 'proc', mode: 'skip' },
    { type: 'autofs', mode: 'prune' },
  ]);
  assert.deepEqual(c.filesToSkip, ['*.obj', 'core']);
  assert.deepEqual(c.dirsToSkip, ['lost+found', 'proc']);
  assert.equal(c.writeChecksums, true);
  assert.equal(c.useCTime, false);
  assert.equal(c.processLogfiles, false);
  assert.equal(c.checkRestoreAccessPerms, true);
  assert.equal(c.daysToStoreIndexes, 30);
  assert.deepEqual(notSupported, ['PrintServerMessages', 'CheckRestoreAccessPerms']);
});

test('errors name the file, line and key', () => {
  const cases: [string, RegExp][] = [
    ['# c\nBuiltinCompressLevel: 12\n', /"\/etc\/c.conf" line 2, key "Built-inCompressionLevel": 12 is out of range \(0-9\)/],
    ['NumBackupParts: many\n', /line 1, key "NumBackupParts": "many" is not a number/],
    ['DirsToBackup: "/a\n', /line 1, key "DirsToBackup": unterminated " quote/],
    ['\nDirsToBackup3: /a -m\n', /line 2, key "DirsToBackup3": "-m" is not followed by an entry/],
    ['DirsToBackup: "||| cmd only"\n', /key "DirsToBackup": .*lacks the second "\|\|\|"/],
    ['PrintServerMessages: xyz\n', /key "PrintServerMessages": "xyz" is not a set of the letters b, v, r, c/],
    ['BackupPorts: 70000\n', /key "BackupPorts": the port 70000 is out of range/],
    ['CartridgeSets: 0\n', /key "CartridgeSets": "0" is not a cartridge set number/],
    ['FilesystemTypes: -\n', /key "FilesystemTypes": "-" names no file system type/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parse(text), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'CONFIG_SYNTAX');
      assert.match((e as Error).message, re);
      return true;
    });
  }
});

test('loadClientConfig reads the file; a missing file is CONFIG_SYNTAX naming the file', async () => {
  const r = await loadClientConfig(path.join(fixtures, 'client.conf'), { paths, hostname: 'h' });
  assert.equal(r.config.clientIdentifier, 'afdemo-client');
  await assert.rejects(loadClientConfig(path.join(fixtures, 'nope.conf'), { paths, hostname: 'h' }), (e: unknown) => (e as { code?: string }).code === 'CONFIG_SYNTAX' && String((e as Error).message).includes('nope.conf'));
});
