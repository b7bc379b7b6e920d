#!/usr/bin/env node
/**
 * label_tape: writes the afbackup label of a cartridge onto the tape in the drive,
 * or shows the label that is there (label_tape(8)).
 *
 *   label_tape [-c conf] [-rfF] [-S second] [-n comment] [-d dev] [-b bs] [-C ncarts] cart
 *   label_tape -q [--json] [-c conf] [-d dev] [-b bs] [-F]
 *
 * Labelling, in this order: take afserver's device lock (DEVINUSE when a server
 * holds it; -F skips it), lock the cartridge-ready flag if a server waits, open the
 * drive (a virtual library whose drive is empty loads cartridge <cart> through its
 * changer), read the label that is there, settle which cartridges leave the
 * server's records (-r, or a question when one is still protected), ask for
 * confirmation (unless -f; without a terminal that is a usage error), then rewind,
 * erase, write the label block and a filemark, and record the new cartridge in
 * bytes_on_tape, ever_used_blocksizes and tapepos.
 *
 * "Removing a cartridge from the records" does what the ReuseTapes message does
 * for it (precious_tapes, cartridge_order successors, bytes_on_tape, insert
 * positions back to file 1) and also takes it out of readonly_tapes.
 *
 * Options are parsed with node:util parseArgs (see common.ts for why).
 */
import { labelToJson } from '../server/label.js';
import { AfError, isAfError } from '../errors.js';
import { formatLabel, parseLabel, type Label } from '../server/label.js';
import { cartReadyFlag } from '../server/server-context.js';
import { ctime } from '../state/ctime.js';
import * as bytesOnTape from '../state/bytes-on-tape.js';
import * as cartridgeOrder from '../state/cartridge-order.js';
import * as everUsed from '../state/ever-used-blocksizes.js';
import * as precious from '../state/precious-tapes.js';
import * as readonlyTapes from '../state/readonly-tapes.js';
import * as tapepos from '../state/tapepos.js';
import { contains } from '../state/range-list.js';
import type { VarDir } from '../state/var-dir.js';
import type { DeviceLockHandle } from '../state/device-lock.js';
import type { ServerConfig } from '../config/server-config.js';
import {
  CliFailure,
  STANDARD_OPTIONS,
  askYesNo,
  cartridgeArg,
  labelText,
  loadConfig,
  lockReadyFlag,
  openCliDevice,
  parseCommandLine,
  positiveOption,
  readTapeLabel,
  recode,
  runCli,
  say,
  stateOp,
  stdinIsTerminal,
  takeDeviceLock,
  usage,
  varDirOf,
  versionLine,
  type CliDevice,
  type FlagLock,
  type TapeLabelRead,
} from './common.js';

const PROG = 'label_tape';
const MANUAL_COMMENT = '<labeled manually>';
const MAX_COMMENT = 256;

const HELP = `Usage: label_tape [-c conf] [-rfF] [-S second] [-n comment] [-d dev] [-b bs] [-C ncarts] cart
       label_tape -q [--json] [-c conf] [-d dev] [-b bs] [-F]
       label_tape --help | --version

Writes the afbackup label for cartridge "cart" onto the tape in the drive.
Everything on the tape is lost. With -q, prints the label of the loaded tape.

  -c conf       the server configuration file (default: the first one found in
                the standard places, see afserver.conf(5))
  -r            remove the cartridge from the server's records without asking
                (precious_tapes, readonly_tapes, cartridge_order)
  -f            do not ask for confirmation (needed without a terminal)
  -F            go on even if another process holds the device lock
  -S second     the second cartridge number (default: cart)
  -n comment    the label's comment (default "${MANUAL_COMMENT}", at most ${MAX_COMMENT} bytes)
  -d dev        label the tape in dev instead of the configured device
  -b bs         the block size (default: Tape-Blocksize)
  -C ncarts     the number of cartridges (default: Number Of Cartridges)
  -q            print the label of the tape in the drive, change nothing
  --json        with -q: print the label as a JSON object
  --help        this text
  --version     the version

Exit status: 0 done, 1 other error or not confirmed, 2 invalid command line or
no terminal for the confirmation, 20 no such cartridge, 30/31 state file error,
32 configuration error, 61 no label / tape unreadable, 62 device cannot be
opened, 63 device in use, 73 writing failed, 83 no device, 84 no cartridge,
85 write-protected, 87 changer failed. See label_tape(8).
`;

