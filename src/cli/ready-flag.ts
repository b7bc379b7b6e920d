/**
 * What cartready and changerready share: an operator program whose only job is to
 * delete the flag file a waiting process watches (the tape server for cartready,
 * cart_ctl for changerready), so that the waiter goes on.
 *
 *   <prog> [-c conf]
 *
 * The flag depends only on the installation, not on the configuration; a named
 * configuration (or the default one, when it exists) is still read, so that a
 * broken one is reported (exit 32). No flag, or a flag that cannot be removed, is
 * exit 1 with a message.
 */
import fs from 'node:fs';
import type { InstallPaths } from '../config/server-config.js';
import { CliFailure, STANDARD_OPTIONS, cliInstallPaths, loadConfig, parseCommandLine, runCli, usage, answeredStandard } from './common.js';

export interface ReadyFlagProgram {
  prog: string;
  /** The flag file for this installation. */
  flag(paths: InstallPaths): string;
  /** The paragraph of --help that says what is waiting and what happens. */
  purpose: string;
  /** Who waits, for "no ... is waiting" (e.g. "session is waiting for a cartridge"). */
  nobodyWaiting: string;
  /** Whose user may remove the flag (e.g. "the server runs as"). */
  runAs: string;
}

export function runReadyFlagProgram(p: ReadyFlagProgram): void {
  const help = `Usage: ${p.prog} [-c conf]
       ${p.prog} --help | --version

${p.purpose}

  -c conf      the server configuration file (default: the first one found in
               the standard places, see afserver.conf(5); none is needed)
  --help       this text
  --version    the version

Exit status: 0 the flag was removed, 1 there was no flag or it could not be
removed, 2 invalid command line, 32 configuration error. See ${p.prog}(8).
`;
  runCli(p.prog, async (argv) => {
    const { values, positionals } = parseCommandLine(argv, { c: { type: 'string' }, ...STANDARD_OPTIONS });
    if (answeredStandard(values, p.prog, help)) return 0;
    if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
    await loadConfig(values.c, { optional: true });
    const flag = p.flag(cliInstallPaths());
    try {
      fs.unlinkSync(flag);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CliFailure(`no ${p.nobodyWaiting} ("${flag}" does not exist)`);
      if (code === 'EACCES' || code === 'EPERM') {
        throw new CliFailure(`cannot remove "${flag}": permission denied (run ${p.prog} as the user ${p.runAs})`);
      }
      throw new CliFailure(`cannot remove "${flag}": ${code ?? (e as Error).message}`);
    }
    return 0;
  });
}
