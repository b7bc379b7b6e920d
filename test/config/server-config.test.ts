// The afserver configuration: golden vector files, every key's spellings, defaults, flags,
// substitutions, first-match-wins, unknown lines, our own keys, and errors naming file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAfError } from '../../src/errors.js';
import {
  type InstallPaths,
  type ServerConfig,
  defaultInstallPaths,
  findDefaultServerConfig,
  isYes,
  loadServerConfig,
  parseServerConfig,
  printableIdentifier,
  serverConfigCandidates,
} from '../../src/config/server-config.js';
import { SERVER_KEYS, matchKey } from '../../src/config/server-keys.js';
import { formatRanges } from '../../src/config/ranges.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'fixtures', 'config');
const sharedVectors = path.join(here, '..', '..', '..', 'shared', 'vectors');

const PATHS: InstallPaths = {
  prefix: '/opt/afb',
  bindir: '/opt/afb/bin',
  libdir: '/opt/afb/lib',
  vardir: '/opt/afb/var',
  confdir: '/opt/afb/etc',
  lockdir: '/run/lock',
};

function parse(text: string, pathName = '/etc/afserver.conf') {
  return parseServerConfig(text, { path: pathName, paths: PATHS, hostname: 'vm' });
}

/** Asserts that fn throws CONFIG_SYNTAX whose message contains every fragment. */
function throwsSyntax(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isAfError(e, 'CONFIG_SYNTAX'), `expected CONFIG_SYNTAX, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

test('fixture copies of the golden server.conf files match the shared vectors', { skip: !fs.existsSync(sharedVectors) }, () => {
  for (const [fixture, vector] of [
    ['vectors-server.conf', 'config/server.conf'],
    ['vectors-tapefull-server.conf', 'state/des-tapefull/server.conf'],
    ['vectors-tapefull-server.conf', 'state/simple-tapefull/server.conf'],
  ] as const) {
    assert.equal(fs.readFileSync(path.join(fixtures, fixture), 'utf8'), fs.readFileSync(path.join(sharedVectors, vector), 'utf8'));
  }
});

test('golden vector config/server.conf', () => {
  const text = fs.readFileSync(path.join(fixtures, 'vectors-server.conf'), 'utf8');
  const { config, unknownLines, notSupported, duplicateLines } = parse(text, '/srv/afdemo/etc/server.conf');
  assert.deepEqual(unknownLines, []);
  assert.deepEqual(notSupported, []);
  assert.deepEqual(duplicateLines, []);
  assert.equal(config.serverIdentifier, 'vm:/srv/afdemo/etc/server.conf');
  assert.equal(config.backupDevice, '/srv/afdemo/tape/vol');
  assert.deepEqual(config.devices, [{ kind: 'device', device: '/srv/afdemo/tape/vol', drive: 0 }]);
  assert.equal(config.tapeBlocksize, 1024);
  assert.equal(config.cartridgeHandler, true);
  assert.equal(config.numberOfCartridges, 10);
  assert.equal(config.maxBytesPerFile, 1048576);
  assert.equal(config.maxBytesPerTape.limitFor(1), 10485760);
  assert.equal(config.maxBytesPerTape.limitFor(10), 10485760);
  assert.equal(config.fullAppendMode, true);
  assert.equal(config.variableAppendMode, false);
  assert.equal(config.rejectUnlabeledTapes, false);
  assert.equal(config.cartInsertGracetime, 0);
  assert.equal(config.devUnavailSendMailMin, 6);
  assert.equal(config.devUnavailGiveUpMin, 1);
  assert.equal(config.deviceProbeInterval, 1);
  assert.equal(config.setFileCommand, 'exit 0');
  assert.equal(config.skipFilesCommand, 'exit 0');
  assert.equal(config.setCartCommand, '/bin/rm -f %d ; mkdir -p %d.%n ; ln -s %d.%n %d ; exit 0');
  assert.equal(config.changeCartCommand, 'exit 0');
  assert.equal(config.eraseTapeCommand, '/bin/rm -f %d/* ; exit 0');
  assert.equal(config.userToInform, 'root');
  assert.equal(config.mailProgram, 'cat >> /srv/afdemo/log/server-mail.txt');
  assert.equal(config.varDirectory, '/srv/afdemo/server-var');
  assert.equal(config.tapePosFile, '/srv/afdemo/server-var/tapepos');
  assert.equal(config.loggingFile, '/srv/afdemo/log/server.log');
  assert.equal(config.statusFile, '/srv/afdemo/server-var/status');
  assert.equal(config.lockFile, '/srv/afdemo/server-var/server.lock');
  assert.equal(config.changerLockfile, '/srv/afdemo/server-var/changer.lock');
  assert.deepEqual(config.encryptionKeyFiles, [{ file: '/srv/afdemo/etc/cryptkey' }]);
  assert.equal(config.programDirectory, '/srv/afdemo/rexec');
  assert.equal(config.cartridgeSets.source, 'default');
  assert.equal(formatRanges(config.cartridgeSets.get(1)!.ranges), '1-10');
  // Keys the file does not set keep their defaults.
  assert.equal(config.initMediaCommand, undefined);
  assert.equal(config.tapeFullCommand, undefined);
  assert.equal(config.writeEofCommand, 'mt -f %d eof');
  assert.equal(config.authenticationScheme, 'des');
  assert.equal(config.virtualDrives, 1);
});

test('golden vector tape-full server.conf', () => {
  const text = fs.readFileSync(path.join(fixtures, 'vectors-tapefull-server.conf'), 'utf8');
  const { config, unknownLines } = parse(text, '/srv/afdemo/tapefull/etc/server.conf');
  assert.deepEqual(unknownLines, []);
  assert.equal(config.backupDevice, '/srv/afdemo/tapefull/tape/vol');
  assert.equal(config.numberOfCartridges, 3);
  assert.equal(config.maxBytesPerTape.limitFor(2), 150000);
  assert.equal(config.maxBytesPerFile, 1048576);
  assert.equal(config.varDirectory, '/srv/afdemo/tapefull/server-var');
  assert.equal(config.tapePosFile, '/srv/afdemo/tapefull/server-var/tapepos');
  assert.equal(config.mailProgram, 'cat >> /srv/afdemo/tapefull/log/server-mail.txt');
  assert.deepEqual(config.cartridgeSets.cartridgesOfSet(1), [1, 2, 3]);
});

test('defaults of an empty file', () => {
  const { config, unknownLines, notSupported } = parse('', '/etc/afbackup/server.conf');
  assert.deepEqual(unknownLines, []);
  assert.deepEqual(notSupported, []);
  const expected: Partial<Record<keyof ServerConfig, unknown>> = {
    configPath: '/etc/afbackup/server.conf',
    serverIdentifier: 'vm:/etc/afbackup/server.conf',
    backupDevice: '/dev/nst0',
    tapeBlocksize: 512,
    tapeBuffer: undefined,
    deviceProbeInterval: 2,
    fullAppendMode: false,
    variableAppendMode: false,
    preferCartInChanger: false,
    loggingFile: undefined,
    statusFile: '/opt/afb/var/status',
    lockFile: '/run/lock/Lck.afbu_server.^opt^afb',
    userToInform: 'postmaster',
    mailProgram: 'mail',
    cartridgeHandler: false,
    rejectUnlabeledTapes: false,
    numberOfCartridges: 1,
    lastCartridges: undefined,
    maxBytesPerFile: 50_000_000,
    cartInsertGracetime: 120,
    devUnavailSendMailMin: 5,
    devUnavailGiveUpMin: 60,
    setFileCommand: 'mt -f %d rewind && mt -f %d fsf %m',
    skipFilesCommand: 'mt -f %d fsf %n',
    setCartCommand: undefined,
    changeCartCommand: 'mt -f %d rewoffl',
    initMediaCommand: undefined,
    eraseTapeCommand: undefined,
    tapeFullCommand: undefined,
    writeEofCommand: 'mt -f %d eof',
    tapePosFile: '/opt/afb/var/tapepos',
    varDirectory: '/opt/afb/var',
    encryptionKeyFiles: [],
    programDirectory: 'nowhere',
    initCommand: undefined,
    exitCommand: undefined,
    changerConfigFile: undefined,
    changerLockfile: '/run/lock/Lck.afbu_changer.^opt^afb',
    authenticationScheme: 'des',
    virtualCartridgeCapacity: 10 * 1024 ** 3,
    virtualEarlyWarning: 64 * 1024 ** 2,
    virtualDrives: 1,
  };
  for (const [field, value] of Object.entries(expected)) {
    assert.deepEqual(config[field as keyof ServerConfig], value, field);
  }
  assert.deepEqual(config.devices, [{ kind: 'device', device: '/dev/nst0', drive: 0 }]);
  assert.equal(config.maxBytesPerTape.unlimited, true);
  assert.deepEqual(config.cartridgeSets.cartridgesOfSet(1), [1]);
});

test('Tape-Pos-File defaults to the compiled var directory, not Var-Directory', () => {
  const { config } = parse('Var-Directory: /srv/v');
  assert.equal(config.tapePosFile, '/opt/afb/var/tapepos');
  assert.equal(config.statusFile, '/srv/v/status');
});

/** Each key with at least two accepted spellings, a value and what the config then holds. */
const SPELLINGS: { field: keyof ServerConfig; spellings: string[]; value: string; get?: (c: ServerConfig) => unknown; expected: unknown }[] = [
  { field: 'serverIdentifier', spellings: ['ServerIdentifier', 'server identity', 'Server-Identifier'], value: 'backup main', expected: 'backup*main' },
  { field: 'backupDevice', spellings: ['Backup-Device', 'backup device', 'BackupDevs', 'Backup_Devices', 'BACKUPDEV'], value: '/dev/nst1', expected: '/dev/nst1' },
  { field: 'tapeBlocksize', spellings: ['Tape-Blocksize', 'tape block size', 'TAPE_BLOCK_SIZE'], value: '10240', expected: 10240 },
  { field: 'tapeBuffer', spellings: ['Tape-Buffer', 'Streamer Buffer', 'streamer-buffer'], value: '1000000 80 10', expected: '1000000 80 10' },
  { field: 'deviceProbeInterval', spellings: ['Device-Probe Interval', 'DevProbingInterval', 'Device Probe Interval'], value: '7', expected: 7 },
  { field: 'fullAppendMode', spellings: ['Full Append Mode', 'Append', 'full_append', 'Append Mode'], value: 'yes', expected: true },
  { field: 'variableAppendMode', spellings: ['Variable Append Mode', 'VarAppend', 'variable-append'], value: 'y', expected: true },
  { field: 'preferCartInChanger', spellings: ['PreferCartInChanger', 'Prefer Cartridges In Changer', 'prefer-cart-in-changer'], value: 'true', expected: true },
  { field: 'loggingFile', spellings: ['Logging-file', 'LogFile', 'log file'], value: '/var/log/afb.log', expected: '/var/log/afb.log' },
  { field: 'statusFile', spellings: ['Status-file', 'status file', 'StatusFile'], value: '>>/var/afb/status', expected: '>>/var/afb/status' },
  { field: 'lockFile', spellings: ['Lock-file', 'Locking File', 'lockfile'], value: '/var/lock/afb', expected: '/var/lock/afb' },
  { field: 'userToInform', spellings: ['User To Inform', 'UserToInform', 'user-to-inform'], value: 'ops', expected: 'ops' },
  { field: 'mailProgram', spellings: ['Mail-Program', 'mail_program', 'MailProgram'], value: 'mail -s x %u', expected: 'mail -s x %u' },
  { field: 'cartridgeHandler', spellings: ['Cartridge-Handler', 'CartHandler', 'cart handler'], value: '1', expected: true },
  { field: 'rejectUnlabeledTapes', spellings: ['Reject Unlabeled Tapes', 'RejectUnlabelled', 'reject-unlabeled-tape'], value: 'ok', expected: true },
  { field: 'numberOfCartridges', spellings: ['Number Of Cartridges', 'NumCarts', 'NumberOfCarts', 'num-of-cartridges'], value: '12', expected: 12 },
  {
    field: 'cartridgeSets',
    spellings: ['Cartridge-Sets', 'CartSets', 'cartridge sets'],
    value: '1-4 5-',
    get: (c) => c.cartridgeSets.sets.map((s) => formatRanges(s.ranges)),
    expected: ['1-4', '5'],
  },
  { field: 'lastCartridges', spellings: ['Last Cartridges', 'LastCarts', 'last-cartridges'], value: '1', expected: [1] },
  { field: 'maxBytesPerFile', spellings: ['Max Bytes Per File', 'MaximumBytesPerFile', 'max-bytes-per-file'], value: '2000000', expected: 2000000 },
  {
    field: 'maxBytesPerTape',
    spellings: ['Max Bytes Per Tape', 'max-bytes-per-tapes', 'MaximumBytesPerTape'],
    value: '1000000',
    get: (c) => c.maxBytesPerTape.limitFor(1),
    expected: 1000000,
  },
  { field: 'cartInsertGracetime', spellings: ['Cart-Insert-Gracetime', 'Cartridge Insert Grace Time', 'CartInsGraceTime'], value: '30', expected: 30 },
  {
    field: 'devUnavailSendMailMin',
    spellings: ['Device Unavail Send mail after min', 'DevUnavailableSendMailMinutes', 'Device-Unavailable-Send-Mail-After-Min', 'DevUnAvailSendMailMin'],
    value: '9',
    expected: 9,
  },
  {
    field: 'devUnavailGiveUpMin',
    spellings: ['Device Unavail give up after min', 'Device-Unavailable-Give-Up-After-Minutes', 'DevUnavailGiveUpMin'],
    value: '90',
    expected: 90,
  },
  { field: 'setFileCommand', spellings: ['SetFile-Command', 'Set File Cmd', 'setfilecomand'], value: 'mt fsf %m', expected: 'mt fsf %m' },
  { field: 'skipFilesCommand', spellings: ['SkipFiles-Command', 'Skip File Cmd', 'skip-files-command'], value: 'mt fsf %n', expected: 'mt fsf %n' },
  { field: 'setCartCommand', spellings: ['Set-Cart-Command', 'Setcart-Command', 'SetCartridgeCmd'], value: 'load %n', expected: 'load %n' },
  { field: 'changeCartCommand', spellings: ['Change-Cart-Command', 'Changecart Cmd', 'ChangeCartridgeCommand'], value: 'next', expected: 'next' },
  { field: 'initMediaCommand', spellings: ['Init-Media-Command', 'Initialize Media Cmd', 'InitMediaCmd'], value: 'init %n', expected: 'init %n' },
  { field: 'eraseTapeCommand', spellings: ['Erase-Tape-Command', 'Erasetape Cmd', 'erase_tape_cmd'], value: 'mt erase', expected: 'mt erase' },
  { field: 'tapeFullCommand', spellings: ['Tape-Full-Command', 'TapeFullCmd', 'tape full command'], value: 'full %c %C', expected: 'full %c %C' },
  { field: 'writeEofCommand', spellings: ['Write-EOF-Command', 'WEOFCmd', 'write eof command'], value: 'mt weof', expected: 'mt weof' },
  { field: 'tapePosFile', spellings: ['Tape-Pos-File', 'Tape Position File', 'TapePosFile'], value: '/x/tapepos', expected: '/x/tapepos' },
  { field: 'varDirectory', spellings: ['Var-Directory', 'VarDir', 'var directory'], value: '/x/var', expected: '/x/var' },
  {
    field: 'encryptionKeyFiles',
    spellings: ['Encryption-Key-File', 'CryptKeyFiles', 'Encryption Key Files', 'EncryptionKeyFile'],
    value: '/etc/key',
    expected: [{ file: '/etc/key' }],
  },
  { field: 'programDirectory', spellings: ['Program-Directory', 'ProgramDir', 'program directory'], value: '/x/rexec', expected: '/x/rexec' },
  { field: 'initCommand', spellings: ['Init-Command', 'Initialization Cmd', 'InitCmd'], value: 'start %p', expected: 'start %p' },
  { field: 'exitCommand', spellings: ['Exit-Command', 'ExitCmd', 'exit command'], value: 'stop %p', expected: 'stop %p' },
  { field: 'changerConfigFile', spellings: ['Changer-Configuration-File', 'ChangerConfig', 'Changer Config File'], value: '/x/changer.conf', expected: '/x/changer.conf' },
  { field: 'changerLockfile', spellings: ['Changer-Lockfile', 'Changer Locking File', 'changer_lock_file'], value: '/x/ch.lock', expected: '/x/ch.lock' },
  { field: 'authenticationScheme', spellings: ['Authentication-Scheme', 'AuthScheme', 'authentication scheme'], value: 'simple', expected: 'simple' },
  { field: 'virtualCartridgeCapacity', spellings: ['Virtual-Cartridge-Capacity', 'VirtualCartCapacity', 'virtual cartridge capacity'], value: '1G', expected: 1024 ** 3 },
  { field: 'virtualEarlyWarning', spellings: ['Virtual-Early-Warning', 'virtual early warning', 'VirtualEarlyWarning'], value: '1M', expected: 1024 ** 2 },
  { field: 'virtualDrives', spellings: ['Virtual-Drives', 'VirtualDrive', 'virtual drives'], value: '3', expected: 3 },
];

test('every key has at least two spellings tested, and every field of the key table is covered', () => {
  const covered = new Set(SPELLINGS.map((s) => s.field));
  for (const k of SERVER_KEYS) assert.ok(covered.has(k.field), `no spelling test for ${k.name}`);
  for (const s of SPELLINGS) assert.ok(s.spellings.length >= 2, s.field);
});

test('every spelling sets its key, with any of the separators', () => {
  const separators = [':\t', ': ', ':', '   ', ' : '];
  for (const { field, spellings, value, get, expected } of SPELLINGS) {
    spellings.forEach((spelling, i) => {
      const sep = separators[i % separators.length]!;
      const text = `Number Of Cartridges: 5\n${spelling}${sep}${value}\n`;
      const { config, unknownLines } = parse(field === 'numberOfCartridges' ? `${spelling}${sep}${value}` : text);
      assert.deepEqual(unknownLines, [], `${spelling}: unknown`);
      const actual = get ? get(config) : config[field];
      assert.deepEqual(actual, expected, `${JSON.stringify(spelling + sep + value)} → ${field}`);
    });
  }
});

test('no spelling is claimed by two keys', () => {
  for (const { field, spellings, value } of SPELLINGS) {
    for (const spelling of spellings) {
      const claims = SERVER_KEYS.filter((k) => matchKey(k, `${spelling}: ${value}`) !== undefined).map((k) => k.field);
      assert.deepEqual(claims, [field], spelling);
    }
  }
});

test('a key must end at a blank, a colon or the end of the line', () => {
  const { config, unknownLines } = parse('Tape-BlocksizeX: 4\nVarDirectoryish /x\nAppendix: yes\n');
  assert.equal(config.tapeBlocksize, 512);
  assert.equal(config.varDirectory, '/opt/afb/var');
  assert.equal(config.fullAppendMode, false);
  assert.equal(unknownLines.length, 3);
});

test('leading blanks before a key are allowed', () => {
  assert.equal(parse('   Tape-Blocksize: 2048').config.tapeBlocksize, 2048);
});

test('the first matching line wins; later ones are reported as duplicates', () => {
  const { config, duplicateLines } = parse('BackupDevs: /dev/a\n# Backup-Device: /dev/c\nBackup-Device: /dev/b\nTape Blocksize 1\ntape-blocksize: 2\n');
  assert.equal(config.backupDevice, '/dev/a');
  assert.equal(config.tapeBlocksize, 1);
  assert.deepEqual(duplicateLines, [
    { line: 3, text: 'Backup-Device: /dev/b', key: 'Backup-Device' },
    { line: 5, text: 'tape-blocksize: 2', key: 'Tape-Blocksize' },
  ]);
});

test('unknown lines are collected with their line numbers', () => {
  const { unknownLines, config } = parse('# comment\nFrobnicate: 1\nTape-Blocksize: 1024\n\n  Some junk here\n');
  assert.deepEqual(unknownLines, [
    { line: 2, text: 'Frobnicate: 1' },
    { line: 5, text: '  Some junk here' },
  ]);
  assert.equal(config.tapeBlocksize, 1024);
});

test('continuation lines and comments inside them', () => {
  const text = 'Number Of Cartridges: 9\nCartridge-Sets: 1-3 \\\n  4-6:alpha \\\n  # 7-8\nSetFile-Command: a \\\n b # note\n';
  const { config } = parse(text);
  assert.deepEqual(
    config.cartridgeSets.sets.map((s) => formatRanges(s.ranges)),
    ['1-3', '4-6'],
  );
  assert.equal(config.setFileCommand, 'a  b');
});

test('flags: the first word is a prefix of 1, yes, true or ok', () => {
  for (const v of ['y', 'Yes', 't', 'ok', '1', 'TRUE', 'YES please', 'o', 'Ye']) {
    assert.equal(isYes(v), true, v);
    assert.equal(parse(`Cartridge-Handler: ${v}`).config.cartridgeHandler, true, v);
  }
  for (const v of ['on', 'no', '0', '', 'n', 'false', '2', 'yess', 'okay']) {
    assert.equal(isYes(v), false, v);
    assert.equal(parse(`Cartridge-Handler: ${v}`).config.cartridgeHandler, false, v);
  }
});

test('integers: the first number in the rest of the line', () => {
  assert.equal(parse('Tape-Blocksize: about 2048 bytes').config.tapeBlocksize, 2048);
  assert.equal(parse('Cart-Insert-Gracetime: 0').config.cartInsertGracetime, 0);
  assert.equal(parse('Max Bytes Per File: 100\nTape-Blocksize: 1024').config.maxBytesPerFile, 1024, 'at least one block');
});

test('%B %L %V %C are replaced; %% and command letters are kept', () => {
  const text = [
    'Var-Directory: %L/state',
    'Tape-Pos-File: %V/tapepos',
    'SetFile-Command: sh -c "mt -f %d rewind && %B/__mt -f %d fsf %m"',
    'SkipFiles-Command: %B/__mt -f %d fsf %n %%V',
    'Status-File: >>%V/status',
    'Lock-File: %C/lock',
    'Tape-Full-Command: %B/full %c %n %C',
    'Program-Directory: %L/rexec',
    'Encryption-Key-File: %C/cryptkey',
    'Backup-Device: vtl:library',
    'Mail-Program: mail -s "[Afbackup] %V" %u',
  ].join('\n');
  const { config } = parse(text);
  assert.equal(config.varDirectory, '/opt/afb/lib/state');
  assert.equal(config.tapePosFile, '/opt/afb/lib/state/tapepos');
  assert.equal(config.setFileCommand, 'sh -c "mt -f %d rewind && /opt/afb/bin/__mt -f %d fsf %m"');
  assert.equal(config.skipFilesCommand, '/opt/afb/bin/__mt -f %d fsf %n %%V');
  assert.equal(config.statusFile, '>>/opt/afb/lib/state/status');
  assert.equal(config.lockFile, '/opt/afb/etc/lock');
  assert.equal(config.tapeFullCommand, '/opt/afb/bin/full %c %n %C');
  assert.equal(config.programDirectory, '/opt/afb/lib/rexec');
  assert.deepEqual(config.encryptionKeyFiles, [{ file: '/opt/afb/etc/cryptkey' }]);
  assert.equal(config.mailProgram, 'mail -s "[Afbackup] /opt/afb/lib/state" %u');
  assert.deepEqual(config.devices, [{ kind: 'vtl', device: 'vtl:library', drive: 0, library: '/opt/afb/lib/state/library' }]);
});

test('%V in Var-Directory itself is the compiled var directory', () => {
  assert.equal(parse('Var-Directory: %V/sub').config.varDirectory, '/opt/afb/var/sub');
});

test('an empty value counts as not set', () => {
  const { config } = parse('Changecart-Command:\nUser To Inform:   \nMail-Program:\n');
  assert.equal(config.changeCartCommand, 'mt -f %d rewoffl');
  assert.equal(config.userToInform, 'postmaster');
  assert.equal(config.mailProgram, 'mail');
});

test('ServerIdentifier: default <hostname>:<path>, blanks and non-printables become *', () => {
  const r = parseServerConfig('', { path: '/etc/my conf/é.conf', paths: PATHS, hostname: 'back up' });
  assert.equal(r.config.serverIdentifier, 'back*up:/etc/my*conf/**.conf');
  assert.equal(parse('ServerIdentifier: tape\tserver 1').config.serverIdentifier, 'tape*server*1');
  assert.equal(printableIdentifier('a\u0001b\u007fc~'), 'a*b*c~');
});

test('cartridge sets: Cartridge-Sets wins over Last-Cartridges, which is then not supported', () => {
  const both = parse('NumCarts: 10\nLast-Cartridges: 5 10\nCartridge-Sets: 1-3 4-10:alpha\n');
  assert.equal(both.config.cartridgeSets.source, 'Cartridge-Sets');
  assert.deepEqual(both.config.lastCartridges, [5, 10]);
  assert.deepEqual(both.notSupported, ['Last-Cartridges']);
  const last = parse('NumCarts: 10\nLast-Cartridges: 5 10\n');
  assert.equal(last.config.cartridgeSets.source, 'Last-Cartridges');
  assert.deepEqual(last.config.cartridgeSets.cartridgesOfSet(2), [6, 7, 8, 9, 10]);
  assert.deepEqual(last.notSupported, []);
});

test('notSupported lists Tape-Buffer, Write-EOF-Command and PreferCartInChanger when present', () => {
  const r = parse('Tape-Buffer: 1000000\nWrite-EOF-Command: mt eof\nPreferCartInChanger: no\n');
  assert.deepEqual(r.notSupported, ['Tape-Buffer', 'Write-EOF-Command', 'PreferCartInChanger']);
});

test('our virtual-library keys: defaults and limits', () => {
  assert.equal(parse('Virtual-Cartridge-Capacity: 1G').config.virtualEarlyWarning, 16 * 1024 ** 2);
  assert.equal(parse('Virtual-Cartridge-Capacity: 100T').config.virtualEarlyWarning, 64 * 1024 ** 2);
  assert.equal(parse('Virtual-Cartridge-Capacity: 64000').config.virtualEarlyWarning, 1000);
  const r = parse('Backup-Device: vtl:/srv/vtl =2\nVirtual-Drives: 2\nVirtual-Cartridge-Capacity: 512M\nVirtual-Early-Warning: 4M');
  assert.deepEqual(r.config.devices, [{ kind: 'vtl', device: 'vtl:/srv/vtl', drive: 1, library: '/srv/vtl' }]);
  assert.equal(r.config.virtualDrives, 2);
  assert.equal(r.config.virtualCartridgeCapacity, 512 * 1024 ** 2);
  assert.equal(r.config.virtualEarlyWarning, 4 * 1024 ** 2);
  assert.equal(parse('AuthScheme: DES').config.authenticationScheme, 'des');
});

test('errors name the file, the line and the key', () => {
  throwsSyntax(() => parse('# c\n\nTape-Blocksize: abc\n', '/etc/x.conf'), '"/etc/x.conf" line 3', 'key "Tape-Blocksize"', '"abc" is not a number');
  throwsSyntax(() => parse('NumCarts: none'), 'line 1', 'Number-Of-Cartridges');
  throwsSyntax(() => parse('NumCarts: 0'), 'line 1', 'Number-Of-Cartridges', 'out of range');
  throwsSyntax(() => parse('Tape-Blocksize: -5'), 'Tape-Blocksize', 'out of range');
  throwsSyntax(() => parse('Tape-Blocksize:'), 'Tape-Blocksize', 'is not a number');
  throwsSyntax(() => parse('Virtual-Drives: 0'), 'Virtual-Drives');
  throwsSyntax(() => parse('x: 1\nAuthentication-Scheme: md5\n'), 'line 2', 'Authentication-Scheme', '"md5"');
  throwsSyntax(() => parse('Authentication-Scheme:'), 'line 1', 'Authentication-Scheme');
  throwsSyntax(() => parse('NumCarts: 10\nCartridge-Sets: 1-5 \\\n 4-8\n'), 'line 2', 'Cartridge-Sets', 'overlap in cartridges 4-5');
  throwsSyntax(() => parse('NumCarts: 4\nCartSets: 1-8'), 'line 2', 'Cartridge-Sets', 'outside 1-4');
  throwsSyntax(() => parse('Max Bytes Per Tape: 100 x:5'), 'line 1', 'Max-Bytes-Per-Tape', '"x"');
  throwsSyntax(() => parse('Backup-Device: /dev/nst0 =0'), 'line 1', 'Backup-Device');
  throwsSyntax(() => parse('Encryption-Key-File: ":alpha"'), 'line 1', 'Encryption-Key-Files');
  throwsSyntax(() => parse('Encryption-Key-File: "/k'), 'line 1', 'unterminated');
  throwsSyntax(() => parse('Virtual-Cartridge-Capacity: lots'), 'Virtual-Cartridge-Capacity', '"lots"');
  throwsSyntax(() => parse('Virtual-Cartridge-Capacity: 0'), 'Virtual-Cartridge-Capacity');
  throwsSyntax(() => parse('Virtual-Cartridge-Capacity: 1M\nVirtual-Early-Warning: 2M'), 'line 2', 'Virtual-Early-Warning', 'smaller than the capacity');
  throwsSyntax(() => parse('Last-Cartridges: 3 2'), 'line 1', 'Last-Cartridges');
});

test('findDefaultServerConfig follows the documented search order', async () => {
  const paths = defaultInstallPaths();
  assert.deepEqual(serverConfigCandidates(paths), [
    '/etc/buserver.conf',
    '/etc/afbuserver.conf',
    '/etc/afserver.conf',
    '/etc/afbackup/server.conf',
    '/etc/afbackup/backup.conf',
  ]);
  const existing = new Set(['/etc/afbackup/server.conf', '/etc/afserver.conf']);
  assert.equal(await findDefaultServerConfig(paths, async (p) => existing.has(p)), '/etc/afserver.conf');
  assert.equal(await findDefaultServerConfig(paths, async () => false), undefined);
});

test('loadServerConfig reads a file; a missing file is CONFIG_ERROR', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afb-config-'));
  try {
    const file = path.join(dir, 'server.conf');
    fs.writeFileSync(file, 'Tape-Blocksize: 4096\n');
    const { config } = await loadServerConfig(file, { paths: PATHS, hostname: 'h' });
    assert.equal(config.tapeBlocksize, 4096);
    assert.equal(config.serverIdentifier, `h:${file}`);
    await assert.rejects(loadServerConfig(path.join(dir, 'missing.conf'), { paths: PATHS, hostname: 'h' }), (e: unknown) =>
      isAfError(e, 'CONFIG_ERROR'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('defaultInstallPaths is the /usr layout and its locspec is ^usr', () => {
  const { config } = parseServerConfig('', { path: '/etc/afserver.conf', paths: defaultInstallPaths(), hostname: 'h' });
  assert.equal(config.lockFile, '/var/lock/Lck.afbu_server.^usr');
  assert.equal(config.varDirectory, '/var/lib/afbackup');
});
