#!/usr/bin/env node
/**
 * changerready: tells a cart_ctl that waits for a manual move (a cartridge to put
 * into or take out of the changer) that the operator has done it, by deleting the
 * flag /tmp/afbu_changerready.<locspec> (changerready(8), spec §7.3).
 *
 *   changerready [-c conf]
 *
 * Like cartready, a named configuration (or the default one, when it exists) is read
 * only to report an error in it (exit 32). No flag, or a flag that cannot be removed,
 * is exit 1 with a message. Options are parsed with node:util parseArgs (see common.ts).
 */
import fs from 'node:fs';
import { changerReadyFlag } from './cart-manual.js';
import { CliFailure, STANDARD_OPTIONS, cliInstallPaths, loadConfig, parseCommandLine, runCli, usage, versionLine } from './common.js';

const PROG = 'changerready';

const HELP = `Usage: changerready [-c conf]
       changerready --help | --version

Tells a cart_ctl that waits for the operator (for example "Please put
cartridge 3 into load port 1") that the move is done: deletes the flag file
the waiting cart_ctl watches, and it goes on.

  -c conf      the server configuration file (default: the first one found in
               the standard places, see afserver.conf(5); none is needed)
  --help       this text
  --version    the version

Exit status: 0 the flag was removed, 1 there was no flag or it could not be
removed, 2 invalid command line, 32 configuration error. See changerready(8).
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { c: { type: 'string' }, ...STANDARD_OPTIONS });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(versionLine(PROG));
    return 0;
  }
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  await loadConfig(values.c, { optional: true });

  const flag = changerReadyFlag(cliInstallPaths());
  try {
    fs.unlinkSync(flag);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliFailure(`no cart_ctl is waiting for a manual move ("${flag}" does not exist)`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CliFailure(`cannot remove "${flag}": permission denied (run changerready as the user cart_ctl runs as)`);
    }
    throw new CliFailure(`cannot remove "${flag}": ${code ?? (e as Error).message}`);
  }
  return 0;
}

runCli(PROG, main);
