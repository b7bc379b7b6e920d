#!/usr/bin/env node
/**
 * cart_ctl: moves cartridges in a media changer and keeps the server's records of
 * them (cart_ctl(8), spec §7.3). This version implements a subset:
 *
 *   cart_ctl -m -C carts (-S slots | -D [drives] | -L loadports)   move
 *   cart_ctl -e [-D drive]                                         drive to a free slot
 *   cart_ctl -P text -C carts                                      record a location only
 *   cart_ctl -i [-N]                                               inventory -> cartridge_locations
 *   cart_ctl -l [-a] [-N] [-i] [-C carts] [--json]                 list
 *   cart_ctl -a "carts:[!]r|o|f[=v],..."                           attributes
 *   cart_ctl -N -C carts description...                            descriptions (%C = number)
 *   common: -F ignore locks, -f no questions, -s server.conf, -c changer.conf, -d changer
 *
 * Where a cartridge is, in this order: its cartridge_locations entry for this
 * changer (when that element is full), else the element whose barcode is the one
 * cartridge_names records for it, else the element whose barcode's first run of
 * digits is its number, else slot n for cartridge n (when full).
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
import { openChanger, type ChangerSetup } from './changer-setup.js';
import { STANDARD_OPTIONS, decimalOf, loadConfig, parseCommandLine, runCli, say, stateOp, takeDeviceLock, usage, varDirOf, versionLine } from './common.js';

const PROG = 'cart_ctl';
const CHANGER_WAIT_MS = 10_000;

const HELP = `Usage: cart_ctl -m -C carts (-S slots | -D [drives] | -L loadports) [common]
       cart_ctl -e [-D drive] [common]
       cart_ctl -P text -C carts [common]
       cart_ctl -i [-N] [common]
       cart_ctl -l [-a] [-N] [-i] [-C carts] [--json] [common]
       cart_ctl -a "carts:[!]r|o|f[=v],..." [common]
       cart_ctl -N -C carts description... [common]
       cart_ctl --help | --version
common: [-F] [-f] [-s server.conf] [-c changer.conf] [-d changer]

Moves cartridges in the media changer and keeps the records of where they are
(cartridge_locations), what they are called (cartridge_names) and how they may
be used (readonly_tapes, precious_tapes, tape_uses).

  -m            move the cartridges -C to the slots -S, drives -D or load
                ports -L, pairing them in the order given; -D without a value
                is the server's drive
  -e            take the cartridge out of drive -D (default: the server's
                drive) and put it into its slot, or the first empty one
  -P text       record that the cartridges -C are at "text" (nothing moves)
  -i            take the changer's inventory and record every identified
                cartridge's place in cartridge_locations; with -N also record
                the barcodes in cartridge_names
  -l            list the cartridges and their places; -a adds attributes, -N
                names and barcodes; -i lists the changer's elements instead
  -a attrs      set attributes: r read-only, o overwritable (clears the
                reservations), !o protected by the administrator, f=N times
                full; !r, r=no and o=no negate
  -N desc...    set the description of the cartridges -C (%C = the number)
  -C carts      cartridge numbers: 3, 1-4, 2,5,7 (order matters for -m)
  -S, -D, -L    slots, drives, load ports (same syntax)
  -F            take no locks
  -f            ask no questions (cart_ctl asks none in this version)
  -s conf       the server configuration file
  -c conf       the changer configuration file (default:
                Changer-Configuration-File)
  -d changer    the changer device (default: from Backup-Device)
  --json        with -l: print JSON
  --help        this text
  --version     the version

Exit status: 0 done, 1 other error, 2 invalid command line, 20 no such
cartridge, 30/31 a state file cannot be parsed / accessed, 32 configuration
error, 63 the changer or the drive is locked, 87 the changer failed. See
cart_ctl(8).
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
const LIST_OPTIONS = { ...COMMON, l: { type: 'boolean' }, i: { type: 'boolean' }, a: { type: 'boolean' }, N: { type: 'boolean' } } as const;

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
    if (/^-[PSDLCsdca]$/.test(a)) i++;
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
  return kind === 'ioport' ? 'loadport' : kind;
}

function kindOfPlace(place: Place): Element['kind'] {
  return place === 'loadport' ? 'ioport' : place;
}

/** The cartridge number a barcode stands for: its first run of digits. */
function numberOfBarcode(barcode: string): number | null {
  const m = /\d+/.exec(barcode);
  return m ? Number(m[0]) : null;
}

interface Records {
  locations: locations.CartridgeLocations;
  names: names.CartridgeNames;
}

/** The cartridge an element holds, if it can be told (from records and barcode). */
function cartOfElement(e: Element, rec: Records, device: string): number | null {
  if (!e.full) return null;
  if (e.barcode !== undefined) {
    const named = rec.names.entries.find((n) => n.barcode === e.barcode);
    if (named) return named.cart;
    const n = numberOfBarcode(e.barcode);
    if (n !== null && n > 0) return n;
  }
  const loc = rec.locations.entries.find(
    (l) => l.location.kind === 'changer' && l.location.changer === device && kindOfPlace(l.location.place) === e.kind && l.location.index === e.number,
  );
  return loc ? loc.cart : null;
}

