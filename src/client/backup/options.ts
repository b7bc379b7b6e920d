/**
 * The command line of full_backup, incr_backup and update_indexes, parsed the way
 * afbackup parses it: single letters that may bundle (`-va`), `+L`/`-L`, `+B`/`-B`,
 * `+x`/`-x` switches, letters that take the next word (or the rest of the bundle),
 * `-z` that takes two words; every other word is a name to save instead of the
 * configured DirsToBackup. Long options are ours: --json, --poll-wait=<seconds>,
 * --estimate (full_backup and incr_backup: list what a run would save, save nothing),
 * --help, --version.
 *
 * Options that correspond to configuration keys become `Key: value` lines that
 * override the file (see configOverrides); the rest are run settings.
 */
import { AfError } from '../../errors.js';

export type Program = 'full_backup' | 'incr_backup' | 'update_indexes';

export interface BackupOptions {
  configFile: string | undefined;
  verbose: boolean;
  /** -a: do not count up the backup number. */
  keepCounter: boolean;
  /** -d: detach from the terminal (accepted; we stay in the foreground). */
  detach: boolean;
  /** -G: start on a new cartridge. */
  newCartridge: boolean;
  /** -Q <level> (incr_backup only). */
  level: number | undefined;
  /** -H (incr_backup only): remove lower levels from needed_tapes. */
  removeLowerLevels: boolean;
  json: boolean;
  /** --estimate: a dry run that lists what would be saved (estimate.ts). */
  estimate: boolean;
  /** Seconds between polling rounds when no server is ready. */
  pollWait: number | undefined;
  help: boolean;
  version: boolean;
  /** Names to save instead of the configured entries. */
  names: string[];
  /** Config key → value given on the command line. */
  overrides: Map<string, string>;
}

/** Letters taking a value, with the configuration key they set ('' = run setting). */
const VALUE_KEYS: Record<string, string> = {
  c: '',
  Q: '',
  S: 'CartridgeSets',
  h: 'BackupHosts',
  P: 'BackupPorts',
  C: 'RootDirectory',
  F: 'FilesToSkip',
  D: 'DirsToSkip',
  I: 'IndexFilePart',
  N: 'NumIndexesToStore',
  O: 'DaysToStoreIndexes',
  Z: 'BuiltinCompressionLevel',
  s: 'DoNotProcess',
  X: 'ExcludeListFile',
  l: 'LoggingFile',
  i: 'StartupInfoProgram',
  b: 'InitProgram',
  e: 'ExitProgram',
  k: 'EncryptionKeyFile',
  V: 'VarDirectory',
  W: 'ClientIdentifier',
  f: 'FilesystemTypes',
  M: 'PrintServerMessages',
};

/** Letters allowed per program (update_indexes takes only the connection and index options). */
const UPDATE_LETTERS = new Set(['c', 'v', 'h', 'P', 'I', 'V', 'k', 'W', 'z', 'Z']);

function usage(detail: string): AfError {
  return new AfError('USAGE', `${detail} (see --help)`);
}

export function parseBackupArgs(program: Program, argv: readonly string[]): BackupOptions {
  const o: BackupOptions = {
    configFile: undefined,
    verbose: false,
    keepCounter: false,
    detach: false,
    newCartridge: false,
    level: undefined,
    removeLowerLevels: false,
    json: false,
    estimate: false,
    pollWait: undefined,
    help: false,
    version: false,
    names: [],
    overrides: new Map(),
  };
  const allowed = (letter: string): boolean => program !== 'update_indexes' || UPDATE_LETTERS.has(letter);
  let onlyNames = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyNames || a.length < 2 || (a[0] !== '-' && a[0] !== '+')) {
      if (program === 'update_indexes') throw usage(`update_indexes takes no names ("${a}")`);
      o.names.push(a);
      continue;
    }
    if (a === '--') {
      onlyNames = true;
      continue;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (name === 'help') o.help = true;
      else if (name === 'version') o.version = true;
      else if (name === 'json') o.json = true;
      else if (name === 'estimate') {
        if (program === 'update_indexes' || inline !== undefined) throw usage(`unknown option ${a}`);
        o.estimate = true;
      }
      else if (name === 'poll-wait') {
        const v = inline ?? argv[++i];
        if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) throw usage('--poll-wait wants a number of seconds');
        o.pollWait = Number(v);
      } else throw usage(`unknown option --${name}`);
      continue;
    }
    if (a[0] === '+') {
      for (const letter of a.slice(1)) {
        if (!'LBx'.includes(letter) || !allowed(letter)) throw usage(`unknown option +${letter}`);
        o.overrides.set(letter === 'L' ? 'ProcessLogfiles' : letter === 'B' ? 'ProcessBackupedFiles' : 'WriteChecksums', 'yes');
      }
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (!allowed(letter)) throw usage(`option -${letter} is not one of ${program}'s`);
      if (letter in VALUE_KEYS) {
        let value = a.slice(j + 1);
        if (value === '') {
          if (i + 1 >= argv.length) throw usage(`option -${letter} needs a value`);
          value = argv[++i]!;
        }
        j = a.length;
        if (letter === 'c') o.configFile = value;
        else if (letter === 'Q') {
          if (program !== 'incr_backup') throw usage('-Q (backup level) is for incr_backup only');
          if (!/^\d{1,10}$/.test(value) || Number(value) > 2147483647) throw usage(`-Q wants a level from 0 to 2147483647, not "${value}"`);
          o.level = Number(value);
        } else o.overrides.set(VALUE_KEYS[letter]!, value);
        continue;
      }
      switch (letter) {
        case 'z': {
          if (i + 2 >= argv.length && a.length === 2) throw usage('option -z needs two values: the process and the unprocess command');
          o.overrides.set('ProcessCmd', argv[++i] ?? '');
          o.overrides.set('UnprocessCmd', argv[++i] ?? '');
          j = a.length;
          break;
        }
        case 'v':
          o.verbose = true;
          break;
        case 'a':
          o.keepCounter = true;
          break;
        case 'd':
          o.detach = true;
          break;
        case 'G':
          o.newCartridge = true;
          break;
        case 'y':
          o.overrides.set('ReportProgress', 'yes');
          break;
        case 'E':
          if (program !== 'incr_backup') throw usage('-E (use ctime) is for incr_backup only');
          o.overrides.set('UseCTime', 'yes');
          break;
        case 'H':
          if (program !== 'incr_backup') throw usage('-H is for incr_backup only');
          o.removeLowerLevels = true;
          break;
        case 'L':
          o.overrides.set('ProcessLogfiles', 'no');
          break;
        case 'B':
          o.overrides.set('ProcessBackupedFiles', 'no');
          break;
        case 'x':
          o.overrides.set('WriteChecksums', 'no');
          break;
        default:
          throw usage(`unknown option -${letter}`);
      }
    }
  }
  return o;
}

/** The overrides as configuration text (one `Key: value` line each), to be parsed like the file. */
export function configOverrides(o: BackupOptions): string {
  return [...o.overrides].map(([k, v]) => `${k}: ${v.replace(/\n/g, ' ')}\n`).join('');
}
