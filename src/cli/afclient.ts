#!/usr/bin/env node
/**
 * afclient: the afbackup client program (afclient(1)) — save files to an
 * afbackup server or an archive file, list, extract and verify them, ask the
 * server for its positions and state, and copy cartridges between servers.
 * One stderr line per problem; exit statuses as documented in the manual page.
 * A progress line is drawn on stderr during long -c/-x runs when stderr is a
 * terminal.
 */
import { runCli, say } from './common.js';
import { runAfclient } from '../client/afclient/run.js';

const tty = process.stderr.isTTY === true;
let progressShown = false;

runCli('afclient', (argv) =>
  runAfclient(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    io: {
      out: (b) => {
        process.stdout.write(b);
      },
      err: (line) => {
        if (progressShown) {
          process.stderr.write('\r\x1b[K');
          progressShown = false;
        }
        say('afclient', line);
      },
      ...(tty
        ? {
            progress: (line: string | null) => {
              if (line === null) {
                if (progressShown) process.stderr.write('\r\x1b[K');
                progressShown = false;
                return;
              }
              process.stderr.write(`\r\x1b[Kafclient: ${line}`);
              progressShown = true;
            },
          }
        : {}),
    },
  }),
);
