/**
 * afclient's entry point below the CLI: parses the arguments and runs the mode.
 * Returns the exit status; failures are thrown as AfErrors.
 */
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import { parseAfclientArgs, type AfclientOptions } from './options.js';
import { runDuplicate } from './duplicate.js';
import { ctimeOf } from './report.js';
import { VERSION } from '../../version.js';
import { runQuery } from './queries.js';
import { runCreate } from './create.js';
import { runList } from './list.js';
import { runExtract } from './extract.js';
import { runRemoteStart } from './remote-start.js';
import { runVerify } from './verify.js';
import { runTapeIndex } from './tape-index.js';
import { runMessagePoll } from './messages-poll.js';
import type { Output } from './session.js';

export const AFCLIENT_HELP = `usage: afclient <mode> [options] [names...]
modes (one of them; the queries -w -G -q -Q may be combined with each other and with -c):
  -c            create: save the names (-R recursively; '-' = raw stdin)
  -t            list the stream at -C <cart> -F <file>
  -x            extract (-a everything, else the names given, in a -T file or on stdin; '-' = raw to stdout)
  -d            verify: compare the stream at -C/-F with the file system
  -I            index of the tape files from -C <cart> -F <file> (default 1)
  -D '<dest>'   duplicate cartridge -C (from file -F) to another server: '-h host -p port -C cart -k key'
  -X '<prog>'   start a program of the server's Program-Directory, print its output (-n: '<host>: ')
  -M <msg>      send a message to the server
  -m[<s>]       print the server's operator message, polling every s seconds (default 3)
  -w -G -q -Q   streamer state (-v: server id, precious tapes), new cartridge, current and next write position
options:
  -h <host> -p <port|service|/socket> -k <keyfile> -W <client id> -S <cartridge set>
  -C <cart> -F <file>   where to read     -f <file|->  archive file instead of a server
  -H <header|->  header record for -c ('-': the first line of stdin)
  -z <proc> <unproc>    process files ('. <level> [cmd]' = built-in zlib)   -s <pattern>  store plainly
  -Z            CRC32 checksums (-c), integrity check (-t, -x)
  -N <file> -A <epoch> -B <epoch>   save or restore only entries in that time window
  -T <namefile|tmpdir>  -e <errlog>  -V <report file>  -o <uid[:gid[:g1,...]]>
  -R recursive  -r relative  -a all  -u replace existing  -i ignore ownership  -g skip leading garbage
  -j new tape file  -K do not restore access times  -b no pipelining  -E time stamps on errors
  -v verbose    -n cart.file  -l server%port!  -O |uid  -U ~mtime before names
  --json        with -q -Q -w -G: one JSON object    --no-progress   no progress line
  --count <n>   with -m: stop after n polls
  --help, --version
`;

export interface Stdio {
  stdin: Readable;
  stdout: Writable;
  io: Output;
}

/** -e (errors also appended to a file) and -E (time stamps) around the output. */
export function decorate(given: Output, o: AfclientOptions): Output {
  let io = given;
  if (o.noProgress && io.progress) io = { out: io.out, err: io.err };
  if (o.errorLog === undefined && !o.longErrors) return io;
  const log = o.errorLog;
  return {
    out: (b) => io.out(b),
    ...(io.progress ? { progress: (l: string | null) => io.progress!(l) } : {}),
    err: (line) => {
      const text = o.longErrors ? `${ctimeOf(new Date())}, ${line}` : line;
      io.err(text);
      if (log !== undefined) {
        try {
          fs.appendFileSync(log, `${text}\n`);
        } catch {
          /* the log is a copy; stderr has the message */
        }
      }
    },
  };
}

export async function runAfclient(argv: string[], s: Stdio): Promise<number> {
  const o = parseAfclientArgs(argv);
  if (o.help) {
    s.io.out(AFCLIENT_HELP);
    return 0;
  }
  if (o.version) {
    s.io.out(`afclient (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`);
    return 0;
  }
  const io = decorate(s.io, o);
  if (o.errorLog !== undefined) {
    try {
      fs.writeFileSync(o.errorLog, '');
    } catch (e) {
      io.err(`warning: cannot open the error log ${o.errorLog}: ${(e as Error).message}; errors go to stderr only`);
    }
  }
  return runMode(o, { ...s, io });
}

async function runMode(o: AfclientOptions, s: Stdio): Promise<number> {
  switch (o.mode) {
    case 'create':
      return runCreate(o, s.io, { stdin: s.stdin, stdout: s.stdout });
    case 'list':
      return runList(o, s.io, s.stdin);
    case 'extract':
      return runExtract(o, s.io, s.stdin, s.stdout);
    case 'verify':
      return runVerify(o, s.io, s.stdin);
    case 'index':
      return runTapeIndex(o, s.io);
    case 'remoteStart':
      return runRemoteStart(o, s.io);
    case 'poll':
      return runMessagePoll(o, s.io);
    case 'duplicate':
      return runDuplicate(o, s.io);
    default:
      return runQuery(o, s.io);
  }
}
