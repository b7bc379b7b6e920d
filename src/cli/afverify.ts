#!/usr/bin/env node
/**
 * afverify: compare an earlier backup run with the file system (afverify(8)) by
 * running `afclient -d` over the run's tape files with the run's names from the
 * index. Exit status 1 when differences were found. afclient is
 * `node <this directory>/afclient.js` unless AF_AFCLIENT names another command.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, say } from './common.js';
import { VERSION } from '../version.js';
import { runAfverify } from '../client/restore/afverify.js';
import { afclientCommand, spawnRunner } from '../client/restore/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));

runCli('afverify', async (argv) => {
  if (argv.includes('--version')) {
    process.stdout.write(`afverify ${VERSION}\n`);
    return 0;
  }
  return runAfverify(argv, {
    io: {
      out: (b) => {
        process.stdout.write(b);
      },
      err: (line) => say('afverify', line),
      passErr: (b) => {
        process.stderr.write(b);
      },
    },
    runner: spawnRunner(afclientCommand(process.env, here)),
    env: process.env,
  });
});
