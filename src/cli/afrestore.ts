#!/usr/bin/env node
/**
 * afrestore: restore files from afbackup backups (afrestore(8)). It reads the
 * client's index files to find where each selected file is on tape, then runs
 * afclient once per tape file with the names on its stdin, as afbackup's
 * afrestore does; it can also list, count, name the cartridges needed, restore
 * a whole backup, restore in an emergency from the minimum restore info, and
 * offer an interactive restore shell (--shell). afclient is
 * `node <this directory>/afclient.js` unless AF_AFCLIENT names another command.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, say } from './common.js';
import { VERSION } from '../version.js';
import { runAfrestore } from '../client/restore/afrestore.js';
import { afclientCommand, spawnRunner } from '../client/restore/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));

runCli('afrestore', async (argv) => {
  if (argv.includes('--version')) {
    process.stdout.write(`afrestore ${VERSION}\n`);
    return 0;
  }
  return runAfrestore(argv, {
    io: {
      out: (b) => {
        process.stdout.write(b);
      },
      err: (line) => say('afrestore', line),
      passErr: (b) => {
        process.stderr.write(b);
      },
    },
    runner: spawnRunner(afclientCommand(process.env, here)),
    stdin: process.stdin,
    env: process.env,
    prompt: process.stdin.isTTY === true,
  });
});
