/**
 * The table of server configuration keys and the tolerant patterns that recognise them.
 *
 * Like afbackup, a key is recognised by a pattern rather than by exact spelling
 * (spec §3.2): case does not matter, the parts of a name may be joined by `-`, `_`,
 * blanks or nothing, and the abbreviations afbackup accepts are accepted (NumCarts,
 * BackupDevs, SetFileCmd, Var-Dir, ...). In the spellings below a blank stands for
 * "any run of `-`, `_`, blanks or tabs, possibly empty". After the key an optional
 * colon with blanks around it is swallowed and the rest of the line is the value.
 * The key must end at a blank, a colon or the end of the line, so that one key is
 * never mistaken for the start of a longer word.
 *
 * The last four keys are ours (see server-config.ts for their meaning).
 */
import type { ServerConfig } from './server-config.js';

export type KeyType = 'string' | 'integer' | 'flag';

export interface ServerKey {
  /** Canonical spelling, used in messages. */
  readonly name: string;
  /** The ServerConfig field that holds the value. */
  readonly field: keyof ServerConfig;
  readonly type: KeyType;
  /** Recognises the key at the start of a logical line. */
  readonly pattern: RegExp;
  /** Which of `%B %L %V %C` are replaced in the value ('' = none). */
  readonly dirLetters: string;
  /** True for keys afbackup does not have. */
  readonly ours?: boolean;
}

/** "Command" and its abbreviations: Cmd, Comd, Comand, Command, ... */
const CMD = 'Co?mm?a?n?d';

/** Builds a key pattern from a spelling where a blank means an optional separator. */
function keyPattern(spelling: string): RegExp {
  const body = spelling.replace(/ /g, '[-_ \\t]*');
  return new RegExp(`^\\s*(?:${body})(?=[\\s:]|$)[ \\t]*:?[ \\t]*`, 'i');
}

function key(
  name: string,
  field: keyof ServerConfig,
  type: KeyType,
  spelling: string,
  extra: { dirLetters?: string; ours?: boolean } = {},
): ServerKey {
  const dirLetters = extra.dirLetters ?? (type === 'string' ? 'BLVC' : '');
  return { name, field, type, pattern: keyPattern(spelling), dirLetters, ...(extra.ours ? { ours: true } : {}) };
}

