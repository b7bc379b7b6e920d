#!/usr/bin/env node
/**
 * afclient: the afbackup client program (afclient(1)) — save files to an
 * afbackup server or an archive file, list and extract them, and ask the server
 * for its positions and state. One stderr line per problem; exit statuses as
 * documented in the manual page.
 */
import { runCli, say } from './common.js';
import { runAfclient } from '../client/afclient/run.js';

runCli('afclient', (argv) =>
  runAfclient(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    io: {
      out: (b) => {
        process.stdout.write(b);
      },
      err: (line) => say('afclient', line),
    },
  }),
);
