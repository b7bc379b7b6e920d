/**
 * afclient's command line as afbackup parses it: single letters that bundle
 * (`-cvnR`), letters that take the next word (`-h host`, also glued: `-hhost`),
 * `-z` that takes two words, and `-` alone meaning "raw data on stdin/stdout".
 * Everything that is not an option is a name. Values stay strings.
 */
import { AfError } from '../../errors.js';

export type Mode =
  | 'create'
  | 'extract'
  | 'list'
  | 'position'
  | 'writePosition'
  | 'state'
  | 'message'
  | 'remoteStart'
  | 'verify'
  | 'index'
  | 'poll';

export interface AfclientOptions {
  mode: Mode;
  host: string;
  port: string;
  keyFile: string | undefined;
  cartridge: number | undefined;
  file: number | undefined;
  recursive: boolean;
  verbose: boolean;
  positions: boolean;
  archiveFile: string | undefined;
  header: string | undefined;
  /** -z: compress command and uncompress command. */
  compress: { proc: string; unproc: string } | undefined;
  all: boolean;
  relative: boolean;
  overwrite: boolean;
  clientId: string;
  message: string | undefined;
  /** The lone `-`: raw stdin → tape (-c) or tape → stdout (-x). */
  raw: boolean;
  names: string[];
  help: boolean;
  /** -X: the program (and its arguments) the server is to start. */
  program: string | undefined;
  /** -m: seconds between two polls of the server's operator message. */
  pollInterval: number;
  /** --count N (ours): stop -m after N polls; undefined = poll forever. */
  pollCount: number | undefined;
}

/** Letters that take a value (the next word, or the rest of the bundle). */
const WITH_VALUE = new Set(['X', 'h', 'p', 'k', 'C', 'F', 'f', 'H', 'W', 'M', 'z', 'S', 'T', 'e', 'V', 'N', 'A', 'B', 'o', 's']);
/** Flags accepted and ignored in this version (tuning, verbosity and long-format switches). */
const IGNORED = new Set(['b', 'j', 'l', 'O', 'U', 'E', 'g', 'i', 'K', 'Z']);
/** Options recognised by afbackup whose function is not implemented here. */
const UNSUPPORTED_VALUE = new Set(['S', 'T', 'e', 'V', 'N', 'A', 'B', 'o', 's']);

function usage(detail: string): AfError {
  return new AfError('USAGE', `${detail} (see --help)`);
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text)) throw usage(`${what} wants a whole number, not "${text}"`);
  return Number(text);
}

export function parseAfclientArgs(argv: readonly string[]): AfclientOptions {
  const o: AfclientOptions = {
    mode: 'position',
    host: 'backuphost',
    port: '2988',
    keyFile: undefined,
    cartridge: undefined,
    file: undefined,
    recursive: false,
    verbose: false,
    positions: false,
    archiveFile: undefined,
    header: undefined,
    compress: undefined,
    all: false,
    relative: false,
    overwrite: false,
    clientId: '<client-program>',
    message: undefined,
    raw: false,
    names: [],
    help: false,
    program: undefined,
    pollInterval: 3,
    pollCount: undefined,
  };
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
        if (UNSUPPORTED_VALUE.has(letter)) throw usage(`option -${letter} is not supported by this afclient yet`);
        switch (letter) {
          case 'h': o.host = value; break;
          case 'p': o.port = value; break;
          case 'k': o.keyFile = value; break;
          case 'C': o.cartridge = wholeNumber(value, '-C'); break;
          case 'F': o.file = wholeNumber(value, '-F'); break;
          case 'f': o.archiveFile = value; break;
          case 'H': o.header = value; break;
          case 'W': o.clientId = value; break;
          case 'M': o.message = value; modes.push('message'); break;
          case 'X': o.program = value; modes.push('remoteStart'); break;
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
        case 'q': modes.push('position'); break;
        case 'Q': modes.push('writePosition'); break;
        case 'w': modes.push('state'); break;
        case 'd': modes.push('verify'); break;
        case 'I': modes.push('index'); break;
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
        case 'a': o.all = true; break;
        case 'r': o.relative = true; break;
        case 'u': o.overwrite = true; break;
        default:
          if (IGNORED.has(letter)) break;
          throw usage(`unknown option -${letter}`);
      }
    }
  }
  // full_backup combines -Q and -w with -c; the data mode wins then.
  const DATA_MODES: Mode[] = ['create', 'extract', 'list', 'message', 'remoteStart', 'verify', 'index', 'poll'];
  const data = modes.filter((m) => DATA_MODES.includes(m));
  const unique = [...new Set(data)];
  if (unique.length > 1) throw usage(`the modes ${unique.map(flagOf).join(' and ')} exclude each other`);
  if (unique.length === 1) o.mode = unique[0]!;
  else if (modes.length > 0) {
    const queries = [...new Set(modes)];
    if (queries.length > 1) throw usage(`the modes ${queries.map(flagOf).join(' and ')} exclude each other`);
    o.mode = queries[0]!;
  } else if (!o.help) {
    throw usage('no mode given (one of -c, -x, -t, -d, -I, -q, -Q, -w, -M, -X, -m)');
  }
  if (Buffer.byteLength(o.clientId) > 128) throw usage('-W: the client id is longer than 128 bytes');
  return o;
}

function flagOf(m: Mode): string {
  const flags: Record<Mode, string> = {
    create: '-c',
    extract: '-x',
    list: '-t',
    position: '-q',
    writePosition: '-Q',
    state: '-w',
    message: '-M',
    remoteStart: '-X',
    verify: '-d',
    index: '-I',
    poll: '-m',
  };
  return flags[m];
}

/** The port as a number (a service name is not looked up). */
export function portNumber(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new AfError('USAGE', `-p wants a TCP port number, not "${text}" (service names and sockets are not supported yet)`);
  }
  return Number(text);
}
