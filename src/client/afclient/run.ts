/**
 * afclient's entry point below the CLI: parses the arguments and runs the mode.
 * Returns the exit status; failures are thrown as AfErrors.
 */
import type { Readable, Writable } from 'node:stream';
import { parseAfclientArgs } from './options.js';
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
modes:
  -c            create: save the names (-R recursively; '-' = raw stdin)
  -t            list the stream at -C <cart> -F <file>
  -x            extract (-a everything, else the names given or read from stdin; '-' = raw to stdout)
  -q            print the current tape access position
  -Q            print the next tape writing position
  -w            print the streamer state (-v: also server id and precious tapes)
  -M <msg>      send a message to the server
  -d            verify: compare the stream at -C/-F with the file system (names as for -x; none = all)
  -I            index of the tape files from -C <cart> -F <file> (default 1): '<cart>.<file>: <header>'
  -X '<prog>'   start a program of the server's Program-Directory, print its output (-n: '<host>: ')
  -m[<s>]       print the server's operator message, polling every s seconds (default 3)
  --count <n>   with -m: stop after n polls
options:
  -h <host> -p <port> -k <keyfile> -W <client id>
  -C <cart> -F <file>   where to read
  -f <file|->   archive file instead of a server
  -H <header>   header (INFORMATION record) for -c
  -z '. <level>' ''     built-in zlib compression for -c
  -R recursive  -r relative (strip leading /)  -u replace existing entries
  -v verbose    -n print cart.file before names
  -b -j -l -O -U -E -g -i -K -Z are accepted and ignored
`;

export interface Stdio {
  stdin: Readable;
  stdout: Writable;
  io: Output;
}

export async function runAfclient(argv: string[], s: Stdio): Promise<number> {
  const o = parseAfclientArgs(argv);
  if (o.help) {
    s.io.out(AFCLIENT_HELP);
    return 0;
  }
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
    default:
      return runQuery(o, s.io);
  }
}