/** Finds the element that holds cartridge `cart` (see the header for the order). */
function findCartridge(cart: number, inv: Element[], rec: Records, device: string): Element {
  const loc = locations.get(rec.locations, cart);
  if (loc?.kind === 'changer' && loc.changer === device) {
    const e = inv.find((x) => x.kind === kindOfPlace(loc.place) && x.number === loc.index);
    if (e?.full) return e;
  }
  const barcode = names.get(rec.names, cart)?.barcode;
  if (barcode) {
    const e = inv.find((x) => x.full && x.barcode === barcode);
    if (e) return e;
  }
  const byNumber = inv.find((x) => x.full && x.barcode !== undefined && numberOfBarcode(x.barcode) === cart);
  if (byNumber) return byNumber;
  const slot = inv.find((x) => x.kind === 'slot' && x.number === cart);
  if (slot?.full && slot.barcode === undefined) return slot;
  throw new AfError('CHANGER_FAILED', `cartridge ${cart} is not in the changer ${device} (not recorded there, and no element holds it)`);
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

async function doMove(
  config: ServerConfig,
  varDir: VarDir,
  setup: ChangerSetup,
  carts: number[],
  targetKind: Element['kind'],
  targets: number[],
  force: boolean,
): Promise<void> {
  if (targets.length < carts.length) throw usage(`${carts.length} cartridges but only ${targets.length} places to move them to`);
  const { changer, device } = setup;
  for (let i = 0; i < carts.length; i++) {
    const cart = carts[i]!;
    const inv = await changer.inventory();
    const rec = await readRecords(varDir);
    const from = findCartridge(cart, inv, rec, device);
    const to = inv.find((e) => e.kind === targetKind && e.number === targets[i]);
    if (!to) throw new AfError('CHANGER_FAILED', `the changer ${device} has no ${describe(targetKind, targets[i]!)}`);
    if (from !== to) {
      await withDriveLock(config, force, from.kind === 'drive' || to.kind === 'drive', () => moveOne(changer, from, to));
    }
    await stateOp(() =>
      varDir.cartridgeLocations.update((m) => locations.set(m, cart, { kind: 'changer', changer: device, place: placeOfKind(to.kind), index: to.number })),
    );
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
    const cart = cartOfElement(e, { ...rec, locations: locations.empty() }, device);
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

async function listCartridges(varDir: VarDir, carts: number[], withAttrs: boolean, withNames: boolean, json: boolean): Promise<void> {
  const rec = await readRecords(varDir);
  const ro = withAttrs ? await stateOp(() => varDir.readonlyTapes.read()) : undefined;
  const pr = withAttrs ? await stateOp(() => varDir.preciousTapes.read()) : undefined;
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
    if (ro && pr && uses) {
      info.readOnly = readonly.has(ro, cart);
      info.reservedBy = pr.entries.filter((e) => e.tapes.some(([a, b]) => a <= cart && cart <= b)).map((e) => (e.client === precious.ADMIN_KEY ? 'admin' : e.client));
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
  const modes = [values.m, values.e, values.P !== undefined && !values.m, values.a !== undefined, values.N].filter(Boolean).length;
  if (modes === 0) throw usage('say what to do: -m, -e, -P, -i, -l, -a or -N');
  if (modes > 1) throw usage('-m, -e, -P, -a and -N do not go together');
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
  if (values.P !== undefined) {
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

  const targets = [values.S !== undefined, values.D !== undefined, values.L !== undefined].filter(Boolean).length;
  if (values.e) {
    if (values.S !== undefined || values.L !== undefined || values.C !== undefined) throw usage('-e takes only -D');
  } else if (targets !== 1) {
    throw usage('-m wants exactly one of -S, -D and -L');
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
    } else {
      const carts = cartridges(values.C, config);
      const [kind, list] =
        values.S !== undefined
          ? (['slot', numberList(values.S, 'slot list')] as const)
          : values.D !== undefined
            ? (['drive', drives(values.D)] as const)
            : (['ioport', numberList(values.L!, 'load port list')] as const);
      await doMove(config, varDir, setup, carts, kind, list, force);
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
      if (values.a || values.N || values.C !== undefined) throw usage('-l -i lists the elements; -a, -N and -C go with -l alone');
      await listElements(varDir, await openChanger(config, setupOpts), values.json ?? false);
      return 0;
    }
    const carts = values.C === undefined ? Array.from({ length: config.numberOfCartridges }, (_, i) => i + 1) : cartridges(values.C, config);
    await listCartridges(varDir, carts, values.a ?? false, values.N ?? false, values.json ?? false);
    return 0;
  }
  if (values.a || values.C !== undefined || values.json) throw usage('-i takes only -N (and the common options)');
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
