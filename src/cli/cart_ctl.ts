#!/usr/bin/env node
/**
 * cart_ctl: moves cartridges in a media changer and keeps the server's records of
 * them (cart_ctl(8), spec §7.3):
 *
 *   cart_ctl -m -C carts (-S slots | -D [drives] | -L loadports | -P text)   move
 *   cart_ctl -e [-D drive]                                         drive to a free slot
 *   cart_ctl -P text -C carts                                      record a location only
 *   cart_ctl -t -C carts [-S slots] [-r] [-b bs] [-n comment]      label the tapes in slots
 *   cart_ctl -i [-N]                                               inventory -> cartridge_locations
 *   cart_ctl -l [-a] [-N] [-r] [-i] [-C carts] [--json]            list
 *   cart_ctl -a "carts:[!]r|o|f[=v],..."                           attributes
 *   cart_ctl -N -C carts description...                            descriptions (%C = number)
 *   common: -F ignore locks, -f no questions, -s server.conf, -c changer.conf, -d changer
 *
 * Where a cartridge is: server/cartridge-choice.ts elementOfCartridge, the rule
 * afserver uses for its own loads (its cartridge_locations entry for this changer,
 * else the barcode cartridge_names records for it, else the barcode whose first run
 * of digits is its number, else slot n for cartridge n).
 *
 * Moves a person must make (cart-manual.ts): a cartridge recorded outside the changer
 * (free text, or another changer) that -m should bring in, and any cartridge -m -P
 * sends to a place outside. The robot uses a free load port where there is one; the
 * operator is asked by mail and answers with changerready; cart_ctl then checks the
 * element and records the new place.
 *
 * -t labels each tape: it loads the slot's tape into the server's drive, runs
 * label_tape (-F -f, with -r -b -n passed on) under the device lock cart_ctl holds,
 * puts the tape back and records its place and barcode.
 *
 * Locks: the Changer-Lockfile (waited for up to CHANGER_WAIT_MS) around every
 * changer operation, and afserver's Lock-file (not waited for) around moves that
 * involve a drive; -F takes neither (for Setcart-Command, run by a server that
 * holds its own lock). Options are parsed with node:util parseArgs (see common.ts);
 * -a and -N are flags with -l and -i, and -a takes a value otherwise.
 */
import { AfError } from '../errors.js';
import type { ServerConfig } from '../config/server-config.js';
import * as locations from '../state/cartridge-locations.js';
import * as names from '../state/cartridge-names.js';
import * as precious from '../state/precious-tapes.js';
import * as readonly from '../state/readonly-tapes.js';
import * as tapeUses from '../state/tape-uses.js';
import { tryAcquire, type DeviceLockHandle } from '../state/device-lock.js';
import type { VarDir } from '../state/var-dir.js';
import type { Element, MediaChanger } from '../device/tape-drive.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cartridgeInElement, elementOfCartridge, placeOfElement } from '../server/cartridge-choice.js';
import { openChanger, type ChangerSetup } from './changer-setup.js';
import { askOperatorToMove } from './cart-manual.js';
import {
  CliFailure,
  STANDARD_OPTIONS,
  cliInstallPaths,
  decimalOf,
  loadConfig,
  parseCommandLine,
  runCli,
  say,
  stateOp,
  takeDeviceLock,
  usage,
  varDirOf,
  versionLine,
} from './common.js';

const PROG = 'cart_ctl';
const CHANGER_WAIT_MS = 10_000;

