/**
 * The table of client configuration keys (full_backup, incr_backup, afrestore;
 * spec §3.3) and the tolerant patterns that recognise them.
 *
 * Same conventions as the server table: case does not matter, a blank in a
 * spelling stands for "any run of `-`, `_`, blanks or tabs, possibly empty", the
 * abbreviations afbackup accepts are accepted, and after the key an optional colon
 * with blanks around it is swallowed. The key must end at a blank, a colon or the
 * end of the line. `DirsToBackup<N>` (the parts of a split full backup) has its own
 * pattern with the part number, see DIRS_TO_BACKUP_PART.
 *
 * Each key records the afclient/full_backup option it corresponds to, its default
 * as afbackup documents it, which of `%B %L %V %C %I` are replaced in its value,
 * and whether our client acts on it yet.
 */
import type { ClientConfig } from './client-config.js';

export type ClientKeyType = 'string' | 'integer' | 'flag';

export interface ClientKey {
  /** Canonical spelling, used in messages. */
  readonly name: string;
  readonly field: keyof ClientConfig;
  readonly type: ClientKeyType;
  readonly pattern: RegExp;
  /** The command-line option of full_backup/afclient with the same effect ('' = none). */
  readonly option: string;
  /** afbackup's default, as documented (for messages and help texts). */
  readonly defaultText: string;
  /** Which of `%B %L %V %C %I` are replaced in the value ('' = none). */
  readonly dirLetters: string;
  /** False for keys that are parsed but not acted upon yet. */
  readonly acted: boolean;
}

const CMD = 'Co?mm?a?n?d';
const DIRS = 'Dir(?:ector)?(?:ie)?s';
const INDEXES = 'Ind(?:ex|ic)es';
const PROCESS = '(?:Process|Compress)';
const UNPROCESS = '(?:Unprocess|Uncompress)';

function keyPattern(spelling: string): RegExp {
  const body = spelling.replace(/ /g, '[-_ \\t]*');
  return new RegExp(`^\\s*(?:${body})(?=[\\s:]|$)[ \\t]*:?[ \\t]*`, 'i');
}

function key(
  name: string,
  field: keyof ClientConfig,
  type: ClientKeyType,
  spelling: string,
  option: string,
  defaultText: string,
  extra: { dirLetters?: string; acted?: boolean } = {},
): ClientKey {
  return {
    name,
    field,
    type,
    pattern: keyPattern(spelling),
    option,
    defaultText,
    dirLetters: extra.dirLetters ?? (type === 'string' ? 'BLVCI' : ''),
    acted: extra.acted ?? true,
  };
}

