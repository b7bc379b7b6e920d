/**
 * What full_backup, incr_backup and update_indexes share as composition roots:
 * argv, the environment, chdir, signals and the output streams handed to the
 * shared main in src/client/backup/main.ts, which does the work by running
 * afclient (node dist/cli/afclient.js beside the program, or the program named by
 * AF_AFCLIENT). SIGINT and SIGTERM stop afclient and clean up (the two backup
 * programs); update_indexes changes nothing that needs cleaning up.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, cliInstallPaths } from './common.js';
import { backupMain } from '../client/backup/main.js';

export function runBackupProgram(prog: 'full_backup' | 'incr_backup' | 'update_indexes', opts: { interruptible: boolean }): void {
  runCli(prog, (argv) =>
    backupMain(prog, {
      argv,
      env: process.env,
      scriptDir: path.dirname(fileURLToPath(import.meta.url)),
      nodePath: process.execPath,
      hostname: os.hostname(),
      paths: cliInstallPaths(),
      chdir: (dir) => process.chdir(dir),
      ...(opts.interruptible
        ? {
            onSignal: (handler: (sig: NodeJS.Signals) => void) => {
              const once = (sig: NodeJS.Signals): void => {
                process.off('SIGINT', once);
                process.off('SIGTERM', once);
                process.stderr.write(`${prog}: interrupted by ${sig}, cleaning up\n`);
                handler(sig);
              };
              process.on('SIGINT', once);
              process.on('SIGTERM', once);
            },
          }
        : {}),
      out: (text) => void process.stdout.write(text),
      err: (text) => void process.stderr.write(text),
    }),
  );
}