const HELP = `Usage: cart_ctl -m -C carts (-S slots | -D [drives] | -L loadports | -P text) [common]
       cart_ctl -e [-D drive] [common]
       cart_ctl -P text -C carts [common]
       cart_ctl -t -C carts [-S slots] [-r] [-b blocksize] [-n comment] [common]
       cart_ctl -i [-N] [common]
       cart_ctl -l [-a] [-N] [-r] [-i] [-C carts] [--json] [common]
       cart_ctl -a "carts:[!]r|o|f[=v],..." [common]
       cart_ctl -N -C carts description... [common]
       cart_ctl --help | --version
common: [-F] [-f] [-s server.conf] [-c changer.conf] [-d changer]

Moves cartridges in the media changer and keeps the records of where they are
(cartridge_locations), what they are called (cartridge_names) and how they may
be used (readonly_tapes, precious_tapes, tape_uses).

  -m            move the cartridges -C to the slots -S, drives -D or load
                ports -L, pairing them in the order given; -D without a value
                is the server's drive; with -P text, out of the changer to the
                place "text". Moves a person must make (into the changer from a
                shelf, out to a shelf) are asked for by mail (Mail-Program);
                cart_ctl waits until changerready says they are done
  -e            take the cartridge out of drive -D (default: the server's
                drive) and put it into its slot, or the first empty one
  -P text       record that the cartridges -C are at "text" (nothing moves)
  -t            label the tapes in the slots -S (default: where each cartridge
                -C is) as the cartridges -C, one after the other, in the
                server's drive (runs label_tape); -r first deletes them from
                the server's records, -b sets the block size, -n the comment
  -i            take the changer's inventory and record every identified
                cartridge's place in cartridge_locations; with -N also record
                the barcodes in cartridge_names
  -l            list the cartridges and their places; -a adds attributes, -N
                names and barcodes, -r the clients that reserved them (still
                need them); -i lists the changer's elements instead
  -a attrs      set attributes: r read-only, o overwritable (clears the
                reservations), !o protected by the administrator, f=N times
                full; !r, r=no and o=no negate
  -N desc...    set the description of the cartridges -C (%C = the number)
  -C carts      cartridge numbers: 3, 1-4, 2,5,7 (order matters for -m)
  -S, -D, -L    slots, drives, load ports (same syntax)
  -F            take no locks
  -f            ask no questions (passed on to label_tape by -t)
  -s conf       the server configuration file
  -c conf       the changer configuration file (default:
                Changer-Configuration-File)
  -d changer    the changer device (default: from Backup-Device)
  --json        with -l: print JSON
  --help        this text
  --version     the version

Exit status: 0 done, 1 other error, 2 invalid command line, 20 no such
cartridge, 30/31 a state file cannot be parsed / accessed, 32 configuration
error, 63 the changer or the drive is locked, 87 the changer failed or a
manual move was not confirmed. See cart_ctl(8).
`;

const COMMON = {
  F: { type: 'boolean' },
  f: { type: 'boolean' },
  s: { type: 'string' },
  c: { type: 'string' },
  d: { type: 'string' },
  C: { type: 'string' },
  json: { type: 'boolean' },
  ...STANDARD_OPTIONS,
} as const;

/** -l and -i: -a and -N are flags. */
const LIST_OPTIONS = { ...COMMON, l: { type: 'boolean' }, i: { type: 'boolean' }, a: { type: 'boolean' }, N: { type: 'boolean' }, r: { type: 'boolean' } } as const;

const ACT_OPTIONS = {
  ...COMMON,
  m: { type: 'boolean' },
  e: { type: 'boolean' },
  P: { type: 'string' },
  S: { type: 'string' },
  D: { type: 'string' },
  L: { type: 'string' },
  a: { type: 'string' },
  N: { type: 'boolean' },
  t: { type: 'boolean' },
  r: { type: 'boolean' },
  b: { type: 'string' },
  n: { type: 'string' },
} as const;

/** A value-less -D (last, or followed by an option) means the server's drive. */
const SERVER_DRIVE = '\0server';

/** True when the command line asks for -l or -i (letters bundled or not). */
function isListOrInventory(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (/^-[a-zA-Z]+$/.test(a) && /[li]/.test(a.slice(1))) {
      // "-P text": a value never counts, so skip the value of an option that takes one.
      return true;
    }
    if (/^-[PSDLCsdcabn]$/.test(a)) i++;
  }
  return false;
}

/** An ordered list of numbers: `3`, `1-4`, `2,5,7`, blanks allowed between groups. */
function numberList(text: string, what: string): number[] {
  const out: number[] = [];
  for (const item of text.split(/[\s,]+/)) {
    if (item === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) throw usage(`"${item}" in the ${what} is not a number or range`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b - a > 100000) throw usage(`"${item}" in the ${what} is too long a range`);
    if (a <= b) for (let n = a; n <= b; n++) out.push(n);
    else for (let n = a; n >= b; n--) out.push(n);
  }
  if (out.length === 0) throw usage(`the ${what} is empty`);
  if (new Set(out).size !== out.length) throw usage(`the ${what} names a number twice`);
  return out;
}

function cartridges(text: string | undefined, config: ServerConfig): number[] {
  if (text === undefined) throw usage('-C names the cartridges');
  const carts = numberList(text, 'cartridge list');
  for (const c of carts) {
    if (c < 1 || c > config.numberOfCartridges) {
      throw new AfError('NO_VALID_CARTRIDGE', `cartridge ${c} does not exist (cartridges are numbered 1 to ${config.numberOfCartridges})`);
    }
  }
  return carts;
}

// ------------------------------------------------------------------ locks

interface Locks {
  release(): Promise<void>;
}

