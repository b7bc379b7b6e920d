/**
 * afrestore's command line, parsed the afbackup way: single letters that bundle
 * (`-nlv`), letters that take the next word or the rest of the word (`-C dir`,
 * `-Cdir`), `-z` with two words, `-<n>` for an older backup, and `-p` that makes
 * the next pattern a whole-name wildcard instead of a substring. Everything else
 * is a pattern. Values stay strings; meaning is given to them in afrestore.ts.
 */
import { AfError } from '../../errors.js';
import type { PathPattern } from './pattern.js';

export interface AfrestoreOptions {
  count: boolean;
  list: boolean;
  tapes: boolean;
  verbose: boolean;
  /** -m: keep existing files. */
  merge: boolean;
  ignoreCase: boolean;
  all: boolean;
  /** -e (counted: given twice goes back one more full backup). */
  emergency: number;
  /** -f: only the index files in an emergency. */
  emergencyIndexes: boolean;
  /** -E (scan tapes). */
  scan: number;
  /** -<n>. */
  back: number;
  root?: string;
  hosts?: string;
  ports?: string;
  configFile?: string;
  clientId?: string;
  after?: string;
  before?: string;
  tapeList?: string;
  indexFilePart?: string;
  varDirectory?: string;
  keyFile?: string;
  process?: { proc: string; unproc: string };
  compressLevel?: string;
  format?: string;
  maxIndexes?: string;
  maxDays?: string;
  messages?: string;
  patterns: PathPattern[];
  /** --shell: the interactive restore shell. */
  shell: boolean;
  /** --exact: the state as of the chosen backup, names recorded as deleted left out. */
  exact: boolean;
  /** --json: -l, -n and -t print JSON. */
  json: boolean;
  help: boolean;
  version: boolean;
}

const WITH_VALUE = new Set(['C', 'h', 'P', 'c', 'W', 'A', 'B', 'T', 'I', 'V', 'k', 'F', 'N', 'O', 'M', 'Z', 'z']);

function usage(detail: string): AfError {
  return new AfError('USAGE', `${detail} (see --help)`);
}

export function parseAfrestoreArgs(argv: readonly string[]): AfrestoreOptions {
  const o: AfrestoreOptions = {
    count: false, list: false, tapes: false, verbose: false, merge: false, ignoreCase: false, all: false,
    emergency: 0, emergencyIndexes: false, scan: 0, back: 0, patterns: [], shell: false, exact: false, json: false, help: false, version: false,
  };
  let exactNext = false;
  let onlyPatterns = false;
  let i = 0;
  const take = (letter: string, rest: string): string => {
    if (rest.length > 0) return rest;
    i++;
    if (i >= argv.length) throw usage(`option -${letter} needs a value`);
    return argv[i]!;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPatterns || !a.startsWith('-') || a === '-') {
      o.patterns.push({ text: Buffer.from(a), exact: exactNext });
      exactNext = false;
      continue;
    }
    if (a === '--') { onlyPatterns = true; continue; }
    if (a === '--help' || a === '-?') { o.help = true; continue; }
    if (a === '--version') { o.version = true; continue; }
    if (a === '--shell') { o.shell = true; continue; }
    if (a === '--json') { o.json = true; continue; }
    if (a === '--exact') { o.exact = true; continue; }
    if (a.startsWith('--')) throw usage(`unknown option ${a}`);
    if (/^-\d+$/.test(a)) { o.back = Number(a.slice(1)); continue; }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (WITH_VALUE.has(letter)) {
        const value = take(letter, a.slice(j + 1));
        j = a.length;
        switch (letter) {
          case 'C': o.root = value; break;
          case 'h': o.hosts = value; break;
          case 'P': o.ports = value; break;
          case 'c': o.configFile = value; break;
          case 'W': o.clientId = value; break;
          case 'A': o.after = value; break;
          case 'B': o.before = value; break;
          case 'T': o.tapeList = value; break;
          case 'I': o.indexFilePart = value; break;
          case 'V': o.varDirectory = value; break;
          case 'k': o.keyFile = value; break;
          case 'F': o.format = value; break;
          case 'N': o.maxIndexes = value; break;
          case 'O': o.maxDays = value; break;
          case 'M': o.messages = value; break;
          case 'Z': o.compressLevel = value; break;
          case 'z':
            i++;
            if (i >= argv.length) throw usage('option -z needs two values: the process and the unprocess command');
            o.process = { proc: value, unproc: argv[i]! };
            break;
        }
        continue;
      }
      switch (letter) {
        case 'n': o.count = true; break;
        case 'l': o.list = true; break;
        case 't': o.tapes = true; break;
        case 'v': o.verbose = true; break;
        case 'm': o.merge = true; break;
        case 'i': o.ignoreCase = true; break;
        case 'a': o.all = true; break;
        case 'e': o.emergency++; break;
        case 'f': o.emergencyIndexes = true; break;
        case 'E': o.scan++; break;
        case 'p': exactNext = true; break;
        default: throw usage(`unknown option -${letter}`);
      }
    }
  }
  if (exactNext) throw usage('-p is not followed by a pattern');
  if ([o.count, o.list, o.tapes].filter(Boolean).length > 1) throw usage('-n, -l and -t exclude each other');
  if (o.all && o.patterns.length > 0) throw usage('-a restores a whole backup and takes no patterns');
  if (o.all && (o.after !== undefined || o.before !== undefined || o.tapeList !== undefined)) {
    throw usage('-a restores a whole backup and takes no -A, -B or -T (select by patterns instead)');
  }
  if (o.json && !(o.count || o.list || o.tapes)) throw usage('--json goes with -l, -n or -t');
  return o;
}

export const AFRESTORE_HELP = `usage: afrestore [-nltvmi] [-<n>] [-C dir] [-c conf] [-A "date[%budate]"] [-B "date[%budate]"]
                 [-T tapes] [-F format] [-N n | -O days] [-h hosts] [-P ports] [-W id]
                 [-I indexpart] [-V vardir] [-k keyfile] [-p] pattern ...
       afrestore -a [-nltvm] [-<n>] [-C dir] ...        restore everything of a backup
       afrestore -e[e...] [-f] [-vm] [-C dir] ... < restore-info   emergency restore without index
                    (-f: only the index files; each extra e: one backup further back)
       afrestore -E [-e...] [-f] [-vm] [-C dir] ... [cart ...]    the same, the restore info
                    found by scanning the cartridges (default: the current one)
       afrestore -a --exact [-<n>] [-C dir] ...        the state after a backup, deleted names left out
       afrestore --shell [-<n>] [-A ...] [-B ...] [pattern ...]   interactive restore shell
selection:
  pattern     substring of the saved path (wildcards allowed); -p pattern: whole-path wildcard
  -i          ignore case          -<n>   the n-th full backup before the current one
  -A/-B "date[%budate]"   files modified after/before date, from backups started after/before budate
  -T tapes    only these cartridges (e.g. 3-5,8)   -N n / -O days   scan limits with -A/-B
output instead of restoring:
  -l          list (-F format: %n %b %O %o %m %M %t %T %h %p %c %f %%)   -n  count   -t  needed cartridges
  --json      with -l, -n or -t: print JSON (names escaped as in the index)
restoring:
  -C dir      restore below dir (created if missing) instead of RootDirectory
  -m          do not overwrite existing files        -v  verbose
  --exact     the state as of the chosen backup: names incr_backup recorded as
              deleted are left out (with -a: removed again after the restore)
environment: AF_AFCLIENT  the afclient command to run (default: node <dir of afrestore>/afclient.js)
`;
