#!/usr/bin/env node
/**
 * update_indexes: remove index lines of cartridges erased on the server.
 *
 * The composition root: it hands argv, the environment, chdir and the output
 * streams to the shared main in src/client/backup/main.ts, which does the work
 * by running afclient (node dist/cli/afclient.js beside this file, or the
 * program named by AF_AFCLIENT). See man/update_indexes.8.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, cliInstallPaths } from './common.js';
import { backupMain } from '../client/backup/main.js';

runCli('update_indexes', (argv) =>
  backupMain('update_indexes', {
    argv,
    env: process.env,
    scriptDir: path.dirname(fileURLToPath(import.meta.url)),
    nodePath: process.execPath,
    hostname: os.hostname(),
    paths: cliInstallPaths(),
    chdir: (dir) => process.chdir(dir),
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  }),
);
