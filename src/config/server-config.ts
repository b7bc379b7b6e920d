/**
 * The afserver configuration file turned into one typed ServerConfig value.
 *
 * Parsing is pure: text, the file's path, the install paths and the host name in;
 * the config, the lines no key recognised and the keys we parse but do not act on
 * out. For each key the FIRST line that sets it wins (spec §3.1); later ones are
 * reported as duplicates. String values are trimmed, an empty value counts as not
 * set, and `%B %L %V %C` are replaced where afbackup does it. Integers are the first
 * number in the value; a flag is true when its first word is a prefix of 1, yes,
 * true or ok. Every error is CONFIG_SYNTAX naming the file, the line and the key.
 * Only loadServerConfig and findDefaultServerConfig touch the file system.
 *
 * Our own keys, not in afbackup:
 * - Authentication-Scheme: `des` (default) or `simple`. afbackup fixes the scheme at
 *   compile time; we choose it here. Anything else is an error.
 * - Virtual-Cartridge-Capacity: size of one cartridge of the virtual tape library,
 *   in bytes with an optional K/M/G/T suffix (1024-based). Default 10 GiB.
 * - Virtual-Early-Warning: how many bytes before the end of a virtual cartridge the
 *   early-warning zone starts. Default: 1/64 of the capacity, at most 64 MiB.
 * - Virtual-Drives: number of drives of the virtual library. Default 1.
 * The virtual library itself is chosen with `Backup-Device: vtl:<directory>`.
 */
import { readConfigText } from './param-file.js';
import fs from 'node:fs/promises';
import { AfError, isAfError } from '../errors.js';
import { type CartridgeSets, defaultCartridgeSets, parseCartridgeSets, parseLastCartridges } from './cartridge-sets.js';
import { type DeviceSpec, parseDeviceSpecs } from './device-spec.js';
import { type InstallPaths, dirValues, locspec, substituteDirs } from './install-paths.js';
import { type KeyFileEntry, parseKeyFileEntries } from './key-files.js';
import { type MaxBytesPerTape, parseMaxBytesPerTape, unlimitedMaxBytesPerTape } from './max-bytes-per-tape.js';
import { type LogicalLine, assignKeys, intValue, readParamLines } from './param-file.js';
import { SERVER_KEYS, type ServerKey, matchKey } from './server-keys.js';
import { parseSize } from './size.js';

export type { InstallPaths } from './install-paths.js';
export { defaultInstallPaths } from './install-paths.js';

export type AuthenticationScheme = 'des' | 'simple';

