/**
 * The client configuration file (full_backup, incr_backup, afrestore) turned into
 * one typed ClientConfig value (spec §3.3).
 *
 * Parsing is pure, in the style of server-config.ts: text, the file's path, the
 * install paths and the host name in; the config, the lines no key recognised, the
 * keys parsed but not acted upon and the ignored duplicates out. The FIRST line
 * that sets a key wins. String values are trimmed and an empty value counts as not
 * set; `%B %L %V %C %I` (bindir, libdir, var directory, confdir, logdir) are
 * replaced where the key table says so (`%V` is the configured VarDirectory once
 * known). Integers are the first number of the value; flags use afbackup's is_yes.
 * Composite values are parsed into typed parts: the per-host server list
 * (BackupHosts with the positional BackupPorts and CartridgeSets), DirsToBackup and
 * DirsToBackup<N> entries, FilesystemTypes rules and PrintServerMessages. Every
 * error is CONFIG_SYNTAX naming the file, the line and the key. Only
 * loadClientConfig touches the file system.
 */
import { assignKeys, intValue, readConfigText } from './param-file.js';
import { substituteDirs } from './install-paths.js';
import { AfError, isAfError } from '../errors.js';
import { CLIENT_KEYS, type ClientKey, matchClientKey, matchDirsToBackupPart } from './client-keys.js';
import { type InstallPaths, locspec } from './install-paths.js';
import { type LogicalLine, readParamLines } from './param-file.js';
import { isYes } from './server-config.js';
import { splitWords } from './words.js';

/** Install paths of a client; `logdir` (`%I`) defaults to `vardir`, which is the compiled client var directory. */
export type ClientInstallPaths = InstallPaths & { readonly logdir?: string };

/** The `afbackup` service port. */
export const DEFAULT_PORT = 2988;

/** One server to try, in BackupHosts order. */
export interface BackupServer {
  readonly host: string;
  /** Port number, or a service name / Unix socket path as written. */
  readonly port: number | string;
  /** True when BackupPorts gave none for this host. */
  readonly defaultPort: boolean;
  readonly cartridgeSet: number;
}

/** One DirsToBackup entry. */
export type BackupEntry =
  | {
      readonly kind: 'path';
      /** Name or glob pattern, relative to RootDirectory unless absolute. */
      readonly path: string;
      readonly glob: boolean;
      /** `.//.` or `-m`: do not descend into other file systems. */
      readonly oneFilesystem: boolean;
    }
  | {
      /** `/../` or `-r` (raw contents); `//../` or `-R` (raw contents, processed). */
      readonly kind: 'raw';
      readonly path: string;
      readonly processed: boolean;
    }
  | {
      /** `||| cmd ||| restorecmd ### comment`: the output of a command is saved. */
      readonly kind: 'command';
      readonly command: string;
      readonly restoreCommand: string;
      readonly comment: string | undefined;
    };

/** DirsToBackup as a whole: a list of entries, or `| cmd` (the entries are the command's output lines). */
export type BackupEntries =
  | { readonly kind: 'entries'; readonly entries: readonly BackupEntry[] }
  | { readonly kind: 'fromCommand'; readonly command: string };

export interface FilesystemTypeRule {
  readonly type: string;
  /** only: back up only these (`t`, `+t`); skip: skip but descend (`-t`); prune: do not descend (`/t`). */
  readonly mode: 'only' | 'skip' | 'prune';
}

export interface PrintServerMessages {
  /** The letters among b, v, r, c (which programs print messages). */
  readonly letters: string;
  /** Single-stream ports, one per BackupHosts entry. */
  readonly ports: readonly number[];
}