async function lockChanger(config: ServerConfig, skip: boolean): Promise<Locks> {
  if (skip) return { release: async () => {} };
  const deadline = Date.now() + CHANGER_WAIT_MS;
  for (;;) {
    const r = await stateOp(() => tryAcquire(config.changerLockfile, 'w'));
    if ('held' in r) return { release: () => r.held.release() };
    if (Date.now() >= deadline) {
      const who = r.busy.pid !== null ? `process ${r.busy.pid}` : 'another process';
      throw new AfError('DEVINUSE', `${who} holds the changer lock "${config.changerLockfile}"`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

// ------------------------------------------------------------------ where cartridges are

type Place = locations.ChangerPlace;

function placeOfKind(kind: Element['kind']): Place {
  return placeOfElement(kind);
}

interface Records {
  locations: locations.CartridgeLocations;
  names: names.CartridgeNames;
}

/** The cartridge an element holds, if it can be told (from records and barcode). */
function cartOfElement(e: Element, rec: Records, device: string): number | null {
  return cartridgeInElement(e, rec, device);
}

/** Finds the element that holds cartridge `cart` (see the header for the order). */
function findCartridge(cart: number, inv: Element[], rec: Records, device: string): Element {
  const e = elementOfCartridge(cart, inv, rec, device);
  if (!e) throw new AfError('CHANGER_FAILED', `cartridge ${cart} is not in the changer ${device} (not recorded there, and no element holds it)`);
  return e;
}

function describe(kind: Element['kind'], n: number): string {
  return `${kind === 'ioport' ? 'load port' : kind} ${n}`;
}

async function readRecords(varDir: VarDir): Promise<Records> {
  return {
    locations: await stateOp(() => varDir.cartridgeLocations.read()),
    names: await stateOp(() => varDir.cartridgeNames.read()),
  };
}

// ------------------------------------------------------------------ operations

async function moveOne(changer: MediaChanger, from: Element, to: Element): Promise<void> {
  if (from.kind === 'drive' && to.kind === 'drive') throw new AfError('CHANGER_FAILED', 'moving a cartridge from drive to drive is not supported: unload it first');
  if (from.kind === 'slot' && to.kind === 'drive') return changer.load(from.number, to.number);
  if (from.kind === 'drive' && to.kind === 'slot') return changer.unload(from.number, to.number);
  if (from.kind === 'drive' || to.kind === 'drive') {
    throw new AfError('CHANGER_FAILED', `moving between a drive and a load port is not supported: go through a slot (${describe(from.kind, from.number)} to ${describe(to.kind, to.number)})`);
  }
  return changer.transfer(from, to);
}

async function withDriveLock<T>(config: ServerConfig, skip: boolean, involved: boolean, body: () => Promise<T>): Promise<T> {
  let lock: DeviceLockHandle | undefined;
  if (involved && !skip) lock = await takeDeviceLock(config.lockFile, 'w');
  try {
    return await body();
  } finally {
    await lock?.release();
  }
}

/** What a manual move needs besides the changer. */
interface MoveContext {
  config: ServerConfig;
  varDir: VarDir;
  setup: ChangerSetup;
  force: boolean;
}

function manualOptions(m: MoveContext) {
  return {
    config: m.config,
    varDir: m.varDir,
    paths: cliInstallPaths(),
    onWaiting: (flag: string) => say(PROG, `waiting for the operator (run changerready when the move is done, or delete ${flag})`),
    intervalMs: 500,
  };
}

/** A recorded place outside this changer, as words for the operator; null when none is recorded. */
function outsidePlace(cart: number, rec: Records, device: string): string | null {
  const loc = locations.get(rec.locations, cart);
  if (!loc) return null;
  if (loc.kind === 'external') return loc.text;
  return loc.changer === device ? null : `${describe(kindOfLocation(loc.place), loc.index)} of the changer ${loc.changer}`;
}

function kindOfLocation(place: Place): Element['kind'] {
  return place === 'loadport' ? 'ioport' : place;
}

async function refreshed(changer: MediaChanger, kind: Element['kind'], n: number): Promise<Element> {
  const e = (await changer.inventory()).find((x) => x.kind === kind && x.number === n);
  if (!e) throw new AfError('CHANGER_FAILED', `the changer has no ${describe(kind, n)} any more`);
  return e;
}

/**
 * Cartridge `cart`, recorded at `where` outside the changer, goes to element `to`:
 * the operator puts it into `to` itself when that is a load port or a slot and the
 * changer has no free load port, else into a free load port (or, for a drive without
 * ports, a free slot) from where the robot takes it on.
 */
async function manualMoveIn(m: MoveContext, cart: number, where: string, to: Element, inv: Element[]): Promise<void> {
  const { changer, device } = m.setup;
  if (to.full) throw new AfError('CHANGER_FAILED', `${describe(to.kind, to.number)} is full`);
  const port = inv.find((e) => e.kind === 'ioport' && !e.full);
  let entry: Element | undefined =
    to.kind === 'ioport' || (to.kind === 'slot' && !port) ? to : (port ?? inv.find((e) => e.kind === 'slot' && !e.full));
  if (!entry) throw new AfError('CHANGER_FAILED', `the changer ${device} has no empty load port or slot to take cartridge ${cart}`);
  await askOperatorToMove(`Please put cartridge ${cart}, now at ${where}, into ${describe(entry.kind, entry.number)} of the changer ${device}.`, manualOptions(m));
  entry = await refreshed(changer, entry.kind, entry.number);
  if (!entry.full) throw new AfError('CHANGER_FAILED', `${describe(entry.kind, entry.number)} of ${device} is still empty: cartridge ${cart} did not arrive; nothing was recorded`);
  if (entry.kind === to.kind && entry.number === to.number) return;
  if (to.kind === 'drive' && entry.kind === 'ioport') {
    // A load port does not feed a drive directly: through a free slot.
    const free = (await changer.inventory()).find((e) => e.kind === 'slot' && !e.full);
    if (!free) throw new AfError('CHANGER_FAILED', `cartridge ${cart} is in ${describe(entry.kind, entry.number)}; no empty slot to take it to drive ${to.number}`);
    await changer.transfer(entry, free);
    entry = await refreshed(changer, 'slot', free.number);
  }
  await withDriveLock(m.config, m.force, to.kind === 'drive', () => moveOne(changer, entry!, to));
}

/** Cartridge `cart` leaves the changer for `text`: through a free load port when there is one. */
async function manualMoveOut(m: MoveContext, cart: number, text: string): Promise<void> {
  const { changer, device } = m.setup;
  let inv = await changer.inventory();
  const rec = await readRecords(m.varDir);
  let from = elementOfCartridge(cart, inv, rec, device);
  if (!from) {
    const where = outsidePlace(cart, rec, device);
    await askOperatorToMove(`Please move cartridge ${cart}${where ? ` from ${where}` : ''} to ${text}.`, manualOptions(m));
    return;
  }
  if (from.kind === 'drive') {
    const d = from;
    await withDriveLock(m.config, m.force, true, () => changer.unload(d.number));
    inv = await changer.inventory();
    from = elementOfCartridge(cart, inv, rec, device) ?? inv.find((e) => e.kind === 'slot' && e.full && d.sourceSlot === e.number) ?? null;
    if (!from || from.kind === 'drive') throw new AfError('CHANGER_FAILED', `cartridge ${cart} was unloaded from drive ${d.number} but cannot be found in a slot (no barcode)`);
  }
  const port = from.kind === 'ioport' ? from : inv.find((e) => e.kind === 'ioport' && !e.full);
  if (port && port !== from) {
    await changer.transfer(from, port);
    from = port;
  }
  await askOperatorToMove(
    `Please take cartridge ${cart} out of ${describe(from.kind, from.number)} of the changer ${device}${from.kind === 'slot' ? ' (open the changer)' : ''} and put it to ${text}.`,
    manualOptions(m),
  );
  const after = await refreshed(changer, from.kind, from.number);
  if (after.full) throw new AfError('CHANGER_FAILED', `${describe(from.kind, from.number)} of ${device} still holds a cartridge: cartridge ${cart} was not taken out; nothing was recorded`);
}

async function doMove(
  config: ServerConfig,
  varDir: VarDir,
  setup: ChangerSetup,
  carts: number[],
  target: { kind: Element['kind']; numbers: number[] } | { kind: 'outside'; text: string },
  force: boolean,
): Promise<void> {
  const m: MoveContext = { config, varDir, setup, force };
  const { changer, device } = setup;
  if (target.kind === 'outside') {
    for (const cart of carts) {
      await manualMoveOut(m, cart, target.text);
      await stateOp(() => varDir.cartridgeLocations.update((l) => locations.set(l, cart, locations.readLocation(target.text))));
    }
    return;
  }
  const targets = target.numbers;
  if (targets.length < carts.length) throw usage(`${carts.length} cartridges but only ${targets.length} places to move them to`);
  for (let i = 0; i < carts.length; i++) {
    const cart = carts[i]!;
    const inv = await changer.inventory();
    const rec = await readRecords(varDir);
    const to = inv.find((e) => e.kind === target.kind && e.number === targets[i]);
    if (!to) throw new AfError('CHANGER_FAILED', `the changer ${device} has no ${describe(target.kind, targets[i]!)}`);
    const from = elementOfCartridge(cart, inv, rec, device);
    const outside = from ? null : outsidePlace(cart, rec, device);
    if (!from && outside !== null) {
      await manualMoveIn(m, cart, outside, to, inv);
    } else {
      const src = from ?? findCartridge(cart, inv, rec, device);
      if (src !== to) await withDriveLock(config, force, src.kind === 'drive' || to.kind === 'drive', () => moveOne(changer, src, to));
    }
    await stateOp(() =>
      varDir.cartridgeLocations.update((l) => locations.set(l, cart, { kind: 'changer', changer: device, place: placeOfKind(to.kind), index: to.number })),
    );
  }
}

// ------------------------------------------------------------------ -t: labelling

/** How to start label_tape: the sibling of this program (built .js, or .ts under tsx). */
function labelTapeCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return [process.execPath, '--import', 'tsx', here.replace(/cart_ctl\.ts$/, 'label_tape.ts')];
  return [process.execPath, here.replace(/cart_ctl\.js$/, 'label_tape.js')];
}

function runLabelTape(args: string[]): Promise<{ code: number; output: string }> {
  const [cmd, ...pre] = labelTapeCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output: Buffer.concat(out).toString('utf8') }));
  });
}