export interface ServerConfig {
  /** The file the configuration was read from (`%C` of the Tape-Full-Command). */
  readonly configPath: string;
  /** Returned by `{`; default `<hostname>:<config path>`; blanks and non-printables are `*`. */
  readonly serverIdentifier: string;
  /** Backup-Device as written (after `%B %L %V %C`). Default `/dev/nst0`. */
  readonly backupDevice: string;
  /** Backup-Device parsed (spec §7.1); afserver uses the first. */
  readonly devices: readonly DeviceSpec[];
  /** Default 512. */
  readonly tapeBlocksize: number;
  /** Tape-Buffer as written; parsed but not acted upon (we stream without a ring buffer). */
  readonly tapeBuffer: string | undefined;
  /** Seconds between probes while waiting for a cartridge; 0 = no probing. Default 2. */
  readonly deviceProbeInterval: number;
  readonly fullAppendMode: boolean;
  readonly variableAppendMode: boolean;
  /** Parsed but not acted upon. */
  readonly preferCartInChanger: boolean;
  /** Logging-File as written (`@[ident] [file]` = also syslog); undefined = no log. */
  readonly loggingFile: string | undefined;
  /** Default `<Var-Directory>/status`; a leading `>>` means append. */
  readonly statusFile: string;
  /** Device lock file. Default `<lockdir>/Lck.afbu_server.<locspec>`. */
  readonly lockFile: string;
  /** `%u` of the Mail-Program. Default `postmaster`. */
  readonly userToInform: string;
  /** Default `mail`. */
  readonly mailProgram: string;
  /** True when a robot/changer loads cartridges. */
  readonly cartridgeHandler: boolean;
  readonly rejectUnlabeledTapes: boolean;
  /** Default 1. */
  readonly numberOfCartridges: number;
  /** From Cartridge-Sets, else Last-Cartridges, else one set 1..N. */
  readonly cartridgeSets: CartridgeSets;
  /** The numbers of the obsolete Last-Cartridges key, if given. */
  readonly lastCartridges: readonly number[] | undefined;
  /** Default 50 000 000; never less than one tape block. */
  readonly maxBytesPerFile: number;
  /** Per-cartridge limits; unlimited by default. */
  readonly maxBytesPerTape: MaxBytesPerTape;
  /** Seconds to wait after a cartridge was loaded. Default 120. */
  readonly cartInsertGracetime: number;
  /** Minutes of waiting for the device before mailing the operator; 0 = never. Default 5. */
  readonly devUnavailSendMailMin: number;
  /** Minutes of waiting for the device before giving up; 0 = never. Default 60. */
  readonly devUnavailGiveUpMin: number;
  readonly setFileCommand: string;
  readonly skipFilesCommand: string;
  readonly setCartCommand: string | undefined;
  readonly changeCartCommand: string;
  readonly initMediaCommand: string | undefined;
  readonly eraseTapeCommand: string | undefined;
  /** `%C` in it is left for run time (the configuration file). */
  readonly tapeFullCommand: string | undefined;
  /** Parsed but never used (afbackup never used it either). */
  readonly writeEofCommand: string;
  /** Default `<compiled vardir>/tapepos` (not relative to Var-Directory, as in afbackup). */
  readonly tapePosFile: string;
  readonly varDirectory: string;
  /** Empty when no key file is configured (the built-in key applies). */
  readonly encryptionKeyFiles: readonly KeyFileEntry[];
  /** Remote-start directory. Default `nowhere`. */
  readonly programDirectory: string;
  readonly initCommand: string | undefined;
  readonly exitCommand: string | undefined;
  readonly changerConfigFile: string | undefined;
  /** Default `<lockdir>/Lck.afbu_changer.<locspec>`. */
  readonly changerLockfile: string;
  /** Ours. Default 'des'. */
  readonly authenticationScheme: AuthenticationScheme;
  /** Ours. Bytes per virtual cartridge. Default 10 GiB. */
  readonly virtualCartridgeCapacity: number;
  /** Ours. Bytes of early-warning zone before the end of a virtual cartridge. */
  readonly virtualEarlyWarning: number;
  /** Ours. Drives of the virtual library. Default 1. */
  readonly virtualDrives: number;
}

export interface ParseServerConfigOptions {
  /** The configuration file's path, for messages and the default ServerIdentifier. */
  path: string;
  paths: InstallPaths;
  /** This host's official name, for the default ServerIdentifier. */
  hostname: string;
}

export interface SourceLine {
  readonly line: number;
  readonly text: string;
}

export interface ParsedServerConfig {
  config: ServerConfig;
  /** Lines that set no known key. */
  unknownLines: SourceLine[];
  /** Canonical names of keys present in the file that our server parses but does not act on. */
  notSupported: string[];
  /** Later lines that set a key again; the first setting won. */
  duplicateLines: (SourceLine & { key: string })[];
}

