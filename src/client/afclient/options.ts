/**
 * afclient's command line as afbackup parses it: single letters that bundle
 * (`-QwjcvnlOUE`), letters that take the next word (`-h host`, also glued:
 * `-hhost`, `-H-`), `-z` that takes two words, and `-` alone meaning "raw data
 * on stdin/stdout". Everything that is not an option is a name.
 *
 * The query letters (-w -G -q -Q) combine with each other and with a data mode
 * (full_backup runs `-QwjcvnlOUE`): then the queries run first in the same
 * connection, as the original does. Values stay strings until a mode needs them.
 */
import { AfError } from '../../errors.js';

export type Mode =
  | 'create'
  | 'extract'
  | 'list'
  | 'query'
  | 'position'
  | 'writePosition'
  | 'state'
  | 'message'
  | 'remoteStart'
  | 'verify'
  | 'index'
  | 'poll'
  | 'duplicate';

/** The stand-alone queries, in the order they run when several are given. */
export interface Queries {
  /** -w: streamer state (with -v also the server id and the precious tapes). */
  state: boolean;
  /** -G: ask for a new cartridge before writing. */
  newCartridge: boolean;
  /** -q: current tape access position. */
  position: boolean;
  /** -Q: next tape writing position. */
  writePosition: boolean;
}

export interface AfclientOptions {
  mode: Mode;
  queries: Queries;
  host: string;
  port: string;
  keyFile: string | undefined;
  cartridge: number | undefined;
  file: number | undefined;
  /** -S: cartridge set (1 = the default, which is never sent). */
  cartSet: number;
  recursive: boolean;
  verbose: boolean;
  /** -n: `cart.file` before names. */
  positions: boolean;
  /** -l: `server%port!` before names. */
  location: boolean;
  /** -O: `|uid` after the position. */
  showUid: boolean;
  /** -U: `~mtime` after the position. */
  showMtime: boolean;
  /** -E: long error messages (with a time stamp). */
  longErrors: boolean;
  /** -j: request a new tape file before writing. */
  newFile: boolean;
  archiveFile: string | undefined;
  header: string | undefined;
  /** -z: compress command and uncompress command. */
  compress: { proc: string; unproc: string } | undefined;
  /** -s: patterns of names stored without compression. */
  dontCompress: string[];
  /** -Z: CRC32 checksums (create) / integrity check (list, extract). */
  crc: boolean;
  all: boolean;
  relative: boolean;
  /** How many times -r was given (2 and 3 rewrite symlink targets). */
  relativeLevel: number;
  overwrite: boolean;
  /** -g: skip garbage before the first valid record silently. */
  skipGarbage: boolean;
  /** -i: ignore ownership on extract. */
  ignoreOwner: boolean;
  /** -K: do not restore the access time of saved files. */
  dontKeepAtime: boolean;
  /** -b: no queued (pipelined) operation. */
  noQueue: boolean;
  /** -T: file of names (create/extract) or temporary directory (-D). */
  namesFile: string | undefined;
  /** -e: error log file (errors are also written there). */
  errorLog: string | undefined;
  /** -V: statistics report file. */
  reportFile: string | undefined;
  /** -N: only entries newer than this file's mtime. */
  newerThanFile: string | undefined;
  /** -A: epoch seconds, lower time limit. */
  after: string | undefined;
  /** -B: epoch seconds, upper time limit. */
  before: string | undefined;
  /** -o: uid[:gid[:g1,g2...]] */
  owner: string | undefined;
  /** -D: the duplicate target description. */
  duplicate: string | undefined;
  clientId: string;
  message: string | undefined;
  /** The lone `-`: raw stdin → tape (-c) or tape → stdout (-x). */
  raw: boolean;
  names: string[];
  help: boolean;
  /** --version */
  version: boolean;
  /** --json (ours): the query modes print one JSON object. */
  json: boolean;
  /** --no-progress (ours): never print the progress line. */
  noProgress: boolean;
  /** -X: the program (and its arguments) the server is to start. */
  program: string | undefined;
  /** -m: seconds between two polls of the server's operator message. */
  pollInterval: number;
  /** --count N (ours): stop -m after N polls; undefined = poll forever. */
  pollCount: number | undefined;
}

/** Letters that take a value (the next word, or the rest of the bundle). */
const WITH_VALUE = new Set(['X', 'h', 'p', 'k', 'C', 'F', 'f', 'H', 'W', 'M', 'z', 'S', 'T', 'e', 'V', 'N', 'A', 'B', 'o', 's', 'D']);