interface LabelOptions {
  force: boolean;
  remove: boolean;
  blockSize?: string;
  comment?: string;
  configPath: string;
}

/**
 * Labels the tape in slot slots[i] (default: where cartridge carts[i] is) as
 * cartridge carts[i]: into the server's drive, label_tape, back into the slot; then
 * cartridge_locations and (from the slot's barcode) cartridge_names.
 */
async function doLabel(config: ServerConfig, varDir: VarDir, setup: ChangerSetup, carts: number[], slots: number[] | undefined, o: LabelOptions): Promise<void> {
  const { changer, device, serverDrive } = setup;
  if (slots && slots.length !== carts.length) throw usage(`${carts.length} cartridges but ${slots.length} slots to label`);
  for (let i = 0; i < carts.length; i++) {
    const cart = carts[i]!;
    const inv = await changer.inventory();
    const rec = await readRecords(varDir);
    let slot: Element | undefined;
    if (slots) {
      slot = inv.find((e) => e.kind === 'slot' && e.number === slots[i]);
      if (!slot) throw new AfError('CHANGER_FAILED', `the changer ${device} has no slot ${slots[i]}`);
      if (!slot.full) throw new AfError('CHANGER_FAILED', `slot ${slot.number} of ${device} is empty: no tape to label as cartridge ${cart}`);
    } else {
      const e = findCartridge(cart, inv, rec, device);
      if (e.kind !== 'slot') throw usage(`cartridge ${cart} is in ${describe(e.kind, e.number)}; -t labels tapes in slots (name them with -S)`);
      slot = e;
    }
    const s = slot;
    const drive = inv.find((e) => e.kind === 'drive' && e.number === serverDrive);
    if (!drive) throw new AfError('CHANGER_FAILED', `the changer ${device} has no drive ${serverDrive}`);
    say(PROG, `labelling the tape in slot ${s.number}${s.barcode ? ` (${s.barcode})` : ''} as cartridge ${cart}`);
    await withDriveLock(config, o.force, true, async () => {
      if (drive.full) await changer.unload(serverDrive);
      await changer.load(s.number, serverDrive);
      let r: { code: number; output: string };
      try {
        const args = ['-F', '-f', '-c', o.configPath];
        if (o.remove) args.push('-r');
        if (o.blockSize !== undefined) args.push('-b', o.blockSize);
        if (o.comment !== undefined) args.push('-n', o.comment);
        r = await runLabelTape([...args, String(cart)]);
      } finally {
        await changer.unload(serverDrive, s.number);
      }
      if (r.code !== 0) {
        process.stderr.write(r.output);
        throw new CliFailure(`label_tape failed for cartridge ${cart} (exit ${r.code}, see label_tape(8)); the tape is back in slot ${s.number}`);
      }
    });
    await stateOp(() =>
      varDir.cartridgeLocations.update((l) => {
        let next = l;
        // Whatever was recorded in that slot before is not there any more.
        for (const e of l.entries) {
          const x = e.location;
          if (e.cart !== cart && x.kind === 'changer' && x.changer === device && x.place === 'slot' && x.index === s.number) next = locations.remove(next, e.cart);
        }
        return locations.set(next, cart, { kind: 'changer', changer: device, place: 'slot', index: s.number });
      }),
    );
    if (s.barcode !== undefined) {
      const bc = s.barcode;
      await stateOp(() =>
        varDir.cartridgeNames.update((n) => {
          let next = n;
          for (const e of n.entries) if (e.cart !== cart && e.barcode === bc) next = names.setBarcode(next, e.cart, '');
          return names.setBarcode(next, cart, bc);
        }),
      );
    }
  }
}