export const DEFAULTS = {
  backupDevice: '/dev/nst0',
  tapeBlocksize: 512,
  deviceProbeInterval: 2,
  userToInform: 'postmaster',
  mailProgram: 'mail',
  numberOfCartridges: 1,
  maxBytesPerFile: 50_000_000,
  cartInsertGracetime: 120,
  devUnavailSendMailMin: 5,
  devUnavailGiveUpMin: 60,
  setFileCommand: 'mt -f %d rewind && mt -f %d fsf %m',
  skipFilesCommand: 'mt -f %d fsf %n',
  changeCartCommand: 'mt -f %d rewoffl',
  writeEofCommand: 'mt -f %d eof',
  programDirectory: 'nowhere',
  authenticationScheme: 'des' as AuthenticationScheme,
  virtualCartridgeCapacity: 10 * 1024 ** 3,
  virtualDrives: 1,
  /** The early-warning zone is capacity / this, ... */
  virtualEarlyWarningDivisor: 64,
  /** ... but at most this many bytes. */
  virtualEarlyWarningMax: 64 * 1024 ** 2,
} as const;

/** Cartridge numbers travel as 24-bit integers. */
const MAX_CARTRIDGES = 0xffffff;

/** Parses server configuration text. Throws CONFIG_SYNTAX naming file, line and key. */
export function parseServerConfig(text: string, opts: ParseServerConfigOptions): ParsedServerConfig {
  const lines = readParamLines(text);
  const { found, unknownLines, duplicateLines } = assignKeys(SERVER_KEYS, lines, matchKey, { exclusive: false });

  const keyOf = (field: keyof ServerConfig): ServerKey => SERVER_KEYS.find((k) => k.field === field)!;
  const where = (k: ServerKey): string => {
    const hit = found.get(k);
    return hit ? `"${opts.path}" line ${hit.line.line}, key "${k.name}"` : `"${opts.path}", key "${k.name}"`;
  };
  const fail = (k: ServerKey, detail: string): never => {
    throw new AfError('CONFIG_SYNTAX', `${where(k)}: ${detail}`);
  };
  /** Runs a value parser, prefixing its CONFIG_SYNTAX errors with the file, line and key. */
  const located = <T>(k: ServerKey, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (isAfError(e, 'CONFIG_SYNTAX')) return fail(k, e.detail ?? e.message);
      throw e;
    }
  };
  const raw = (field: keyof ServerConfig): string | undefined => {
    const v = found.get(keyOf(field))?.value.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const vardirValue = raw('varDirectory');
  const varDirectory =
    vardirValue === undefined ? opts.paths.vardir : substituteDirs(vardirValue, dirValues(opts.paths, opts.paths.vardir));
  const dirs = dirValues(opts.paths, varDirectory);

  const str = (field: keyof ServerConfig): string | undefined => {
    const v = raw(field);
    const k = keyOf(field);
    return v === undefined || k.dirLetters === '' ? v : substituteDirs(v, dirs, k.dirLetters);
  };
  const int = (field: keyof ServerConfig, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const k = keyOf(field);
    const hit = found.get(k);
    if (!hit) return fallback;
    const n = intValue(hit.value, min, max);
    return typeof n === 'number' ? n : fail(k, n.error);
  };
  const flag = (field: keyof ServerConfig): boolean => {
    const hit = found.get(keyOf(field));
    return hit ? isYes(hit.value) : false;
  };

  const tapeBlocksize = int('tapeBlocksize', DEFAULTS.tapeBlocksize, 1);
  const numberOfCartridges = int('numberOfCartridges', DEFAULTS.numberOfCartridges, 1, MAX_CARTRIDGES);

  const backupDevice = str('backupDevice') ?? DEFAULTS.backupDevice;
  const devices = located(keyOf('backupDevice'), () => parseDeviceSpecs(backupDevice, { baseDir: varDirectory }));
  if (devices.length === 0) fail(keyOf('backupDevice'), 'no device is named');

  const lastCartridgesText = raw('lastCartridges');
  const lastCartridges = lastCartridgesText === undefined ? undefined : (lastCartridgesText.match(/\d+/g) ?? []).map(Number);
  const setsText = str('cartridgeSets');
  const cartridgeSets =
    setsText !== undefined
      ? located(keyOf('cartridgeSets'), () => parseCartridgeSets(setsText, numberOfCartridges))
      : lastCartridgesText !== undefined
        ? located(keyOf('lastCartridges'), () => parseLastCartridges(lastCartridgesText, numberOfCartridges))
        : defaultCartridgeSets(numberOfCartridges);

  const mbptText = raw('maxBytesPerTape');
  const maxBytesPerTape =
    mbptText === undefined ? unlimitedMaxBytesPerTape() : located(keyOf('maxBytesPerTape'), () => parseMaxBytesPerTape(mbptText));

  const keyFilesText = str('encryptionKeyFiles');
  const encryptionKeyFiles =
    keyFilesText === undefined ? [] : located(keyOf('encryptionKeyFiles'), () => parseKeyFileEntries(keyFilesText));

  const authenticationScheme = parseScheme(found.get(keyOf('authenticationScheme'))?.value, (d) =>
    fail(keyOf('authenticationScheme'), d),
  );

  const capacityText = raw('virtualCartridgeCapacity');
  const virtualCartridgeCapacity =
    capacityText === undefined
      ? DEFAULTS.virtualCartridgeCapacity
      : located(keyOf('virtualCartridgeCapacity'), () => parseSize(capacityText));
  if (virtualCartridgeCapacity <= 0) fail(keyOf('virtualCartridgeCapacity'), 'the capacity must be more than 0 bytes');
  const warningText = raw('virtualEarlyWarning');
  const virtualEarlyWarning =
    warningText === undefined
      ? Math.min(Math.floor(virtualCartridgeCapacity / DEFAULTS.virtualEarlyWarningDivisor), DEFAULTS.virtualEarlyWarningMax)
      : located(keyOf('virtualEarlyWarning'), () => parseSize(warningText));
  if (virtualEarlyWarning >= virtualCartridgeCapacity) {
    fail(
      keyOf('virtualEarlyWarning'),
      `the early-warning zone (${virtualEarlyWarning} bytes) must be smaller than the capacity (${virtualCartridgeCapacity} bytes)`,
    );
  }

  const lockSpec = locspec(opts.paths);
  const config: ServerConfig = {
    configPath: opts.path,
    serverIdentifier: printableIdentifier(raw('serverIdentifier') ?? `${opts.hostname}:${opts.path}`),
    backupDevice,
    devices,
    tapeBlocksize,
    tapeBuffer: str('tapeBuffer'),
    deviceProbeInterval: int('deviceProbeInterval', DEFAULTS.deviceProbeInterval, 0),
    fullAppendMode: flag('fullAppendMode'),
    variableAppendMode: flag('variableAppendMode'),
    preferCartInChanger: flag('preferCartInChanger'),
    loggingFile: str('loggingFile'),
    statusFile: str('statusFile') ?? `${varDirectory}/status`,
    lockFile: str('lockFile') ?? `${opts.paths.lockdir}/Lck.afbu_server.${lockSpec}`,
    userToInform: str('userToInform') ?? DEFAULTS.userToInform,
    mailProgram: str('mailProgram') ?? DEFAULTS.mailProgram,
    cartridgeHandler: flag('cartridgeHandler'),
    rejectUnlabeledTapes: flag('rejectUnlabeledTapes'),
    numberOfCartridges,
    cartridgeSets,
    lastCartridges,
    maxBytesPerFile: Math.max(int('maxBytesPerFile', DEFAULTS.maxBytesPerFile, 1), tapeBlocksize),
    maxBytesPerTape,
    cartInsertGracetime: int('cartInsertGracetime', DEFAULTS.cartInsertGracetime, 0),
    devUnavailSendMailMin: int('devUnavailSendMailMin', DEFAULTS.devUnavailSendMailMin, 0),
    devUnavailGiveUpMin: int('devUnavailGiveUpMin', DEFAULTS.devUnavailGiveUpMin, 0),
    setFileCommand: str('setFileCommand') ?? DEFAULTS.setFileCommand,
    skipFilesCommand: str('skipFilesCommand') ?? DEFAULTS.skipFilesCommand,
    setCartCommand: str('setCartCommand'),
    changeCartCommand: str('changeCartCommand') ?? DEFAULTS.changeCartCommand,
    initMediaCommand: str('initMediaCommand'),
    eraseTapeCommand: str('eraseTapeCommand'),
    tapeFullCommand: str('tapeFullCommand'),
    writeEofCommand: str('writeEofCommand') ?? DEFAULTS.writeEofCommand,
    tapePosFile: str('tapePosFile') ?? `${opts.paths.vardir}/tapepos`,
    varDirectory,
    encryptionKeyFiles,
    programDirectory: str('programDirectory') ?? DEFAULTS.programDirectory,
    initCommand: str('initCommand'),
    exitCommand: str('exitCommand'),
    changerConfigFile: str('changerConfigFile'),
    changerLockfile: str('changerLockfile') ?? `${opts.paths.lockdir}/Lck.afbu_changer.${lockSpec}`,
    authenticationScheme,
    virtualCartridgeCapacity,
    virtualEarlyWarning,
    virtualDrives: int('virtualDrives', DEFAULTS.virtualDrives, 1),
  };

  const present = (field: keyof ServerConfig): boolean => found.has(keyOf(field));
  const notSupported: string[] = [];
  if (present('tapeBuffer')) notSupported.push('Tape-Buffer');
  if (present('writeEofCommand')) notSupported.push('Write-EOF-Command');
  if (present('lastCartridges') && setsText !== undefined) notSupported.push('Last-Cartridges');
  if (present('preferCartInChanger')) notSupported.push('PreferCartInChanger');

  return { config, unknownLines, notSupported, duplicateLines };
}