function usage(detail: string): AfError {
  return new AfError('USAGE', `${detail} (see --help)`);
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text)) throw usage(`${what} wants a whole number, not "${text}"`);
  return Number(text);
}

export function defaultOptions(): AfclientOptions {
  return {
    mode: 'query',
    queries: { state: false, newCartridge: false, position: false, writePosition: false },
    host: 'backuphost',
    port: 'afbackup',
    keyFile: undefined,
    cartridge: undefined,
    file: undefined,
    cartSet: 1,
    recursive: false,
    verbose: false,
    positions: false,
    location: false,
    showUid: false,
    showMtime: false,
    longErrors: false,
    newFile: false,
    archiveFile: undefined,
    header: undefined,
    compress: undefined,
    dontCompress: [],
    crc: false,
    all: false,
    relative: false,
    relativeLevel: 0,
    overwrite: false,
    skipGarbage: false,
    ignoreOwner: false,
    dontKeepAtime: false,
    noQueue: false,
    namesFile: undefined,
    errorLog: undefined,
    reportFile: undefined,
    newerThanFile: undefined,
    after: undefined,
    before: undefined,
    owner: undefined,
    duplicate: undefined,
    clientId: '<client-program>',
    message: undefined,
    raw: false,
    names: [],
    help: false,
    version: false,
    json: false,
    noProgress: false,
    program: undefined,
    pollInterval: 3,
    pollCount: undefined,
  };
}

