#!/usr/bin/env node
/**
 * cartis: corrects the tape server's idea of its cartridges in the tapepos file
 * (cartis(8)); it never touches the drive.
 *
 *   cartis [-c conf] <cart>                        cartridge <cart> is in the drive, at file 1
 *   cartis -i <cart> <file> [-S set] [-c conf]     the set's next backup starts at <cart>/<file>
 *   cartis [-c conf] [--json]                      show what tapepos records
 *
 * Numbers are checked against the configuration: the cartridge must exist (and,
 * with -i, belong to the set), the set must exist, and where bytes_on_tape knows
 * how many files a cartridge holds, the file must be 1 or the one after them.
 * Options are parsed with node:util parseArgs (see common.ts for why).
 */
import { AfError } from '../errors.js';
import * as tapepos from '../state/tapepos.js';
import * as bytesOnTape from '../state/bytes-on-tape.js';
import type { ServerConfig } from '../config/server-config.js';
import type { VarDir } from '../state/var-dir.js';
import { formatRanges, fromNumbers } from '../state/range-list.js';
import {
  STANDARD_OPTIONS,
  cartridgeArg,
  decimalOf,
  deviceNameOf,
  loadConfig,
  messageOf,
  parseCommandLine,
  runCli,
  say,
  stateOp,
  usage,
  varDirOf,
  answeredStandard,
} from './common.js';

const PROG = 'cartis';

const HELP = `Usage: cartis [-c conf] cart
       cartis -i cart file [-S set] [-c conf]
       cartis [-c conf] [--json]
       cartis --help | --version

Corrects what the tape server believes about its cartridges (the tapepos file);
the drive is not touched.

  cart           record that cartridge cart is in the drive, at its beginning
  -i cart file   the next backup of the set starts a new tape file at file
                 "file" of cartridge "cart" (1 = the beginning; else one more
                 than the number of files on the cartridge)
  -S set         the cartridge set for -i (default 1)
  -c conf        the server configuration file (default: the first one found in
                 the standard places, see afserver.conf(5))
  --json         without cart: print the recorded positions as JSON
  --help         this text
  --version      the version

Without cart, cartis prints the cartridge believed in the drive and the insert
position of every cartridge set.

Exit status: 0 done, 1 other error, 2 invalid command line, 20 no such
cartridge, 21 bad file number, 22 no such set, 30/31 tapepos cannot be parsed /
accessed, 32 configuration error. See cartis(8).
`;

const OPTIONS = {
  c: { type: 'string' },
  i: { type: 'boolean' },
  S: { type: 'string' },
  json: { type: 'boolean' },
  ...STANDARD_OPTIONS,
} as const;

/** Converts an old-format tapepos on the first write, naming its drive as the server does. */
function modern(model: tapepos.TapePos, device: string): tapepos.TapePos {
  return tapepos.isLegacy(model) ? tapepos.convertLegacy(model, device) : model;
}

async function show(config: ServerConfig, varDir: VarDir, json: boolean): Promise<void> {
  const device = deviceNameOf(config);
  const model = await stateOp(() => varDir.tapepos.read());
  const drive = tapepos.getDevicePos(model, device) ?? null;
  const sets = config.cartridgeSets.sets.map((s) => {
    const p = tapepos.getInsertPos(model, s.number);
    return { set: s.number, cartridge: p?.cart ?? null, file: p?.file ?? null };
  });
  if (json) {
    const out = { device, drive: drive ? { cartridge: drive.cart, file: drive.file } : null, sets };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  let text = drive ? `drive ${device}: cartridge ${drive.cart}, file ${drive.file}\n` : `drive ${device}: no cartridge recorded\n`;
  for (const s of sets) {
    text += s.cartridge === null ? `set ${s.set}: no insert position recorded\n` : `set ${s.set}: cartridge ${s.cartridge}, file ${s.file}\n`;
  }
  process.stdout.write(text);
}

/** The file number for `cartis -i`, checked against what bytes_on_tape knows of the cartridge. */
async function checkedFile(text: string, cart: number, varDir: VarDir): Promise<number> {
  const file = decimalOf(text);
  if (file === null || file < 1) throw new AfError('NO_VALID_FILENUM', `"${text}" is not a file number (1 or more)`);
  if (file === 1) return file;
  let known: bytesOnTape.TapeBytes | undefined;
  try {
    known = bytesOnTape.get(await stateOp(() => varDir.bytesOnTape.read()), cart);
  } catch (e) {
    say(PROG, `warning: file ${file} not checked against the cartridge's contents: ${messageOf(e)}`);
    return file;
  }
  if (known && file !== known.files + 1) {
    if (known.files === 0) throw new AfError('NO_VALID_FILENUM', `cartridge ${cart} holds no data files yet, so its next file is 1`);
    const holds = `${known.files} file${known.files === 1 ? '' : 's'}`;
    throw new AfError('NO_VALID_FILENUM', `cartridge ${cart} holds ${holds}: the next file is ${known.files + 1} (or 1 to start it again)`);
  }
  return file;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (answeredStandard(values, PROG, HELP)) return 0;
  if (values.S !== undefined && !values.i) throw usage('-S goes with -i');
  if (values.json && (values.i || positionals.length > 0)) throw usage('--json only goes with the form without arguments');
  const want = values.i ? 2 : positionals.length === 0 ? 0 : 1;
  if (positionals.length !== want) {
    throw usage(values.i ? '-i wants a cartridge and a file number' : `one cartridge number, not ${positionals.length} arguments`);
  }

  const { config } = await loadConfig(values.c);
  const varDir = varDirOf(config);
  const device = deviceNameOf(config);

  if (positionals.length === 0) {
    await show(config, varDir, values.json ?? false);
    return 0;
  }

  if (!values.i) {
    const cart = cartridgeArg(positionals[0]!, config.numberOfCartridges);
    await stateOp(() => varDir.tapepos.update((m) => tapepos.setDevicePos(m, device, cart, 1)));
    return 0;
  }

  const sets = config.cartridgeSets;
  const setText = values.S ?? '1';
  const set = decimalOf(setText);
  if (set === null || set < 1 || set > sets.count) {
    throw new AfError('NO_VALID_CARTSET', `"${setText}" is not a cartridge set (the configuration has set${sets.count === 1 ? ' 1' : `s 1 to ${sets.count}`})`);
  }
  const cart = cartridgeArg(positionals[0]!, config.numberOfCartridges);
  if (sets.setOfCartridge(cart) !== set) {
    const mine = sets.cartridgesOfSet(set);
    throw new AfError('NO_VALID_CARTRIDGE', `cartridge ${cart} is not in set ${set} (its cartridges: ${formatRanges(fromNumbers(mine))})`);
  }
  const file = await checkedFile(positionals[1]!, cart, varDir);
  await stateOp(() => varDir.tapepos.update((m) => tapepos.setInsertPos(modern(m, device), set, cart, file)));
  return 0;
}

runCli(PROG, main);