/** afbackup's flag test: the first word is a case-insensitive prefix of 1, yes, true or ok. */
export function isYes(value: string): boolean {
  const word = value.trim().split(/\s+/)[0]!.toLowerCase();
  return word !== '' && ['1', 'yes', 'true', 'ok'].some((y) => y.startsWith(word));
}

function parseScheme(value: string | undefined, fail: (detail: string) => never): AuthenticationScheme {
  if (value === undefined) return DEFAULTS.authenticationScheme;
  const v = value.trim().toLowerCase();
  if (v === 'des' || v === 'simple') return v;
  return fail(`"${value.trim()}" is not an authentication scheme (use "des" or "simple")`);
}

/** Replaces every byte that is not a printable, non-blank ASCII character by `*`. */
export function printableIdentifier(id: string): string {
  let out = '';
  for (const b of Buffer.from(id, 'utf8')) out += b > 0x20 && b < 0x7f ? String.fromCharCode(b) : '*';
  return out;
}

/** The files afserver tries, in order, when no configuration file is named (spec §3.1). */
export function serverConfigCandidates(paths: InstallPaths): string[] {
  return [
    '/etc/buserver.conf',
    '/etc/afbuserver.conf',
    '/etc/afserver.conf',
    '/etc/afbackup/server.conf',
    `${paths.confdir}/backup.conf`,
  ];
}

/** The first candidate that exists, or undefined. `exists` may be replaced in tests. */
export async function findDefaultServerConfig(
  paths: InstallPaths,
  exists: (path: string) => Promise<boolean> = fileExists,
): Promise<string | undefined> {
  for (const candidate of serverConfigCandidates(paths)) {
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads and parses a configuration file. A file that cannot be read is CONFIG_ERROR. */
export async function loadServerConfig(
  path: string,
  opts: { paths: InstallPaths; hostname: string },
): Promise<ParsedServerConfig> {
  const text = await readConfigText(path);
  return parseServerConfig(text, { path, paths: opts.paths, hostname: opts.hostname });
}
