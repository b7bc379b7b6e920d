#!/usr/bin/env node
/**
 * full_backup: save the configured entries completely (afbackup's full_backup).
 *
 * The composition root: it hands argv, the environment, chdir and the output
 * streams to the shared main in src/client/backup/main.ts, which does the work
 * by running afclient (node dist/cli/afclient.js beside this file, or the
 * program named by AF_AFCLIENT). See man/full_backup.8.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, cliInstallPaths } from './common.js';
import { backupMain } from '../client/backup/main.js';

runCli('full_backup', (argv) =>
  backupMain('full_backup', {
    argv,
    env: process.env,
    scriptDir: path.dirname(fileURLToPath(import.meta.url)),
    nodePath: process.execPath,
    hostname: os.hostname(),
    paths: cliInstallPaths(),
    chdir: (dir) => process.chdir(dir),
    onSignal: (handler) => {
      const once = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', once);
        process.off('SIGTERM', once);
        process.stderr.write(`full_backup: interrupted by ${sig}, cleaning up\n`);
        handler(sig);
      };
      process.on('SIGINT', once);
      process.on('SIGTERM', once);
    },
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  }),
);