/** Table order is the order of matching; the first key whose pattern matches a line takes it. */
export const CLIENT_KEYS: readonly ClientKey[] = [
  key('BackupHosts', 'backupHosts', 'string', 'Backup Hosts?', '-h', 'backuphost', { dirLetters: '' }),
  key('BackupPorts', 'backupPorts', 'string', 'Backup Ports?', '-P', 'afbackup (2988)', { dirLetters: '' }),
  key('CartridgeSets', 'cartridgeSets', 'string', 'Cart(?:ridge)? Sets?', '-S', '1', { dirLetters: '' }),
  key('PrintServerMessages', 'printServerMessages', 'string', 'Print S(?:e)?rv(?:e)?r M(?:e)?s(?:sa)?g(?:e)?s', '-M', 'none', {
    dirLetters: '',
    acted: false,
  }),
  key('RootDirectory', 'rootDirectory', 'string', 'Root Dir(?:ectory)?', '-C', '/'),
  key('DirsToBackup', 'dirsToBackup', 'string', `${DIRS} To Backup`, 'arguments', '*'),
  key('FilesToSkip', 'filesToSkip', 'string', 'Files? To Skip', '-F', 'none', { dirLetters: '' }),
  key('DirsToSkip', 'dirsToSkip', 'string', `${DIRS} To Skip`, '-D', 'none', { dirLetters: '' }),
  key('FilesystemTypes', 'filesystemTypes', 'string', 'F(?:ile)? S(?:ystem)? Types?', '-f', 'none', { dirLetters: '' }),
  key('ExcludeListFile', 'excludeListFile', 'string', 'Excl(?:ude)? List File(?: ?Name)?', '-X', 'none'),
  key('IndexFilePart', 'indexFilePart', 'string', 'Index File Part', '-I', '<logdir>/backup_log.'),
  key('NumIndexesToStore', 'numIndexesToStore', 'integer', `Num(?:ber)? (?:Of )?${INDEXES} To Store`, '-N', '0'),
  key('DaysToStoreIndexes', 'daysToStoreIndexes', 'integer', `Days To Store ${INDEXES}`, '-O', 'none'),
  key('NumIndexesToScan', 'numIndexesToScan', 'integer', `Num(?:ber)? (?:Of )?${INDEXES} To Scan`, 'afrestore -N', 'all'),
  key('DaysToScanIndexes', 'daysToScanIndexes', 'integer', `Days To Scan ${INDEXES}`, 'afrestore -O', 'all'),
  key('IndexProcessCmd', 'indexProcessCmd', 'string', `Ind(?:ex)? ${PROCESS} ${CMD}`, '', 'ProcessCmd'),
  key('IndexUnprocessCmd', 'indexUnprocessCmd', 'string', `Ind(?:ex)? ${UNPROCESS} ${CMD}`, '', 'UnprocessCmd'),
  key('ProcessCmd', 'processCmd', 'string', `${PROCESS} ${CMD}`, '-z', 'none'),
  key('UnprocessCmd', 'unprocessCmd', 'string', `${UNPROCESS} ${CMD}`, '-z', 'none'),
  key('Built-inCompressionLevel', 'builtinCompressionLevel', 'integer', 'Built In Compr(?:ess(?:ion)?)?(?: Level)?', '-Z', '0'),
  key('DoNotProcess', 'doNotProcess', 'string', `Do N(?:'|o)?t ${PROCESS}`, '-s', 'none', { dirLetters: '' }),
  key('ProcessBackupedFiles', 'processBackupedFiles', 'flag', `${PROCESS} Back(?:ed)? ?up(?:ed)? Files?`, '+B/-B', 'yes'),
  key('ProcessLogfiles', 'processLogfiles', 'flag', `${PROCESS} (?:Log(?:ging)? Files?|${INDEXES}(?: Files)?)`, '+L/-L', 'yes'),
  key('WriteChecksums', 'writeChecksums', 'flag', '(?:Write )?Check Sum(?:s|ming)', '+x/-x', 'no'),
  key('UseCTime', 'useCTime', 'flag', 'Use C Time', 'incr_backup -E', 'no'),
  key('NumBackupParts', 'numBackupParts', 'integer', 'Num(?:ber)? (?:Of )?Backup Parts', '', '1'),
  key('LoggingFile', 'loggingFile', 'string', 'Log(?:ging)? File', '-l', '<logdir>/backup.log'),
  key('VarDirectory', 'varDirectory', 'string', 'Var Dir(?:ectory)?', '-V', '<compiled client vardir>'),
  key('EncryptionKeyFile', 'encryptionKeyFile', 'string', '(?:En)?Crypt(?:ion)? Key File', '-k', '<confdir>/cryptkey if readable'),
  key('LockFile', 'lockFile', 'string', 'Lock(?:ing)? File', '', '<lockdir>/Lck.afbu_client.<locspec>'),
  key('ClientIdentifier', 'clientIdentifier', 'string', '(?:Client )?Identi(?:ty|fier)', '-W', 'official hostname', { dirLetters: '' }),
  key('StartupInfoProgram', 'startupInfoProgram', 'string', 'Start(?:up)? Info Program', '-i', 'none'),
  key('InitProgram', 'initProgram', 'string', 'Init Program', '-b', 'none'),
  key('ExitProgram', 'exitProgram', 'string', 'Exit Program', '-e', 'none'),
  key('ReportProgress', 'reportProgress', 'flag', '(?:Re(?:po)?r(?:t)? )?Progress', '-y', 'no'),
  key('CheckRestoreAccessPerms', 'checkRestoreAccessPerms', 'flag', 'Check Restore Access Perm(?:ission)?s', '', 'no', {
    acted: false,
  }),
];

/** `DirsToBackup<N>`: group 1 is N. */
export const DIRS_TO_BACKUP_PART = new RegExp(`^\\s*${DIRS}[-_ \\t]*To[-_ \\t]*Backup[-_ \\t]*(\\d+)(?=[\\s:]|$)[ \\t]*:?[ \\t]*`, 'i');

/** The value when the line sets this key (rest of line, trailing blanks removed), else undefined. */
export function matchClientKey(k: ClientKey, line: string): string | undefined {
  const m = k.pattern.exec(line);
  return m ? line.slice(m[0].length).trimEnd() : undefined;
}

/** `{ part, value }` when the line sets DirsToBackup<part>. */
export function matchDirsToBackupPart(line: string): { part: number; value: string } | undefined {
  const m = DIRS_TO_BACKUP_PART.exec(line);
  return m ? { part: Number(m[1]), value: line.slice(m[0].length).trimEnd() } : undefined;
}

/** The key a line sets (first in table order), or undefined. */
export function findClientKey(line: string): { key: ClientKey; value: string } | undefined {
  for (const k of CLIENT_KEYS) {
    const value = matchClientKey(k, line);
    if (value !== undefined) return { key: k, value };
  }
  return undefined;
}