async function doEject(config: ServerConfig, varDir: VarDir, setup: ChangerSetup, drive: number, force: boolean): Promise<void> {
  const { changer, device } = setup;
  const before = await changer.inventory();
  const d = before.find((e) => e.kind === 'drive' && e.number === drive);
  if (!d) throw new AfError('CHANGER_FAILED', `the changer ${device} has no drive ${drive}`);
  if (!d.full) throw new AfError('CHANGER_FAILED', `drive ${drive} is empty`);
  const rec = await readRecords(varDir);
  const cart = cartOfElement(d, rec, device);
  await withDriveLock(config, force, true, () => changer.unload(drive));
  const after = await changer.inventory();
  const landed = after.find((e) => e.kind === 'slot' && e.full && e.barcode !== undefined && e.barcode === d.barcode);
  if (cart !== null) {
    await stateOp(() =>
      varDir.cartridgeLocations.update((m) =>
        landed ? locations.set(m, cart, { kind: 'changer', changer: device, place: 'slot', index: landed.number }) : locations.remove(m, cart),
      ),
    );
  }
}

async function doInventory(varDir: VarDir, setup: ChangerSetup, recordNames: boolean): Promise<void> {
  const { changer, device } = setup;
  const inv = await changer.inventory();
  const rec = await readRecords(varDir);
  const found = new Map<number, Element>();
  for (const e of inv) {
    if (!e.full) continue;
    const cart = e.barcode === undefined ? null : cartOfElement(e, { ...rec, locations: locations.empty() }, device);
    if (cart === null) {
      say(PROG, `warning: ${describe(e.kind, e.number)} holds a cartridge without a readable barcode; it was not identified`);
      continue;
    }
    if (found.has(cart)) {
      say(PROG, `warning: cartridge ${cart} seems to be in ${describe(e.kind, e.number)} and in ${describe(found.get(cart)!.kind, found.get(cart)!.number)}; the first is recorded`);
      continue;
    }
    found.set(cart, e);
  }
  await stateOp(() =>
    varDir.cartridgeLocations.update((m) => {
      let next = m;
      for (const entry of m.entries) {
        const l = entry.location;
        if (l.kind === 'changer' && l.changer === device && !found.has(entry.cart)) next = locations.remove(next, entry.cart);
      }
      for (const [cart, e] of found) next = locations.set(next, cart, { kind: 'changer', changer: device, place: placeOfKind(e.kind), index: e.number });
      return next;
    }),
  );
  if (recordNames) {
    await stateOp(() =>
      varDir.cartridgeNames.update((m) => {
        let next = m;
        for (const [cart, e] of found) if (e.barcode !== undefined) next = names.setBarcode(next, cart, e.barcode);
        return next;
      }),
    );
  }
}

