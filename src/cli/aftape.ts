#!/usr/bin/env node
/**
 * aftape: works a tape drive (and its changer) by hand through the device layer,
 * for an administrator in the spirit of mt(1) and mtx(1) (aftape(8)).
 *
 *   aftape [-f DEVICE] [--changer CHANGER] [-c conf] [--json] [--yes] COMMAND [ARGS]
 *
 * DEVICE is anything Backup-Device accepts (vtl:<dir>[=n], a directory device, a st
 * node such as /dev/nst0); without -f it is $TAPE, else the first Backup-Device of the
 * server configuration (-c, or the first one found in the standard places).
 *
 * Every tape command goes through the TapeDrive interface, so it does what that
 * interface can do: positions are absolute files (fsf/bsf are computed from the
 * current file and become seekFile, which on a st drive rewinds first), there is no
 * record spacing and no backwards spacing to the end of a file. Only `status` and
 * `load` of a st drive, and `tapealert`, use the addon directly (MTIOCGET for the
 * GMT_* flags, MTLOAD, SG_IO).
 *
 * Unlike afserver and label_tape, aftape takes no device lock: like mt, it relies on
 * the drive itself refusing a second opener (DEVINUSE).
 *
 * Options are parsed with node:util parseArgs (see common.ts for why).
 */
import { labelToJson } from '../server/label.js';
import { ScsiChanger } from '../device/native/scsi-changer.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { AfError, isAfError } from '../errors.js';
import { parseDeviceSpecs, type DeviceSpec } from '../config/device-spec.js';
import { openDevice } from '../device/open-device.js';
import { isVirtualLibrary, openVirtualLibrary } from '../device/virtual/library.js';
import type { DriveStatus, Element, MediaChanger, TapeDrive } from '../device/tape-drive.js';
import { runDriveSelftest, type SelftestResult } from '../device/drive-selftest.js';
import { parseLabel, type Label } from '../server/label.js';
import { type GmtFlag, type MtGet, type ErrnoResult, errnoName, isErrno, native } from '../native.js';
import { logSenseCdb, LOG_PAGE_TAPEALERT } from '../device/scsi/cdb.js';
import { parseTapeAlert } from '../device/scsi/tapealert.js';
import { parseSense } from '../device/scsi/sense.js';
import {
  CliFailure,
  STANDARD_OPTIONS,
  decimalOf,
  labelText,
  loadConfig,
  messageOf,
  openCliDevice,
  parseCommandLine,
  readTapeLabel,
  runCli,
  usage,
  versionLine,
  type CliDevice,
} from './common.js';

const PROG = 'aftape';
const E = os.constants.errno;
const ENOMEDIUM = 123;

const HELP = `Usage: aftape [-f device] [--changer changer] [-c conf] [--json] command [args]
       aftape --help | --version

Works the tape drive (and its changer) by hand.

Tape commands:
  status             loaded, write protection, file and block number, block size, flags
  rewind             rewind to the beginning of the tape
  fsf N              forward N files (to block 0 of file current+N)
  bsf N              back N files (to block 0 of file current-N; see aftape(8))
  weof [N]           write N filemarks (default 1) at the position
  eod                go to the end of recorded data
  setblk N           set the block size (0 = variable)
  load [SLOT]        load the cartridge (st drive: MTLOAD; library: from SLOT)
  eject | unload | offline
                     rewind and eject the cartridge
  label              print the afbackup label on file 0
  tapealert          the drive's TapeAlert flags (st drives with SG_IO only)
  selftest --yes     check the drive on a scratch cartridge (ERASES IT)

Changer commands:
  changer status | inventory        list drives, slots and ports
  changer load SLOT [DRIVE]         move a cartridge from a slot into a drive
  changer unload [DRIVE] [SLOT]     move it back (to its source slot by default)
  changer transfer FROM TO          move between slots (N) or ports (pN)

Options:
  -f device          the drive: vtl:<dir>[=n], a directory device or /dev/nstN
                     (default: $TAPE, else the first Backup-Device of the
                     server configuration)
  --changer changer  the changer (default: the device's own, e.g. its library)
  -c conf            the server configuration file to take the device from
  --json             print the result of a read command as one JSON document
  --yes              confirm that selftest may erase the cartridge
  --help             this text
  --version          the version

Exit status: 0 done, 1 failed check or not available for this device, 2 invalid
command line, 32 configuration error, 61 no label, 63 device in use, 72 no such
file on the tape, 82 i/o error or not a tape drive, 83 no device,
84 no cartridge, 85 write-protected, 87 changer failed, 88 addon not built.
See aftape(8).
`;