export interface ClientConfig {
  readonly configPath: string;
  readonly backupHosts: readonly string[];
  /** BackupPorts as written, positional per host (undefined = default). */
  readonly backupPorts: readonly (number | string)[];
  /** CartridgeSets, positional per host. */
  readonly cartridgeSets: readonly number[];
  /** The hosts joined with their port and cartridge set. */
  readonly servers: readonly BackupServer[];
  readonly printServerMessages: PrintServerMessages | undefined;
  readonly rootDirectory: string;
  readonly dirsToBackup: BackupEntries;
  /** DirsToBackup<N>, by N. */
  readonly dirsToBackupParts: ReadonlyMap<number, BackupEntries>;
  readonly filesToSkip: readonly string[];
  readonly dirsToSkip: readonly string[];
  readonly filesystemTypes: readonly FilesystemTypeRule[];
  readonly excludeListFile: string | undefined;
  readonly indexFilePart: string;
  readonly numIndexesToStore: number;
  readonly daysToStoreIndexes: number | undefined;
  /** Undefined = all. */
  readonly numIndexesToScan: number | undefined;
  readonly daysToScanIndexes: number | undefined;
  readonly processCmd: string | undefined;
  readonly unprocessCmd: string | undefined;
  /** Default: processCmd. */
  readonly indexProcessCmd: string | undefined;
  /** Default: unprocessCmd. */
  readonly indexUnprocessCmd: string | undefined;
  /** 0 = off, 1-9 = zlib level. */
  readonly builtinCompressionLevel: number;
  readonly doNotProcess: readonly string[];
  readonly processBackupedFiles: boolean;
  readonly processLogfiles: boolean;
  readonly writeChecksums: boolean;
  readonly useCTime: boolean;
  readonly numBackupParts: number;
  readonly loggingFile: string;
  readonly varDirectory: string;
  /** Undefined = not configured (afbackup then uses `<confdir>/cryptkey` if readable: see defaultKeyFile). */
  readonly encryptionKeyFile: string | undefined;
  readonly lockFile: string;
  readonly clientIdentifier: string;
  readonly startupInfoProgram: string | undefined;
  readonly initProgram: string | undefined;
  readonly exitProgram: string | undefined;
  readonly reportProgress: boolean;
  readonly checkRestoreAccessPerms: boolean;
}

export interface ParseClientConfigOptions {
  path: string;
  paths: ClientInstallPaths;
  /** This host's official name: the default ClientIdentifier. */
  hostname: string;
}

export interface SourceLine {
  readonly line: number;
  readonly text: string;
}

export interface ParsedClientConfig {
  config: ClientConfig;
  unknownLines: SourceLine[];
  /** Canonical names of keys present in the file that we parse but do not act on. */
  notSupported: string[];
  duplicateLines: (SourceLine & { key: string })[];
}

/** The key file afbackup uses when EncryptionKeyFile is not set and this file is readable. */
export function defaultKeyFile(paths: ClientInstallPaths): string {
  return `${paths.confdir}/cryptkey`;
}

type Letters = Record<'B' | 'L' | 'V' | 'C' | 'I', string>;

/** Replaces `%B %L %V %C %I` (those in `letters`); `%%` and other `%x` stay for run time. */
export function substituteClientDirs(value: string, dirs: Letters, letters = 'BLVCI'): string {
  return substituteDirs(value, dirs, letters);
}

/** Splits a list value at commas, semicolons and blanks. */
function listItems(text: string): string[] {
  return text.split(/[\s,;]+/).filter((w) => w !== '');
}

const GLOB_CHARS = /[*?[]/;

/** Parses one DirsToBackup value (spec §3.3). Throws CONFIG_SYNTAX without location. */
export function parseBackupEntries(value: string): BackupEntries {
  const trimmed = value.trim();
  if (trimmed.startsWith('|') && !trimmed.startsWith('|||')) {
    const command = trimmed.slice(1).trim();
    if (command === '') throw new AfError('CONFIG_SYNTAX', 'the "|" is not followed by a command');
    return { kind: 'fromCommand', command };
  }
  const words = splitWords(trimmed).map((w) => w.text);
  const entries: BackupEntry[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-m' || w === '-r' || w === '-R') {
      const next = words[i + 1];
      if (next === undefined) throw new AfError('CONFIG_SYNTAX', `"${w}" is not followed by an entry`);
      i++;
      entries.push(
        w === '-m'
          ? { kind: 'path', path: next, glob: GLOB_CHARS.test(next), oneFilesystem: true }
          : { kind: 'raw', path: next, processed: w === '-R' },
      );
      continue;
    }
    entries.push(parseOneEntry(w));
  }
  return { kind: 'entries', entries };
}