interface Attribute {
  letter: 'r' | 'o' | 'f';
  negated: boolean;
  value?: string;
}

function parseAttributes(text: string, config: ServerConfig): { carts: number[]; attrs: Attribute[] }[] {
  const groups = text.trim().split(/\s+/).filter((g) => g !== '');
  if (groups.length === 0) throw usage('-a wants "carts:attributes"');
  return groups.map((g) => {
    const colon = g.indexOf(':');
    if (colon < 0) throw usage(`-a: "${g}" has no ":" between the cartridges and the attributes`);
    const carts = cartridges(g.slice(0, colon), config);
    const attrs = g
      .slice(colon + 1)
      .split(',')
      .map((a): Attribute => {
        const m = /^(!?)([rof])(?:=(.*))?$/.exec(a);
        if (!m) throw usage(`-a: "${a}" is not an attribute (r, o or f, optionally with ! or =value)`);
        const attr: Attribute = { letter: m[2] as Attribute['letter'], negated: m[1] === '!' };
        if (m[3] !== undefined) attr.value = m[3];
        return attr;
      });
    return { carts, attrs };
  });
}

/** yes/no value of r and o: true unless negated or given as no/0/false/off. */
function truth(a: Attribute): boolean {
  let v = true;
  if (a.value !== undefined) {
    if (/^(y|yes|1|true|on)$/i.test(a.value)) v = true;
    else if (/^(n|no|0|false|off)$/i.test(a.value)) v = false;
    else throw usage(`-a: "${a.letter}=${a.value}" wants yes or no`);
  }
  return a.negated ? !v : v;
}

async function doAttributes(varDir: VarDir, spec: string, config: ServerConfig): Promise<void> {
  const groups = parseAttributes(spec, config);
  for (const { carts, attrs } of groups) {
    for (const a of attrs) {
      if (a.letter === 'r') {
        const on = truth(a);
        await stateOp(() => varDir.readonlyTapes.update((m) => (on ? readonly.add(m, carts) : readonly.remove(m, carts))));
      } else if (a.letter === 'o') {
        const on = truth(a);
        await stateOp(() => varDir.preciousTapes.update((m) => (on ? precious.removeTapes(m, carts) : precious.protect(m, carts))));
      } else {
        let set: ((old: number) => number) | undefined;
        if (a.negated) {
          if (a.value !== undefined) throw usage('-a: "!f" takes no value');
          set = () => 0;
        } else if (a.value === undefined) {
          set = (old) => old + 1;
        } else {
          const n = decimalOf(a.value);
          if (n === null) throw usage(`-a: "f=${a.value}" wants a whole number`);
          set = () => n;
        }
        const how = set;
        await stateOp(() =>
          varDir.tapeUses.update((m) => {
            let next = m;
            for (const c of carts) next = tapeUses.set(next, c, how(tapeUses.get(next, c)));
            return next;
          }),
        );
      }
    }
  }
}