const OPTIONS = {
  c: { type: 'string' },
  r: { type: 'boolean' },
  f: { type: 'boolean' },
  F: { type: 'boolean' },
  S: { type: 'string' },
  n: { type: 'string' },
  d: { type: 'string' },
  b: { type: 'string' },
  C: { type: 'string' },
  q: { type: 'boolean' },
  json: { type: 'boolean' },
  ...STANDARD_OPTIONS,
} as const;

interface LabelJob {
  cart: number;
  second: number;
  blockSize: number;
  /** Latin-1 string holding the comment's bytes as given on the command line. */
  comment: string;
  remove: boolean;
  force: boolean;
}

/** The block sizes to try first when reading a label: the given one, then every one ever used. */
async function firstBlockSizes(bs: number, varDir: VarDir): Promise<number[]> {
  try {
    return [bs, ...everUsed.sizes(await stateOp(() => varDir.everUsedBlocksizes.read()))];
  } catch {
    return [bs]; // an unreadable list only costs a few more tries
  }
}

/** Opens the drive; a fault other than the documented ones becomes `as` (61 or 62). */
async function openDrive(dev: CliDevice, as: 'OPENRD_FAILED' | 'OPENWR_FAILED'): Promise<void> {
  try {
    await dev.drive.open();
  } catch (e) {
    if (isAfError(e, 'DEVINUSE')) throw new AfError('DEVINUSE', `${e.detail ?? e.message} (a server session may have it open)`);
    throw recode(e, ['DEVICE_IO', 'CONFIG_ERROR', 'STATE_IO'], as, `"${dev.name}": `);
  }
}

/** Reads file 0; 'none' when no cartridge is in the drive. */
async function inspect(dev: CliDevice, sizes: number[]): Promise<TapeLabelRead | 'none'> {
  try {
    return await readTapeLabel(dev.drive, sizes);
  } catch (e) {
    if (isAfError(e, 'NO_MEDIUM')) return 'none';
    throw recode(e, ['DEVICE_IO', 'SETFILE_FAILED'], 'OPENRD_FAILED', `"${dev.name}": `);
  }
}

/** The number in a barcode like AF0007L9, as the server reads it. */
function barcodeNumber(barcode: string | undefined): number {
  return barcode === undefined ? NaN : parseInt(barcode.replace(/^\D+/, ''), 10);
}

/** A virtual library whose drive is empty: load cartridge `cart` (by barcode number, else slot number). */
async function loadFromChanger(dev: CliDevice, cart: number): Promise<void> {
  const changer = dev.changer!;
  const driveNo = dev.spec.drive + 1;
  let inv = await changer.inventory();
  if (inv.find((e) => e.kind === 'drive' && e.number === driveNo)?.full) {
    await changer.unload(driveNo); // an ejected cartridge still sits in the drive
    inv = await changer.inventory();
  }
  const slots = inv.filter((e) => e.kind === 'slot' && e.full);
  const slot = slots.find((e) => barcodeNumber(e.barcode) === cart) ?? slots.find((e) => e.number === cart);
  if (!slot) throw new AfError('CHANGER_FAILED', `cartridge ${cart} is in no slot of ${dev.name}`);
  await changer.load(slot.number, driveNo);
}

/** Why the server still protects cartridge `cart`, or null when it does not. */
function protection(cart: number, p: precious.PreciousTapes, ro: readonlyTapes.ReadonlyTapes): string | null {
  const reasons: string[] = [];
  if (readonlyTapes.has(ro, cart)) reasons.push('is read-only');
  const clients = p.entries.filter((e) => contains(e.tapes, cart)).map((e) => e.client);
  const users = clients.filter((c) => c !== precious.ADMIN_KEY);
  if (users.length > 0) reasons.push(`is still needed for restores by ${users.length === 1 ? 'client' : 'clients'} ${users.join(', ')}`);
  if (clients.includes(precious.ADMIN_KEY)) reasons.push('is protected by the administrator');
  return reasons.length === 0 ? null : `cartridge ${cart} ${reasons.join(' and ')}`;
}

/**
 * Decides for each cartridge number in `carts` (not decided before) whether it
 * leaves the server's records: always with -r; if it is protected, on a "yes"
 * at the terminal (with -f nobody is asked and it stays).
 */
async function settleRecords(carts: number[], job: LabelJob, varDir: VarDir, decided: Set<number>, remove: Set<number>): Promise<void> {
  const fresh = [...new Set(carts)].filter((c) => !decided.has(c));
  if (fresh.length === 0) return;
  const p = await stateOp(() => varDir.preciousTapes.read());
  const ro = await stateOp(() => varDir.readonlyTapes.read());
  for (const cart of fresh) {
    decided.add(cart);
    if (job.remove) {
      remove.add(cart);
      continue;
    }
    const why = protection(cart, p, ro);
    if (why === null) continue;
    say(PROG, why);
    if (job.force) {
      say(PROG, `warning: cartridge ${cart} stays in the server's records (give -r to remove it)`);
    } else if (await askYesNo(`Remove cartridge ${cart} from the server's records? [y/N] `)) {
      remove.add(cart);
    }
  }
}