function parseOneEntry(w: string): BackupEntry {
  if (w.startsWith('|||')) {
    const rest = w.slice(3);
    const sep = rest.indexOf('|||');
    if (sep < 0) throw new AfError('CONFIG_SYNTAX', `"${w}" lacks the second "|||" before the restore command`);
    const command = rest.slice(0, sep).trim();
    let restore = rest.slice(sep + 3);
    let comment: string | undefined;
    const hash = restore.indexOf('###');
    if (hash >= 0) {
      comment = restore.slice(hash + 3).trim();
      restore = restore.slice(0, hash);
    }
    if (command === '') throw new AfError('CONFIG_SYNTAX', `"${w}" has an empty backup command`);
    return { kind: 'command', command, restoreCommand: restore.trim(), comment };
  }
  if (w.startsWith('//../')) return { kind: 'raw', path: w.slice(4), processed: true };
  if (w.startsWith('/../')) return { kind: 'raw', path: w.slice(3), processed: false };
  if (w.startsWith('.//.')) {
    const path = w.slice(4);
    if (path === '') throw new AfError('CONFIG_SYNTAX', `".//." is not followed by a name`);
    return { kind: 'path', path, glob: GLOB_CHARS.test(path), oneFilesystem: true };
  }
  return { kind: 'path', path: w, glob: GLOB_CHARS.test(w), oneFilesystem: false };
}

function parseFilesystemTypes(text: string): FilesystemTypeRule[] {
  return splitWords(text).map(({ text: w }) => {
    const mode = w[0] === '-' ? 'skip' : w[0] === '/' ? 'prune' : 'only';
    const type = w[0] === '-' || w[0] === '/' || w[0] === '+' ? w.slice(1) : w;
    if (type === '') throw new AfError('CONFIG_SYNTAX', `"${w}" names no file system type`);
    return { type, mode };
  });
}

function parsePrintServerMessages(text: string): PrintServerMessages {
  const [letters, ...ports] = text.trim().split(/\s+/);
  if (!/^[bvrc]+$/i.test(letters!)) {
    throw new AfError('CONFIG_SYNTAX', `"${letters}" is not a set of the letters b, v, r, c`);
  }
  return {
    letters: letters!.toLowerCase(),
    ports: ports.map((p) => {
      if (!/^\d+$/.test(p)) throw new AfError('CONFIG_SYNTAX', `the port "${p}" is not a number`);
      return Number(p);
    }),
  };
}

