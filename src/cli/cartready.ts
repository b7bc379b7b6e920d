#!/usr/bin/env node
/**
 * cartready: tells a tape server waiting for the operator that the cartridge is in,
 * by deleting the cartridge-ready flag /tmp/afbu_cartready.<locspec> (cartready(8)).
 *
 *   cartready [-c conf]
 *
 * The flag depends only on the installation, not on the configuration; a named
 * configuration (or the default one, when it exists) is still read, so that a
 * broken one is reported (exit 32). No flag, or a flag that cannot be removed, is
 * exit 1 with a message. Options are parsed with node:util parseArgs (see common.ts).
 */
import fs from 'node:fs';
import { cartReadyFlag } from '../server/server-context.js';
import { CliFailure, STANDARD_OPTIONS, cliInstallPaths, loadConfig, parseCommandLine, runCli, usage, versionLine } from './common.js';

const PROG = 'cartready';

const HELP = `Usage: cartready [-c conf]
       cartready --help | --version

Tells a tape server that waits for the operator (for example "Please insert
cartridge number 7") that the cartridge is ready: deletes the flag file the
waiting session watches, and the session goes on.

  -c conf      the server configuration file (default: the first one found in
               the standard places, see afserver.conf(5); none is needed)
  --help       this text
  --version    the version

Exit status: 0 the flag was removed, 1 there was no flag or it could not be
removed, 2 invalid command line, 32 configuration error. See cartready(8).
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

  const flag = cartReadyFlag(cliInstallPaths());
  try {
    fs.unlinkSync(flag);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliFailure(`no session is waiting for a cartridge ("${flag}" does not exist)`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CliFailure(`cannot remove "${flag}": permission denied (run cartready as the user the server runs as)`);
    }
    throw new CliFailure(`cannot remove "${flag}": ${code ?? (e as Error).message}`);
  }
  return 0;
}

runCli(PROG, main);