export function parseAfclientArgs(argv: readonly string[]): AfclientOptions {
  const o = defaultOptions();
  const modes: Mode[] = [];
  let i = 0;
  let onlyNames = false;
  const take = (letter: string, rest: string): string => {
    if (rest.length > 0) return rest;
    i++;
    if (i >= argv.length) throw usage(`option -${letter} needs a value`);
    return argv[i]!;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyNames || !a.startsWith('-') || a.length === 1) {
      if (a === '-' && !onlyNames) o.raw = true;
      else o.names.push(a);
      continue;
    }
    if (a === '--') {
      onlyNames = true;
      continue;
    }
    if (a === '--help' || a === '-?') {
      o.help = true;
      continue;
    }
    if (a === '--version') {
      o.version = true;
      continue;
    }
    if (a === '--json') {
      o.json = true;
      continue;
    }
    if (a === '--no-progress') {
      o.noProgress = true;
      continue;
    }
    if (a === '--count' || a.startsWith('--count=')) {
      const value = a.startsWith('--count=') ? a.slice('--count='.length) : take('-count', '');
      o.pollCount = wholeNumber(value, '--count');
      if (o.pollCount < 1) throw usage('--count wants at least 1');
      continue;
    }
    if (a.startsWith('--')) throw usage(`unknown option ${a}`);
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (WITH_VALUE.has(letter)) {
        const value = take(letter, a.slice(j + 1));
        j = a.length;
        switch (letter) {
          case 'h': o.host = value; break;
          case 'p': o.port = value; break;
          case 'k': o.keyFile = value; break;
          case 'C': o.cartridge = wholeNumber(value, '-C'); break;
          case 'F':
            o.file = wholeNumber(value, '-F');
            if (o.file > 0x7fffffff) throw usage(`-F: file number ${value} is too high (at most ${0x7fffffff})`);
            break;
          case 'S':
            o.cartSet = wholeNumber(value, '-S');
            if (o.cartSet < 1) throw usage('-S: cartridge sets are counted from 1');
            break;
          case 'f': o.archiveFile = value; break;
          case 'H': o.header = value; break;
          case 'W': o.clientId = value; break;
          case 'M': o.message = value; modes.push('message'); break;
          case 'X': o.program = value; modes.push('remoteStart'); break;
          case 'D': o.duplicate = value; modes.push('duplicate'); break;
          case 's': o.dontCompress.push(value); break;
          case 'T': o.namesFile = value; break;
          case 'e': o.errorLog = value; break;
          case 'V': o.reportFile = value; break;
          case 'N': o.newerThanFile = value; break;
          case 'A': o.after = value; break;
          case 'B': o.before = value; break;
          case 'o': o.owner = value; break;
          case 'z': {
            i++;
            if (i >= argv.length) throw usage('option -z needs two values: the compress and the uncompress command');
            o.compress = { proc: value, unproc: argv[i]! };
            break;
          }
        }
        continue;
      }
      switch (letter) {
        case 'c': modes.push('create'); break;
        case 'x': modes.push('extract'); break;
        case 't': modes.push('list'); break;
        case 'd': modes.push('verify'); break;
        case 'I': modes.push('index'); break;
        case 'q': o.queries.position = true; break;
        case 'Q': o.queries.writePosition = true; break;
        case 'w': o.queries.state = true; break;
        case 'G': o.queries.newCartridge = true; break;
        case 'm': {
          // -m[<seconds>]: the interval is glued on, or the next word if it is a number.
          modes.push('poll');
          const glued = a.slice(j + 1);
          j = a.length;
          if (glued.length > 0) o.pollInterval = wholeNumber(glued, '-m');
          else if (i + 1 < argv.length && /^\d{1,10}$/.test(argv[i + 1]!)) o.pollInterval = wholeNumber(argv[++i]!, '-m');
          break;
        }
        case 'R': o.recursive = true; break;
        case 'v': o.verbose = true; break;
        case 'n': o.positions = true; break;
        case 'l': o.location = true; break;
        case 'O': o.showUid = true; break;
        case 'U': o.showMtime = true; break;
        case 'E': o.longErrors = true; break;
        case 'j': o.newFile = true; break;
        case 'a': o.all = true; break;
        case 'r': o.relative = true; o.relativeLevel++; break;
        case 'u': o.overwrite = true; break;
        case 'g': o.skipGarbage = true; break;
        case 'i': o.ignoreOwner = true; break;
        case 'K': o.dontKeepAtime = true; break;
        case 'Z': o.crc = true; break;
        case 'b': o.noQueue = true; break;
        default:
          throw usage(`unknown option -${letter}`);
      }
    }
  }
  const unique = [...new Set(modes)];
  if (unique.length > 1) throw usage(`the modes ${unique.map(flagOf).join(' and ')} exclude each other`);
  const q = o.queries;
  const anyQuery = q.state || q.position || q.writePosition || q.newCartridge;
  if (unique.length === 1) o.mode = unique[0]!;
  else if (anyQuery) {
    // Kept for readers of `mode`: the single query, or 'query' for a combination.
    const set = [q.state && 'state', q.position && 'position', q.writePosition && 'writePosition'].filter(Boolean) as Mode[];
    o.mode = set.length === 1 && !q.newCartridge ? set[0]! : 'query';
  } else if (!o.help && !o.version && !(o.verbose && argv.length > 0)) {
    throw usage('no mode given (one of -c, -x, -t, -d, -I, -D, -q, -Q, -w, -G, -M, -X, -m)');
  } else if (!o.help) {
    o.mode = 'query';
  }
  if (o.mode === 'message' && anyQuery) {
    // -M with queries: the queries run, then the message (as the original orders them).
  }
  if (o.raw && o.mode !== 'create' && o.mode !== 'extract') throw usage('the lone - is only for -c and -x');
  if (o.archiveFile !== undefined && (o.mode === 'index' || o.mode === 'duplicate')) {
    throw usage(`${flagOf(o.mode)} needs a server, not an archive file (-f)`);
  }
  if (o.archiveFile !== undefined && (anyQuery || o.cartridge !== undefined || o.file !== undefined)) {
    throw usage('with an archive file (-f) there are no cartridges, tape files or positions');
  }
  if (o.namesFile !== undefined && o.names.length > 0) o.namesFile = undefined;
  if (Buffer.byteLength(o.clientId) > 128) throw usage('-W: the client id is longer than 128 bytes');
  if (o.owner !== undefined && !/^\d+(:\d+(:\d+(,\d+)*)?)?$/.test(o.owner)) {
    throw usage(`-o wants uid[:gid[:group,...]] as numbers, not "${o.owner}"`);
  }
  for (const [letter, v] of [['A', o.after], ['B', o.before]] as const) {
    if (v !== undefined && !/^-?\d{1,12}$/.test(v.trim())) throw usage(`-${letter} wants seconds since 1970, not "${v}"`);
  }
  if (o.message !== undefined && Buffer.byteLength(o.message) > 996) throw usage('-M: the message is longer than 996 bytes');
  return o;
}

/** The only query letter given, for messages. */
export function flagOf(m: Mode): string {
  const flags: Record<Mode, string> = {
    create: '-c',
    extract: '-x',
    list: '-t',
    query: '-q/-Q/-w/-G',
    position: '-q',
    writePosition: '-Q',
    state: '-w',
    message: '-M',
    remoteStart: '-X',
    verify: '-d',
    index: '-I',
    poll: '-m',
    duplicate: '-D',
  };
  return flags[m];
}

/** True when names are printed with the extended prefix (`server%port!cart.file|uid~mtime: `). */
export function extendedVerbose(o: AfclientOptions): boolean {
  return o.positions || o.showUid || o.showMtime;
}