export const SERVER_KEYS: readonly ServerKey[] = [
  key('ServerIdentifier', 'serverIdentifier', 'string', 'Server Identi(?:ty|fier)', { dirLetters: '' }),
  key('Backup-Device', 'backupDevice', 'string', 'Backup Dev(?:ices?|s)?'),
  key('Tape-Blocksize', 'tapeBlocksize', 'integer', 'Tape Block Size'),
  key('Tape-Buffer', 'tapeBuffer', 'string', '(?:Streamer|Tape) Buffer'),
  key('Device-Probe-Interval', 'deviceProbeInterval', 'integer', 'Dev(?:ice)? Prob(?:e|ing) Interval'),
  key('Full-Append-Mode', 'fullAppendMode', 'flag', '(?:Full )?Append(?: Mode)?'),
  key('Variable-Append-Mode', 'variableAppendMode', 'flag', 'Var(?:iable)? Append(?: Mode)?'),
  key('PreferCartInChanger', 'preferCartInChanger', 'flag', 'Prefer Cart(?:ridge)?s? In Changer'),
  key('Logging-File', 'loggingFile', 'string', 'Log(?:ging)? File'),
  key('Status-File', 'statusFile', 'string', 'Status File'),
  key('Lock-File', 'lockFile', 'string', 'Lock(?:ing)? File'),
  key('User-To-Inform', 'userToInform', 'string', 'User To Inform', { dirLetters: '' }),
  key('Mail-Program', 'mailProgram', 'string', 'Mail Program'),
  key('Cartridge-Handler', 'cartridgeHandler', 'flag', 'Cart(?:ridge)? Handler'),
  key('Reject-Unlabeled-Tapes', 'rejectUnlabeledTapes', 'flag', 'Reject Unlabell?ed(?: Tapes?)?'),
  key('Number-Of-Cartridges', 'numberOfCartridges', 'integer', 'Num(?:ber)? (?:Of )?Cart(?:ridge)?s'),
  key('Cartridge-Sets', 'cartridgeSets', 'string', 'Cart(?:ridge)? Sets'),
  key('Last-Cartridges', 'lastCartridges', 'string', 'Last Cart(?:ridge)?s', { dirLetters: '' }),
  key('Max-Bytes-Per-File', 'maxBytesPerFile', 'integer', 'Max(?:imum)? Bytes Per File'),
  key('Max-Bytes-Per-Tape', 'maxBytesPerTape', 'string', 'Max(?:imum)? Bytes Per Tapes?', { dirLetters: '' }),
  key('Cart-Insert-Gracetime', 'cartInsertGracetime', 'integer', 'Cart(?:ridge)? Ins(?:ert)? Grace Time'),
  key(
    'Device-Unavailable-Send-Mail-After-Min',
    'devUnavailSendMailMin',
    'integer',
    'Dev(?:ice)? Un Avail(?:able)? Send Mail (?:After )?Min(?:ute)?s?',
  ),
  key(
    'Device-Unavailable-Give-Up-After-Min',
    'devUnavailGiveUpMin',
    'integer',
    'Dev(?:ice)? Un Avail(?:able)? Give Up (?:After )?Min(?:ute)?s?',
  ),
  key('SetFile-Command', 'setFileCommand', 'string', `Set File ${CMD}`),
  key('SkipFiles-Command', 'skipFilesCommand', 'string', `Skip Files? ${CMD}`),
  key('Setcart-Command', 'setCartCommand', 'string', `Set Cart(?:ridge)? ${CMD}`),
  key('Changecart-Command', 'changeCartCommand', 'string', `Change Cart(?:ridge)? ${CMD}`),
  key('Init-Media-Command', 'initMediaCommand', 'string', `Init(?:ialize)? Media ${CMD}`),
  key('Erasetape-Command', 'eraseTapeCommand', 'string', `Erase Tape ${CMD}`),
  // `%C` in the Tape-Full-Command is the configuration file, filled in when it runs.
  key('Tape-Full-Command', 'tapeFullCommand', 'string', `Tape Full ${CMD}`, { dirLetters: 'BLV' }),
  key('Write-EOF-Command', 'writeEofCommand', 'string', `W(?:rite)? EOF ${CMD}`),
  key('Tape-Pos-File', 'tapePosFile', 'string', 'Tape Pos(?:ition)? File'),
  key('Var-Directory', 'varDirectory', 'string', 'Var Dir(?:ectory)?'),
  key('Encryption-Key-Files', 'encryptionKeyFiles', 'string', '(?:En)?Crypt(?:ion)? Key Files?'),
  key('Program-Directory', 'programDirectory', 'string', 'Program Dir(?:ectory)?'),
  key('Init-Command', 'initCommand', 'string', `Init(?:ialization)? ${CMD}`),
  key('Exit-Command', 'exitCommand', 'string', `Exit ${CMD}`),
  key('Changer-Configuration-File', 'changerConfigFile', 'string', 'Changer Conf(?:ig(?:uration)?)?(?: File)?'),
  key('Changer-Lockfile', 'changerLockfile', 'string', 'Changer Lock(?:ing)? File'),
  key('Authentication-Scheme', 'authenticationScheme', 'string', 'Auth(?:enti(?:fi)?cation)? Scheme', {
    dirLetters: '',
    ours: true,
  }),
  key('Virtual-Cartridge-Capacity', 'virtualCartridgeCapacity', 'string', 'Virtual Cart(?:ridge)? Capacity', {
    dirLetters: '',
    ours: true,
  }),
  key('Virtual-Early-Warning', 'virtualEarlyWarning', 'string', 'Virtual Early Warning', { dirLetters: '', ours: true }),
  key('Virtual-Drives', 'virtualDrives', 'integer', 'Virtual Drives?', { ours: true }),
];

/** The value when the line sets this key (rest of line, trailing blanks removed), else undefined. */
export function matchKey(k: ServerKey, line: string): string | undefined {
  const m = k.pattern.exec(line);
  return m ? line.slice(m[0].length).trimEnd() : undefined;
}

/** The key a line sets, with its value, or undefined when no key matches (first key in table order). */
export function findKey(line: string): { key: ServerKey; value: string } | undefined {
  for (const k of SERVER_KEYS) {
    const value = matchKey(k, line);
    if (value !== undefined) return { key: k, value };
  }
  return undefined;
}
