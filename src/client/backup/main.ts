/**
 * The shared main of full_backup, incr_backup and update_indexes: options, the
 * configuration, the afclient program, the run, and what is printed. The
 * programs in src/cli pass in what belongs to the process (argv, environment,
 * chdir, the streams), so this file never touches `process` itself.
 *
 * stdout: with -v the progress lines afbackup prints ("Starting full backup.",
 * "Full backup finished.", ...); with --json one line with the summary at the
 * end (also after a failure, then with "error" and "status"). stderr: warnings
 * and errors, one line each, prefixed with the program name. --estimate hands
 * over to estimate.ts after the configuration is read (no lock, no server).
 */
import path from 'node:path';
import { AfError, toAfError } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { ClientInstallPaths } from '../../config/client-config.js';
import { configOverrides, parseBackupArgs, type Program } from './options.js';
import { loadBackupConfig } from './load-config.js';
import { afclientProgram } from './afclient-command.js';
import { runBackup } from './run-backup.js';
import { runUpdateIndexes } from './run-update-indexes.js';
import { HELP } from './help.js';
import { estimateBackup, estimateText } from './estimate.js';
import { shellOutput } from './programs.js';

export interface ProcessContext {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Directory of the running program script (where afclient.js lives too). */
  readonly scriptDir: string;
  readonly nodePath: string;
  readonly hostname: string;
  readonly paths: ClientInstallPaths;
  chdir(dir: string): void;
  /** Calls the handler once on SIGINT or SIGTERM (with the signal's name). */
  onSignal?(handler: (signal: string) => void): void;
  out(text: string): void;
  err(text: string): void;
}

const DEFAULT_POLL_WAIT_S = 30;

export async function backupMain(program: Program, ctx: ProcessContext): Promise<number> {
  const opts = parseBackupArgs(program, ctx.argv);
  if (opts.help) {
    ctx.out(HELP[program]);
    return 0;
  }
  if (opts.version) {
    ctx.out(`${program} (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`);
    return 0;
  }
  const warn = (t: string): void => ctx.err(`${program}: ${t}\n`);
  const info = (t: string): void => {
    if (opts.verbose) ctx.out(`${t}\n`);
  };
  const loaded = await loadBackupConfig({ named: opts.configFile, overrides: configOverrides(opts), paths: ctx.paths, hostname: ctx.hostname });
  if (loaded.file === undefined) warn('warning: no configuration file found, using the defaults');
  for (const u of loaded.parsed?.unknownLines ?? []) warn(`warning: "${loaded.file}" line ${u.line} sets no known key: ${u.text}`);
  const config = loaded.config;
  if (opts.detach) warn('warning: -d (detach) is not supported; running in the foreground');
  const afclient = afclientProgram(ctx.env, path.join(ctx.scriptDir, 'afclient.js'), ctx.nodePath);
  const envWait = ctx.env.AF_POLL_WAIT_SECONDS;
  const pollWaitS = opts.pollWait ?? (envWait !== undefined && /^\d+(\.\d+)?$/.test(envWait) ? Number(envWait) : DEFAULT_POLL_WAIT_S);

  const printJson = (obj: unknown): void => {
    if (opts.json) ctx.out(`${JSON.stringify(obj)}\n`);
  };
  try {
    if (program === 'update_indexes') {
      const s = await runUpdateIndexes(config, { afclient, info, warn });
      printJson(s);
      return s.status;
    }
    try {
      ctx.chdir(config.rootDirectory);
    } catch (e) {
      throw new AfError('STATE_IO', `cannot change to the root directory "${config.rootDirectory}": ${(e as Error).message}`);
    }
    if (opts.estimate) {
      const est = await estimateBackup(program === 'full_backup' ? 'full' : 'incremental', opts, config, { warn, runCommand: shellOutput });
      ctx.out(opts.json ? `${JSON.stringify(est)}\n` : estimateText(est));
      return 0;
    }
    const interrupt = new AbortController();
    ctx.onSignal?.((sig) => interrupt.abort(sig));
    const s = await runBackup(program === 'full_backup' ? 'full' : 'incremental', opts, config, {
      signal: interrupt.signal,
      afclient,
      hostname: ctx.hostname,
      pollWaitMs: pollWaitS * 1000,
      info,
      warn,
    });
    printJson(s);
    return s.status;
  } catch (e) {
    const err = toAfError(e);
    printJson({ program, error: err.message, code: err.code, status: err.exitCode });
    throw err;
  }
}