function describeTape(dev: CliDevice, read: TapeLabelRead | 'none'): string {
  if (read === 'none') return `There is no cartridge in ${dev.name}.`;
  if (read.label) {
    const c = read.label.comment ? ` (${read.label.comment})` : '';
    return `The tape in ${dev.name} is labelled as cartridge ${read.label.cartridge}${c}.`;
  }
  return read.block ? `The tape in ${dev.name} holds no afbackup label.` : `The tape in ${dev.name} is empty.`;
}

async function writeLabel(dev: CliDevice, job: LabelJob): Promise<Buffer> {
  const drive = dev.drive;
  const block = formatLabel({
    cartridge: job.cart,
    secondCartridge: job.second,
    labelingTime: ctime(new Date()),
    blockSize: job.blockSize,
    comment: job.comment,
  });
  try {
    await drive.rewind();
    await drive.erase();
    await drive.setBlockSize(block.length);
    const r = await drive.writeBlock(block);
    if (r.kind === 'eot') throw new AfError('WRITE_FAILED', `no room for the label on the tape in ${dev.name}`);
    await drive.writeFilemarks(1);
    await drive.setBlockSize(job.blockSize);
    await drive.rewind();
    await drive.close();
  } catch (e) {
    throw recode(e, ['DEVICE_IO', 'SETFILE_FAILED'], 'WRITE_FAILED', `"${dev.name}": `);
  }
  return block;
}

/** Records the new cartridge (and forgets the removed ones) as afbackup's label_tape does. */
async function recordLabel(varDir: VarDir, job: LabelJob, labelBytes: number, remove: Set<number>): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const gone = [...remove];
  await stateOp(async () => {
    if (gone.length > 0) {
      await varDir.preciousTapes.update((m) => precious.removeTapes(m, gone));
      await varDir.readonlyTapes.update((m) => (gone.some((c) => readonlyTapes.has(m, c)) ? readonlyTapes.remove(m, gone) : m));
      await varDir.cartridgeOrder.update((m) => cartridgeOrder.invalidateSuccessors(m, gone));
      const others = gone.filter((c) => c !== job.cart);
      if (others.length > 0) await varDir.bytesOnTape.update((m) => bytesOnTape.deleteTapes(m, others));
    }
    await varDir.bytesOnTape.update((m) => bytesOnTape.set(m, { cart: job.cart, bytes: labelBytes, files: 0, full: false, lastWrite: now }));
    await varDir.everUsedBlocksizes.update((m) => everUsed.add(m, job.blockSize));
    await varDir.tapepos.update((m) => tapepos.resetSetsOnTapes(m, [job.cart, ...gone]));
  });
}

async function label(config: ServerConfig, flag: string, job: LabelJob, ignoreLocks: boolean, deviceOverride: string | undefined): Promise<void> {
  const varDir = varDirOf(config);
  let lock: DeviceLockHandle | null = null;
  let flagLock: FlagLock | null = null;
  let dev: CliDevice | null = null;
  try {
    if (!ignoreLocks) lock = await takeDeviceLock(config.lockFile, 'w');
    flagLock = await lockReadyFlag(flag);
    dev = openCliDevice(config, deviceOverride);
    if (dev.kind === 'virtual' && dev.changer && !(await dev.drive.status()).loaded) await loadFromChanger(dev, job.cart);
    await openDrive(dev, 'OPENWR_FAILED');
    const sizes = await firstBlockSizes(job.blockSize, varDir);

    const decided = new Set<number>();
    const remove = new Set<number>();
    let read = await inspect(dev, sizes);
    if (read === 'none' && job.force) throw new AfError('NO_MEDIUM', `"${dev.name}"`);
    const checkTape = async (r: TapeLabelRead): Promise<void> => {
      const st = await dev!.drive.status();
      if (st.writeProtected) throw new AfError('WRITE_PROTECTED', `the tape in "${dev!.name}"`);
      if (dev!.kind === 'virtual' && st.medium !== undefined && barcodeNumber(st.medium) !== job.cart) {
        say(PROG, `warning: the cartridge in ${dev!.name} has barcode ${st.medium}; a server loading cartridge ${job.cart} through the changer looks for the barcode or slot ${job.cart}`);
      }
      await settleRecords(r.label ? [job.cart, r.label.cartridge] : [job.cart], job, varDir, decided, remove);
    };
    if (read !== 'none') await checkTape(read);

    if (!job.force) {
      const what = describeTape(dev, read);
      const ask =
        read === 'none'
          ? `${what} Insert the tape, then answer y to label it as cartridge ${job.cart} [y/N] `
          : `${what} Label it as cartridge ${job.cart}? Everything on it is lost. [y/N] `;
      if (!(await askYesNo(ask))) throw new CliFailure('not confirmed; nothing was written');
      if (read === 'none') {
        read = await inspect(dev, sizes);
        if (read === 'none') throw new AfError('NO_MEDIUM', `"${dev.name}"`);
        await checkTape(read);
      }
    }

    const block = await writeLabel(dev, job);
    await recordLabel(varDir, job, block.length, remove);
  } finally {
    await dev?.drive.close().catch(() => undefined);
    flagLock?.release();
    await lock?.release().catch(() => undefined);
  }
}