/** Parses client configuration text. Throws CONFIG_SYNTAX naming file, line and key. */
export function parseClientConfig(text: string, opts: ParseClientConfigOptions): ParsedClientConfig {
  const lines = readParamLines(text);
  const parts = new Map<number, { value: string; line: LogicalLine }>();
  const partLines = new Set<LogicalLine>();
  const partDuplicates: ParsedClientConfig['duplicateLines'] = [];
  for (const line of lines) {
    const part = matchDirsToBackupPart(line.text);
    if (!part) continue;
    partLines.add(line);
    if (parts.has(part.part)) partDuplicates.push({ line: line.line, text: line.text, key: `DirsToBackup${part.part}` });
    else parts.set(part.part, { value: part.value, line });
  }
  // A line belongs to the first key (in table order) that recognises it.
  const assigned = assignKeys(CLIENT_KEYS, lines, matchClientKey, { exclusive: true, taken: partLines });
  const { found, unknownLines } = assigned;
  const duplicateLines = [...partDuplicates, ...assigned.duplicateLines];

  const keyOf = (field: keyof ClientConfig): ClientKey => CLIENT_KEYS.find((k) => k.field === field)!;
  const where = (name: string, line: LogicalLine | undefined): string =>
    line ? `"${opts.path}" line ${line.line}, key "${name}"` : `"${opts.path}", key "${name}"`;
  const failAt = (name: string, line: LogicalLine | undefined, detail: string): never => {
    throw new AfError('CONFIG_SYNTAX', `${where(name, line)}: ${detail}`);
  };
  const fail = (k: ClientKey, detail: string): never => failAt(k.name, found.get(k)?.line, detail);
  const located = <T>(name: string, line: LogicalLine | undefined, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (isAfError(e, 'CONFIG_SYNTAX')) return failAt(name, line, e.detail ?? e.message);
      throw e;
    }
  };
  const raw = (field: keyof ClientConfig): string | undefined => {
    const v = found.get(keyOf(field))?.value.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const logdir = opts.paths.logdir ?? opts.paths.vardir;
  const compiled: Letters = {
    B: opts.paths.bindir,
    L: opts.paths.libdir,
    V: opts.paths.vardir,
    C: opts.paths.confdir,
    I: logdir,
  };
  const vardirValue = raw('varDirectory');
  const varDirectory = vardirValue === undefined ? opts.paths.vardir : substituteClientDirs(vardirValue, compiled);
  const dirs: Letters = { ...compiled, V: varDirectory };
  const subst = (k: ClientKey, v: string): string => (k.dirLetters === '' ? v : substituteClientDirs(v, dirs, k.dirLetters));

  const str = (field: keyof ClientConfig): string | undefined => {
    const v = raw(field);
    return v === undefined ? undefined : subst(keyOf(field), v);
  };
  const optInt = (field: keyof ClientConfig, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const k = keyOf(field);
    const hit = found.get(k);
    if (!hit) return undefined;
    const n = intValue(hit.value, min, max);
    return typeof n === 'number' ? n : fail(k, n.error);
  };
  const int = (field: keyof ClientConfig, fallback: number, min: number, max?: number): number =>
    optInt(field, min, max) ?? fallback;
  const flag = (field: keyof ClientConfig, fallback: boolean): boolean => {
    const hit = found.get(keyOf(field));
    return hit ? isYes(hit.value) : fallback;
  };
  const words = (field: keyof ClientConfig): string[] => {
    const v = str(field);
    const k = keyOf(field);
    return v === undefined ? [] : located(k.name, found.get(k)?.line, () => splitWords(v).map((w) => w.text));
  };

  // Servers: hosts with their positional ports and cartridge sets.
  const backupHosts = listItems(str('backupHosts') ?? 'backuphost');
  const portsText = raw('backupPorts');
  const backupPorts = portsText === undefined ? [] : listItems(portsText).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (const p of backupPorts) {
    if (typeof p === 'number' && (p < 1 || p > 65535)) fail(keyOf('backupPorts'), `the port ${p} is out of range (1-65535)`);
  }
  const setsText = raw('cartridgeSets');
  const cartridgeSets =
    setsText === undefined
      ? []
      : listItems(setsText).map((s) => {
          if (!/^\d+$/.test(s) || Number(s) < 1) return fail(keyOf('cartridgeSets'), `"${s}" is not a cartridge set number`);
          return Number(s);
        });
  const servers: BackupServer[] = backupHosts.map((host, i) => ({
    host,
    port: backupPorts[i] ?? DEFAULT_PORT,
    defaultPort: backupPorts[i] === undefined,
    cartridgeSet: cartridgeSets[i] ?? 1,
  }));

  const psmText = raw('printServerMessages');
  const printServerMessages =
    psmText === undefined ? undefined : located('PrintServerMessages', found.get(keyOf('printServerMessages'))?.line, () => parsePrintServerMessages(psmText));

  const dirsKey = keyOf('dirsToBackup');
  const dirsToBackup = located(dirsKey.name, found.get(dirsKey)?.line, () => parseBackupEntries(str('dirsToBackup') ?? '*'));
  const dirsToBackupParts = new Map<number, BackupEntries>();
  for (const [n, hit] of [...parts.entries()].sort((a, b) => a[0] - b[0])) {
    const value = substituteClientDirs(hit.value.trim(), dirs);
    dirsToBackupParts.set(n, located(`DirsToBackup${n}`, hit.line, () => parseBackupEntries(value)));
  }

  const fsKey = keyOf('filesystemTypes');
  const fsText = str('filesystemTypes');
  const filesystemTypes = fsText === undefined ? [] : located(fsKey.name, found.get(fsKey)?.line, () => parseFilesystemTypes(fsText));

  const processCmd = str('processCmd');
  const unprocessCmd = str('unprocessCmd');
  const config: ClientConfig = {
    configPath: opts.path,
    backupHosts,
    backupPorts,
    cartridgeSets,
    servers,
    printServerMessages,
    rootDirectory: str('rootDirectory') ?? '/',
    dirsToBackup,
    dirsToBackupParts,
    filesToSkip: words('filesToSkip'),
    dirsToSkip: words('dirsToSkip'),
    filesystemTypes,
    excludeListFile: str('excludeListFile'),
    indexFilePart: str('indexFilePart') ?? `${logdir}/backup_log.`,
    numIndexesToStore: int('numIndexesToStore', 0, 0),
    daysToStoreIndexes: optInt('daysToStoreIndexes', 0),
    numIndexesToScan: optInt('numIndexesToScan', 0),
    daysToScanIndexes: optInt('daysToScanIndexes', 0),
    processCmd,
    unprocessCmd,
    indexProcessCmd: str('indexProcessCmd') ?? processCmd,
    indexUnprocessCmd: str('indexUnprocessCmd') ?? unprocessCmd,
    builtinCompressionLevel: int('builtinCompressionLevel', 0, 0, 9),
    doNotProcess: words('doNotProcess'),
    processBackupedFiles: flag('processBackupedFiles', true),
    processLogfiles: flag('processLogfiles', true),
    writeChecksums: flag('writeChecksums', false),
    useCTime: flag('useCTime', false),
    numBackupParts: int('numBackupParts', 1, 1),
    loggingFile: str('loggingFile') ?? `${logdir}/backup.log`,
    varDirectory,
    encryptionKeyFile: str('encryptionKeyFile'),
    lockFile: str('lockFile') ?? `${opts.paths.lockdir}/Lck.afbu_client.${locspec(opts.paths)}`,
    clientIdentifier: raw('clientIdentifier') ?? opts.hostname,
    startupInfoProgram: str('startupInfoProgram'),
    initProgram: str('initProgram'),
    exitProgram: str('exitProgram'),
    reportProgress: flag('reportProgress', false),
    checkRestoreAccessPerms: flag('checkRestoreAccessPerms', false),
  };

  const notSupported = CLIENT_KEYS.filter((k) => !k.acted && found.has(k)).map((k) => k.name);
  duplicateLines.sort((a, b) => a.line - b.line);
  return { config, unknownLines, notSupported, duplicateLines };
}

/** The files the client programs try, in order, when no `-c` is given (spec §3.1). */
export function clientConfigCandidates(paths: ClientInstallPaths): string[] {
  return [
    `${paths.confdir}/backup.conf`,
    '/etc/buclient.conf',
    '/etc/afbuclient.conf',
    '/etc/afclient.conf',
    '/etc/afbackup/client.conf',
  ];
}

/**
 * Reads and parses a client configuration file. Every problem is CONFIG_SYNTAX (a
 * client-side error, exit status 32) naming the file, and the line and key where
 * there is one; the shared reader's CONFIG_ERROR ("Server configuration error")
 * is not for client programs.
 */
export async function loadClientConfig(
  path: string,
  opts: { paths: ClientInstallPaths; hostname: string },
): Promise<ParsedClientConfig> {
  let text: string;
  try {
    text = await readConfigText(path);
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code === 'EISDIR' ? 'it is a directory' : cause instanceof Error ? cause.message : String(e);
    throw new AfError('CONFIG_SYNTAX', `"${path}" cannot be read: ${reason}`, { cause: e });
  }
  return parseClientConfig(text, { path, paths: opts.paths, hostname: opts.hostname });
}