// ------------------------------------------------------------------ listing

interface CartInfo {
  cartridge: number;
  location: string | null;
  barcode?: string | null;
  description?: string | null;
  readOnly?: boolean;
  reservedBy?: string[];
  full?: number;
}

async function listCartridges(varDir: VarDir, carts: number[], withAttrs: boolean, withNames: boolean, withReservations: boolean, json: boolean): Promise<void> {
  const rec = await readRecords(varDir);
  const ro = withAttrs ? await stateOp(() => varDir.readonlyTapes.read()) : undefined;
  const pr = withAttrs || withReservations ? await stateOp(() => varDir.preciousTapes.read()) : undefined;
  const uses = withAttrs ? await stateOp(() => varDir.tapeUses.read()) : undefined;
  const infos: CartInfo[] = carts.map((cart) => {
    const loc = locations.get(rec.locations, cart);
    const info: CartInfo = {
      cartridge: cart,
      location: loc === undefined ? null : loc.kind === 'changer' ? `${loc.changer} ${loc.place} ${loc.index}` : loc.text,
    };
    if (withNames) {
      const n = names.get(rec.names, cart);
      info.barcode = n && n.barcode !== '' ? n.barcode : null;
      info.description = n && n.description !== '' ? n.description : null;
    }
    if (pr && (withAttrs || withReservations)) {
      info.reservedBy = pr.entries.filter((e) => e.tapes.some(([a, b]) => a <= cart && cart <= b)).map((e) => (e.client === precious.ADMIN_KEY ? 'admin' : e.client));
    }
    if (ro && uses) {
      info.readOnly = readonly.has(ro, cart);
      info.full = tapeUses.get(uses, cart);
    }
    return info;
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ cartridges: infos })}\n`);
    return;
  }
  let out = '';
  for (const i of infos) {
    out += `${i.cartridge}: ${i.location ?? 'location unknown'}`;
    if (withNames) out += ` | barcode ${i.barcode ?? '-'}${i.description ? `, "${i.description}"` : ''}`;
    if (withAttrs) {
      const attrs = [i.readOnly ? 'read-only' : 'writable', i.reservedBy!.length > 0 ? `reserved by ${i.reservedBy!.join(', ')}` : 'overwritable', `full ${i.full} times`];
      out += ` | ${attrs.join(', ')}`;
    } else if (withReservations) {
      out += ` | ${i.reservedBy!.length > 0 ? `reserved by ${i.reservedBy!.join(', ')}` : 'not reserved'}`;
    }
    out += '\n';
  }
  process.stdout.write(out);
}

async function listElements(varDir: VarDir, setup: ChangerSetup, json: boolean): Promise<void> {
  const inv = await setup.changer.inventory();
  const rec = await readRecords(varDir);
  const rows = inv.map((e) => ({ ...e, cartridge: cartOfElement(e, rec, setup.device) }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ changer: setup.device, elements: rows })}\n`);
    return;
  }
  let out = '';
  for (const r of rows) {
    out += `${describe(r.kind, r.number)}: `;
    if (!r.full) out += 'empty';
    else {
      out += r.barcode ?? 'full (no barcode)';
      if (r.cartridge !== null) out += ` (cartridge ${r.cartridge})`;
      if (r.sourceSlot !== undefined) out += `, from slot ${r.sourceSlot}`;
    }
    out += '\n';
  }
  process.stdout.write(out);
}

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(versionLine(PROG));
    return 0;
  }
  const listMode = isListOrInventory(argv);
  if (listMode) return listOrInventory(argv);

  const args = argv.map((a, i) => (a === '-D' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-')) ? ['-D', SERVER_DRIVE] : [a])).flat();
  const { values, positionals } = parseCommandLine(args, ACT_OPTIONS);
  const modes = [values.m, values.e, values.P !== undefined && !values.m, values.a !== undefined, values.N, values.t].filter(Boolean).length;
  if (modes === 0) throw usage('say what to do: -m, -e, -P, -t, -i, -l, -a or -N');
  if (modes > 1) throw usage('-m, -e, -P, -t, -a and -N do not go together');
  if (!values.t && (values.r || values.b !== undefined || values.n !== undefined)) throw usage('-r, -b and -n go with -t (or -r with -l)');
  if (positionals.length > 0 && !values.N) throw usage(`unexpected argument "${positionals[0]}"`);
  if (values.json) throw usage('--json goes with -l');

  const { config } = await loadConfig(values.s);
  const varDir = varDirOf(config);

  if (values.a !== undefined) {
    await doAttributes(varDir, values.a, config);
    return 0;
  }
  if (values.N) {
    const carts = cartridges(values.C, config);
    if (positionals.length === 0) throw usage('-N wants a description');
    const template = positionals.join(' ');
    await stateOp(() =>
      varDir.cartridgeNames.update((m) => {
        let next = m;
        for (const c of carts) next = names.setDescription(next, c, template.replace(/%C/g, String(c)));
        return next;
      }),
    );
    return 0;
  }
  if (values.P !== undefined && !values.m) {
    const carts = cartridges(values.C, config);
    const where = values.P.trim();
    if (where === '') throw usage('-P wants a place');
    await stateOp(() =>
      varDir.cartridgeLocations.update((m) => {
        let next = m;
        for (const c of carts) next = locations.set(next, c, locations.readLocation(where));
        return next;
      }),
    );
    return 0;
  }

  const targets = [values.S !== undefined, values.D !== undefined, values.L !== undefined, values.P !== undefined].filter(Boolean).length;
  if (values.e) {
    if (values.S !== undefined || values.L !== undefined || values.C !== undefined) throw usage('-e takes only -D');
  } else if (values.t) {
    if (values.D !== undefined || values.L !== undefined || values.P !== undefined) throw usage('-t labels tapes in slots: it takes -S, not -D, -L or -P');
    if (values.b !== undefined && decimalOf(values.b) === null) throw usage(`-b wants a block size in bytes, not "${values.b}"`);
  } else if (targets !== 1) {
    throw usage('-m wants exactly one of -S, -D, -L and -P');
  }
  const setup = await openChanger(config, { ...(values.c !== undefined ? { changerConf: values.c } : {}), ...(values.d !== undefined ? { changerDevice: values.d } : {}) });
  const drives = (text: string | undefined): number[] => (text === undefined || text === SERVER_DRIVE ? [setup.serverDrive] : numberList(text, 'drive list'));
  const force = values.F ?? false;
  const lock = await lockChanger(config, force);
  try {
    if (values.e) {
      const d = drives(values.D);
      if (d.length !== 1) throw usage('-e ejects one drive');
      await doEject(config, varDir, setup, d[0]!, force);
    } else if (values.t) {
      const carts = cartridges(values.C, config);
      const slots = values.S === undefined ? undefined : numberList(values.S, 'slot list');
      await doLabel(config, varDir, setup, carts, slots, {
        force,
        remove: values.r ?? false,
        configPath: config.configPath,
        ...(values.b !== undefined ? { blockSize: values.b } : {}),
        ...(values.n !== undefined ? { comment: values.n } : {}),
      });
    } else {
      const carts = cartridges(values.C, config);
      if (values.P !== undefined) {
        const text = values.P.trim();
        if (text === '') throw usage('-P wants a place');
        await doMove(config, varDir, setup, carts, { kind: 'outside', text }, force);
      } else {
        const [kind, list] =
          values.S !== undefined
            ? (['slot', numberList(values.S, 'slot list')] as const)
            : values.D !== undefined
              ? (['drive', drives(values.D)] as const)
              : (['ioport', numberList(values.L!, 'load port list')] as const);
        await doMove(config, varDir, setup, carts, { kind, numbers: list }, force);
      }
    }
  } finally {
    await lock.release();
  }
  return 0;
}

async function listOrInventory(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, LIST_OPTIONS);
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  const { config } = await loadConfig(values.s);
  const varDir = varDirOf(config);
  const setupOpts = { ...(values.c !== undefined ? { changerConf: values.c } : {}), ...(values.d !== undefined ? { changerDevice: values.d } : {}) };
  if (values.l) {
    if (values.i) {
      if (values.a || values.N || values.r || values.C !== undefined) throw usage('-l -i lists the elements; -a, -N, -r and -C go with -l alone');
      await listElements(varDir, await openChanger(config, setupOpts), values.json ?? false);
      return 0;
    }
    const carts = values.C === undefined ? Array.from({ length: config.numberOfCartridges }, (_, i) => i + 1) : cartridges(values.C, config);
    await listCartridges(varDir, carts, values.a ?? false, values.N ?? false, values.r ?? false, values.json ?? false);
    return 0;
  }
  if (values.a || values.r || values.C !== undefined || values.json) throw usage('-i takes only -N (and the common options)');
  const setup = await openChanger(config, setupOpts);
  const lock = await lockChanger(config, values.F ?? false);
  try {
    await doInventory(varDir, setup, values.N ?? false);
  } finally {
    await lock.release();
  }
  return 0;
}

runCli(PROG, main);