async function query(config: ServerConfig, bs: number, json: boolean, ignoreLocks: boolean, deviceOverride: string | undefined): Promise<void> {
  const varDir = varDirOf(config);
  let lock: DeviceLockHandle | null = null;
  let dev: CliDevice | null = null;
  try {
    if (!ignoreLocks) lock = await takeDeviceLock(config.lockFile, 'r');
    dev = openCliDevice(config, deviceOverride);
    await openDrive(dev, 'OPENRD_FAILED');
    const read = await inspect(dev, await firstBlockSizes(bs, varDir));
    if (read === 'none') throw new AfError('NO_MEDIUM', `"${dev.name}"`);
    if (!read.block) throw new AfError('OPENRD_FAILED', `the tape in "${dev.name}" is empty (no label found)`);
    const l = parseLabel(read.block);
    if (!l) throw new AfError('OPENRD_FAILED', `the tape in "${dev.name}" holds no afbackup label`);
    if (json) process.stdout.write(`${JSON.stringify(labelToJson(dev.name, l))}\n`);
    else process.stdout.write(labelText(read.block));
  } finally {
    await dev?.drive.close().catch(() => undefined);
    await lock?.release().catch(() => undefined);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandLine(argv, OPTIONS);
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.version) {
    process.stdout.write(versionLine(PROG));
    return 0;
  }
  if (v.json && !v.q) throw usage('--json goes with -q');
  if (v.q) {
    const extra = (['r', 'f', 'S', 'n', 'C'] as const).find((k) => v[k] !== undefined);
    if (extra) throw usage(`-${extra} does not go with -q`);
    if (positionals.length > 0) throw usage(`-q takes no cartridge number ("${positionals[0]}")`);
  } else if (positionals.length !== 1) {
    throw usage(positionals.length === 0 ? 'the cartridge number is missing' : `one cartridge number, not ${positionals.length} arguments`);
  }
  if (v.d !== undefined && v.d.trim() === '') throw usage('-d wants a device');
  const bsOption = v.b === undefined ? undefined : positiveOption(v.b, '-b');
  const ncarts = v.C === undefined ? undefined : positiveOption(v.C, '-C');
  let comment = v.n === undefined ? MANUAL_COMMENT : Buffer.from(v.n, 'utf8').toString('latin1');
  if (/[\n\r\0]/.test(comment)) throw usage('the comment (-n) must be one line');
  // Confirmation needs a terminal: find out before anything is touched.
  if (!v.q && !v.f && !stdinIsTerminal()) {
    throw new AfError('USAGE', 'confirmation is needed but standard input is not a terminal (use -f)');
  }

  const { config, paths } = await loadConfig(v.c);
  const bs = bsOption ?? config.tapeBlocksize;
  if (v.q) {
    await query(config, bs, v.json ?? false, v.F ?? false, v.d);
    return 0;
  }

  const count = ncarts ?? config.numberOfCartridges;
  const cart = cartridgeArg(positionals[0]!, count);
  const second = v.S === undefined ? cart : cartridgeArg(v.S, count, 'second cartridge');
  if (comment.length > MAX_COMMENT) {
    say(PROG, `warning: the comment is cut to ${MAX_COMMENT} bytes`);
    comment = comment.slice(0, MAX_COMMENT);
  }
  const job: LabelJob = { cart, second, blockSize: bs, comment, remove: v.r ?? false, force: v.f ?? false };
  await label(config, cartReadyFlag(paths), job, v.F ?? false, v.d);
  return 0;
}

runCli(PROG, main);