const OPTIONS = {
  f: { type: 'string' },
  c: { type: 'string' },
  changer: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  ...STANDARD_OPTIONS,
} as const;

/** Commands that print something, and so take --json. */
const READ_COMMANDS = new Set(['status', 'label', 'tapealert', 'selftest', 'changer status', 'changer inventory']);

/** "Not available for this device": exit status 1. */
function notAvailable(command: string, why: string): CliFailure {
  return new CliFailure(`${command}: not available for this device (${why})`);
}

function out(text: string): void {
  process.stdout.write(text);
}

function json(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

// ------------------------------------------------------------------ the device

interface Target {
  dev: CliDevice;
  /** 1-based drive number in the changer. */
  driveNo: number;
}

/** The device spec for -f or $TAPE (relative vtl: directories are taken from the working directory). */
function specOf(text: string, from: string): DeviceSpec {
  let specs: DeviceSpec[];
  try {
    specs = parseDeviceSpecs(text, { baseDir: process.cwd() });
  } catch (e) {
    throw usage(`${from}: ${messageOf(e)}`);
  }
  if (specs.length !== 1) throw usage(`${from} wants one device, not "${text}"`);
  return specs[0]!;
}

/** Opens the named device (nothing on the tape moves). A vtl: library must exist: aftape never creates one. */
function openNamed(text: string, from: string, changerOverride: string | undefined): CliDevice {
  const spec = specOf(text, from);
  if (spec.kind === 'none') throw new AfError('DEVICE_MISSING', `${from} is "-": no device`);
  if (spec.kind === 'vtl' && !isVirtualLibrary(spec.library!)) {
    throw new AfError('DEVICE_MISSING', `"${spec.library}" holds no virtual tape library`);
  }
  const changerDevice = spec.kind === 'vtl' && changerOverride?.startsWith('vtl:') ? undefined : spec.changer;
  try {
    const opened = openDevice({ device: spec.kind === 'vtl' ? `vtl:${spec.library}` : spec.device, changerDevice, drive: spec.drive });
    return { ...opened, name: spec.device, spec };
  } catch (e) {
    // A regular file or some other node: not a configuration error here, the device named is no drive.
    if (isAfError(e, 'CONFIG_ERROR') && spec.kind === 'device') throw new AfError('DEVICE_IO', `${e.detail ?? e.message} (not a tape drive)`, { cause: e });
    throw e;
  }
}

async function target(v: { f?: string; c?: string; changer?: string }): Promise<Target> {
  let dev: CliDevice;
  if (v.f !== undefined) dev = openNamed(v.f, '-f', v.changer);
  else if (process.env.TAPE) dev = openNamed(process.env.TAPE, '$TAPE', v.changer);
  else {
    const loaded = v.c === undefined ? await loadConfig(undefined, { optional: true }) : await loadConfig(v.c);
    if (!loaded) throw new AfError('DEVICE_MISSING', 'no device: give -f device, set TAPE, or name a server configuration with -c');
    dev = openCliDevice(loaded.config);
  }
  if (dev.kind === 'native') probeNative(dev.drive.name);
  return { dev, driveNo: dev.spec.drive + 1 };
}

/** The changer: --changer, else the device's own. */
async function changerOf(v: { f?: string; c?: string; changer?: string }): Promise<{ changer: MediaChanger; driveNo: number }> {
  if (v.changer !== undefined) {
    let driveNo = 1;
    if (v.f !== undefined || process.env.TAPE) {
      const spec = specOf(v.f ?? process.env.TAPE!, v.f !== undefined ? '-f' : '$TAPE');
      driveNo = spec.drive + 1;
    }
    if (v.changer.startsWith('vtl:')) {
      const dir = path.resolve(v.changer.slice(4).replace(/\s*=\s*\d+$/, ''));
      if (!isVirtualLibrary(dir)) throw new AfError('DEVICE_MISSING', `"${dir}" holds no virtual tape library`);
      return { changer: openVirtualLibrary(dir).changer, driveNo };
    }
    if (isCharDevice(v.changer)) return { changer: new ScsiChanger(v.changer), driveNo };
    throw notAvailable('changer', `"${v.changer}" is neither a vtl: library nor a SCSI changer device`);
  }
  const { dev, driveNo } = await target(v);
  if (dev.changer) return { changer: dev.changer, driveNo };
  if (dev.spec.changer !== undefined && isCharDevice(dev.spec.changer)) return { changer: new ScsiChanger(dev.spec.changer), driveNo };
  if (dev.spec.changer !== undefined) throw notAvailable('changer', `"${dev.spec.changer}" is no SCSI changer device`);
  throw notAvailable('changer', `"${dev.name}" has no changer; name one with --changer`);
}

/** The AfError for an addon call on a st node that failed. */
function nativeError(name: string, r: ErrnoResult, what: string): AfError {
  if (r.errno === E.EBUSY) return new AfError('DEVINUSE', `"${name}" is in use`);
  if (r.errno === E.ENOENT || r.errno === E.ENXIO || r.errno === E.ENODEV) return new AfError('DEVICE_MISSING', `"${name}": ${errnoName(r.errno)}`);
  if (r.errno === ENOMEDIUM) return new AfError('NO_MEDIUM', `"${name}" has no cartridge`);
  return new AfError('DEVICE_IO', `${what} on "${name}" failed: ${errnoName(r.errno)}`);
}

/** Runs fn on a st node opened read-only without waiting for a tape (as mt does for status). */
function withRawFd<T>(name: string, fn: (fd: number) => T): T {
  const a = native();
  const fd = a.open(name, 'r', true);
  if (isErrno(fd)) throw nativeError(name, fd, 'open');
  try {
    return fn(fd);
  } finally {
    a.close(fd);
  }
}

/** MTIOCGET of a st node; a character device that does not answer it is no tape drive (DEVICE_IO). */
function rawMtget(name: string): MtGet {
  return withRawFd(name, (fd) => {
    const g = native().mtget(fd);
    if (!isErrno(g)) return g;
    if (g.errno === E.ENOTTY || g.errno === E.EINVAL) {
      throw new AfError('DEVICE_IO', `"${name}" is a character device but not a tape drive (MTIOCGET: ${errnoName(g.errno)})`);
    }
    throw nativeError(name, g, 'MTIOCGET');
  });
}

/** Refuses a character device that is no tape drive before any command touches it. */
function probeNative(name: string): void {
  rawMtget(name);
}

async function withOpenDrive<T>(drive: TapeDrive, fn: (d: TapeDrive) => Promise<T>): Promise<T> {
  await drive.open();
  try {
    return await fn(drive);
  } finally {
    await drive.close().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ status

/** Each flag in words. */
const FLAG_WORDS: Record<GmtFlag, string> = {
  ONLINE: 'a cartridge is loaded and ready',
  BOT: 'at the beginning of the tape',
  EOF: 'just after a filemark',
  EOD: 'at the end of recorded data',
  EOT: 'in the early-warning zone at the end of the tape',
  SM: 'at a setmark',
  WR_PROT: 'the cartridge is write-protected',
  DR_OPEN: 'no cartridge (door open)',
  IM_REP_EN: 'immediate report mode is on',
  CLN: 'the drive asks for cleaning',
  D_6250: 'density 6250 bpi',
  D_1600: 'density 1600 bpi',
  D_800: 'density 800 bpi',
};

interface StatusReport extends DriveStatus {
  device: string;
  kind: 'virtual' | 'directory' | 'native';
  /** The drive is held by another process; what is shown is what the backend's files say. */
  inUse: boolean;
  flags: GmtFlag[];
  /** Native drives: the raw struct mtget. */
  mtget?: { type: number; partition: number; density: number; dsreg: number; gstat: number; erreg: number };
}

/** The GMT flags that a backend's DriveStatus amounts to. */
function flagsOf(s: DriveStatus): GmtFlag[] {
  const f: GmtFlag[] = [];
  if (s.loaded) f.push('ONLINE');
  else f.push('DR_OPEN');
  if (s.bot) f.push('BOT');
  if (s.eod) f.push('EOD');
  if (s.writeProtected) f.push('WR_PROT');
  return f;
}

async function statusReport(t: Target): Promise<StatusReport> {
  const { dev } = t;
  if (dev.kind === 'native') {
    const g = rawMtget(dev.drive.name);
    const has = (x: GmtFlag): boolean => g.flags.includes(x);
    return {
      device: dev.name,
      kind: dev.kind,
      inUse: false,
      loaded: has('ONLINE') && !has('DR_OPEN'),
      writeProtected: has('WR_PROT'),
      file: g.fileno,
      block: g.blkno,
      bot: has('BOT'),
      eod: has('EOD'),
      blockSize: g.blockSize,
      flags: g.flags,
      mtget: { type: g.type, partition: g.resid, density: g.density, dsreg: g.dsreg, gstat: g.gstat, erreg: g.erreg },
    };
  }
  let inUse = false;
  let s: DriveStatus;
  try {
    s = await withOpenDrive(dev.drive, (d) => d.status());
  } catch (e) {
    if (!isAfError(e, 'DEVINUSE')) throw e;
    inUse = true;
    s = await dev.drive.status();
  }
  return { device: dev.name, kind: dev.kind, inUse, ...s, flags: flagsOf(s) };
}

function statusText(r: StatusReport, driveNo: number): string {
  const what = r.kind === 'virtual' ? `virtual library drive ${driveNo}` : r.kind === 'directory' ? 'directory device' : 'st tape drive';
  const lines = [`Device:        ${r.device} (${what})`];
  if (r.inUse) lines.push('               in use by another process: shown as last saved');
  lines.push(`Cartridge:     ${r.loaded ? (r.medium ?? 'loaded') : 'none'}${r.loaded && r.writeProtected ? ' (write-protected)' : ''}`);
  lines.push(`File number:   ${r.file < 0 ? 'unknown' : r.file}`);
  lines.push(`Block number:  ${r.block < 0 ? 'unknown' : r.block}`);
  lines.push(`Block size:    ${r.blockSize === 0 ? 'variable' : `${r.blockSize} bytes`}`);
  if (r.mtget) {
    lines.push(`Density code:  0x${r.mtget.density.toString(16).padStart(2, '0')}`);
    lines.push(`Partition:     ${r.mtget.partition}`);
  }
  lines.push(`Flags:         ${r.flags.join(' ') || '(none)'}`);
  for (const f of r.flags) lines.push(`               ${f}: ${FLAG_WORDS[f]}`);
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ label


async function label(t: Target, asJson: boolean): Promise<void> {
  await withOpenDrive(t.dev.drive, async (d) => {
    const before = (await d.status()).blockSize;
    let read;
    try {
      read = await readTapeLabel(d, before > 0 ? [before] : []);
    } finally {
      await d.setBlockSize(before).catch(() => undefined);
    }
    if (!read.block) throw new AfError('OPENRD_FAILED', `the tape in "${t.dev.name}" is empty (no label found)`);
    const l = parseLabel(read.block);
    if (!l) throw new AfError('OPENRD_FAILED', `the tape in "${t.dev.name}" holds no afbackup label`);
    if (asJson) json(labelToJson(t.dev.name, l));
    else out(labelText(read.block).toString('latin1') + '\n');
  });
}

// ------------------------------------------------------------------ moving the tape

function count(text: string | undefined, what: string, dflt?: number): number {
  if (text === undefined) {
    if (dflt !== undefined) return dflt;
    throw usage(`${what} is missing`);
  }
  const n = decimalOf(text);
  if (n === null) throw usage(`${what} must be a whole number, not "${text}"`);
  return n;
}

/** The current file number, which fsf and bsf count from. */
async function currentFile(d: TapeDrive, name: string): Promise<number> {
  const s = await d.status();
  if (!s.loaded) throw new AfError('NO_MEDIUM', `"${name}" has no cartridge`);
  if (s.file < 0) throw new AfError('SETFILE_FAILED', `the position on "${name}" is unknown (rewind first)`);
  return s.file;
}

async function load(t: Target, slotArg: string | undefined): Promise<void> {
  const { dev } = t;
  if (dev.kind === 'native') {
    if (slotArg !== undefined) throw usage('load takes no slot for a st drive (use changer load)');
    withRawFd(dev.drive.name, (fd) => {
      const r = native().mtop(fd, 'MTLOAD', 1);
      if (isErrno(r)) throw nativeError(dev.drive.name, r, 'MTLOAD');
    });
    return;
  }
  if (!dev.changer) throw notAvailable('load', 'a directory device has no loader');
  const changer = dev.changer;
  const inDrive = (await changer.inventory()).find((e) => e.kind === 'drive' && e.number === t.driveNo);
  if (!inDrive) throw new AfError('CHANGER_FAILED', `the library has no drive ${t.driveNo}`);
  let slot = slotArg === undefined ? undefined : count(slotArg, 'SLOT');
  if (inDrive.full) {
    if ((await dev.drive.status()).loaded && slot === undefined) return; // already loaded
    if (slot === undefined) slot = inDrive.sourceSlot;
    await changer.unload(t.driveNo); // an ejected cartridge still sits in the drive
  }
  if (slot === undefined) throw usage('load needs a SLOT: the drive is empty');
  await changer.load(slot, t.driveNo);
}

// ------------------------------------------------------------------ changer

function elementName(e: Element): string {
  return e.kind === 'drive' ? `Drive ${e.number}` : e.kind === 'slot' ? `Slot ${e.number}` : `Port ${e.number}`;
}

function inventoryText(els: Element[]): string {
  return els
    .map((e) => {
      if (!e.full) return `${elementName(e)}: empty\n`;
      const from = e.sourceSlot !== undefined ? ` (from slot ${e.sourceSlot})` : '';
      return `${elementName(e)}: full${e.barcode !== undefined ? ` ${e.barcode}` : ''}${from}\n`;
    })
    .join('');
}

/** An element named on the command line: N is a slot, pN a port, dN a drive. */
function elementArg(text: string, els: Element[]): Element {
  const m = /^(p|port|d|drive|s|slot)?(\d+)$/i.exec(text);
  if (!m) throw usage(`"${text}" is not an element (N for a slot, pN for a port)`);
  const letter = (m[1] ?? 's')[0]!.toLowerCase();
  const kind = letter === 'p' ? 'ioport' : letter === 'd' ? 'drive' : 'slot';
  const n = Number(m[2]);
  const e = els.find((x) => x.kind === kind && x.number === n);
  if (!e) throw new AfError('CHANGER_FAILED', `the changer has no ${kind === 'ioport' ? 'port' : kind} ${n}`);
  return e;
}

async function changerCommand(v: Parameters<typeof changerOf>[0], args: string[], asJson: boolean): Promise<void> {
  const [sub, ...rest] = args;
  const arity = (min: number, max: number): void => {
    if (rest.length < min || rest.length > max) throw usage(`changer ${sub} takes ${min === max ? min : `${min} to ${max}`} arguments`);
  };
  switch (sub) {
    case 'status':
    case 'inventory': {
      arity(0, 0);
      const { changer } = await changerOf(v);
      const els = await changer.inventory();
      if (asJson) json({ changer: changer.name, elements: els });
      else out(inventoryText(els));
      return;
    }
    case 'load': {
      arity(1, 2);
      const slot = count(rest[0], 'SLOT');
      const { changer, driveNo } = await changerOf(v);
      await changer.load(slot, rest[1] === undefined ? driveNo : count(rest[1], 'DRIVE'));
      return;
    }
    case 'unload': {
      arity(0, 2);
      const { changer, driveNo } = await changerOf(v);
      const drive = rest[0] === undefined ? driveNo : count(rest[0], 'DRIVE');
      await changer.unload(drive, rest[1] === undefined ? undefined : count(rest[1], 'SLOT'));
      return;
    }
    case 'transfer': {
      arity(2, 2);
      const { changer } = await changerOf(v);
      const els = await changer.inventory();
      await changer.transfer(elementArg(rest[0]!, els), elementArg(rest[1]!, els));
      return;
    }
    case undefined:
      throw usage('changer needs a command: status, inventory, load, unload or transfer');
    default:
      throw usage(`unknown changer command "${sub}"`);
  }
}

// ------------------------------------------------------------------ TapeAlert

async function tapealert(t: Target, asJson: boolean): Promise<void> {
  const { dev } = t;
  if (dev.kind !== 'native') throw notAvailable('tapealert', 'only st tape drives report TapeAlert flags');
  const addon = native();
  // An addon built before SG_IO was added lacks the call.
  if (typeof (addon as { sgio?: unknown }).sgio !== 'function') throw notAvailable('tapealert', 'the native addon has no SG_IO call (rebuild it)');
  const report = withRawFd(dev.drive.name, (fd) => {
    const data = Buffer.alloc(0x200);
    const r = addon.sgio(fd, logSenseCdb({ page: LOG_PAGE_TAPEALERT, allocationLength: data.length }), 'in', data, 30000);
    if (isErrno(r)) {
      if (r.errno === E.ENOTTY || r.errno === E.EINVAL || r.errno === E.EPERM) {
        throw notAvailable('tapealert', `SG_IO on "${dev.drive.name}" failed with ${errnoName(r.errno)}`);
      }
      throw nativeError(dev.drive.name, r, 'SG_IO LOG SENSE');
    }
    if (r.status !== 0 || r.hostStatus !== 0) {
      let why = `SCSI status 0x${r.status.toString(16)}`;
      if (r.sense.length > 0) {
        try {
          why = parseSense(r.sense).message;
        } catch {
          // keep the status
        }
      }
      throw new AfError('DEVICE_IO', `LOG SENSE (TapeAlert) on "${dev.drive.name}": ${why}`);
    }
    return parseTapeAlert(data.subarray(0, data.length - r.resid));
  });
  if (asJson) {
    json({ device: dev.name, page: report.page, active: report.active });
    return;
  }
  if (report.active.length === 0) out('No TapeAlert flag is set.\n');
  else for (const f of report.active) out(`${String(f.code).padStart(2)}  ${f.severity.padEnd(8)}  ${f.name}\n`);
}

// ------------------------------------------------------------------ selftest

async function selftest(t: Target, yes: boolean, asJson: boolean): Promise<number> {
  if (!yes) throw usage('selftest erases the cartridge in the drive; give --yes to go ahead');
  const results = await withOpenDrive(t.dev.drive, (d) =>
    runDriveSelftest(d, {
      onResult: asJson ? undefined : (r: SelftestResult) => out(r.ok ? `PASS  ${r.name}\n` : `FAIL  ${r.name}: ${r.detail}\n`),
    }),
  );
  const failed = results.filter((r) => !r.ok).length;
  if (asJson) json({ device: t.dev.name, passed: results.length - failed, failed, results });
  else out(`${results.length - failed} of ${results.length} checks passed.\n`);
  return failed === 0 ? 0 : 1;
}

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandLine(argv, OPTIONS);
  if (v.help) {
    out(HELP);
    return 0;
  }
  if (v.version) {
    out(versionLine(PROG));
    return 0;
  }
  const [cmd, ...args] = positionals;
  if (cmd === undefined) throw usage('a command is missing');
  if (v.f !== undefined && v.f.trim() === '') throw usage('-f wants a device');
  const full = cmd === 'changer' ? `changer ${args[0] ?? ''}` : cmd;
  const asJson = v.json ?? false;
  if (asJson && !READ_COMMANDS.has(full)) throw usage(`--json goes with status, label, tapealert, selftest and changer status/inventory, not ${full}`);
  if (v.yes && cmd !== 'selftest') throw usage('--yes goes with selftest');
  const arity = (max: number): void => {
    if (args.length > max) throw usage(`${cmd} takes ${max === 0 ? 'no arguments' : `at most ${max} argument${max > 1 ? 's' : ''}`}`);
  };

  switch (cmd) {
    case 'changer':
      await changerCommand(v, args, asJson);
      return 0;
    case 'status': {
      arity(0);
      const t = await target(v);
      const r = await statusReport(t);
      if (asJson) json(r);
      else out(statusText(r, t.driveNo));
      return 0;
    }
    case 'rewind':
    case 'rew': {
      arity(0);
      const t = await target(v);
      await withOpenDrive(t.dev.drive, (d) => d.rewind());
      return 0;
    }
    case 'fsf':
    case 'bsf': {
      arity(1);
      const n = count(args[0], 'N', 1);
      const t = await target(v);
      await withOpenDrive(t.dev.drive, async (d) => {
        const here = await currentFile(d, t.dev.name);
        const to = cmd === 'fsf' ? here + n : here - n;
        if (to < 0) throw new AfError('SETFILE_FAILED', `there are only ${here} files before the position`);
        await d.seekFile(to);
      });
      return 0;
    }
    case 'weof':
    case 'eof': {
      arity(1);
      const n = count(args[0], 'N', 1);
      const t = await target(v);
      await withOpenDrive(t.dev.drive, (d) => d.writeFilemarks(n));
      return 0;
    }
    case 'eod':
    case 'eom': {
      arity(0);
      const t = await target(v);
      await withOpenDrive(t.dev.drive, (d) => d.seekEod());
      return 0;
    }
    case 'setblk': {
      arity(1);
      const n = count(args[0], 'the block size');
      const t = await target(v);
      await withOpenDrive(t.dev.drive, (d) => d.setBlockSize(n));
      return 0;
    }
    case 'eject':
    case 'unload':
    case 'offline': {
      arity(0);
      const t = await target(v);
      await withOpenDrive(t.dev.drive, (d) => d.eject());
      return 0;
    }
    case 'load': {
      arity(1);
      await load(await target(v), args[0]);
      return 0;
    }
    case 'label': {
      arity(0);
      await label(await target(v), asJson);
      return 0;
    }
    case 'tapealert': {
      arity(0);
      await tapealert(await target(v), asJson);
      return 0;
    }
    case 'selftest': {
      arity(0);
      if (!v.yes) throw usage('selftest erases the cartridge in the drive; give --yes to go ahead');
      return selftest(await target(v), true, asJson);
    }
    default:
      throw usage(`unknown command "${cmd}"`);
  }
}

runCli(PROG, main);

function isCharDevice(p: string): boolean {
  try {
    return statSync(p).isCharacterDevice();
  } catch {
    return false;
  }
}
