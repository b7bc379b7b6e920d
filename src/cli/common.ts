/**
 * What every server-side command-line program shares: parsing afbackup's
 * single-letter options, finding and reading the server configuration the way
 * afserver does, reaching the var directory, the device lock and the drive, and
 * turning a failure into one stderr line `<prog>: <message>` plus the exit
 * status of its row in src/errors.ts.
 *
 * Option parsing uses node:util parseArgs, as afserver does, not yargs: afbackup's
 * options are case-sensitive letter pairs (-f/-F, -s/-S, -c/-C) that bundle
 * (`-rfF`) and take values that must stay strings (cartridge "007", a comment
 * with blanks). parseArgs handles exactly that and rejects anything unknown;
 * yargs would add camel-case aliases and coerce numbers, which we would then have
 * to switch off one by one. Each program writes its own --help text.
 *
 * Exit statuses: an AfError exits with its row's status; CliFailure is the
 * documented "1: any other error" (for example "no flag file" or "not
 * confirmed"), which has no row of its own.
 *
 * Test hook: AF_INSTALL_PREFIX, when set, replaces the installation prefix /usr
 * and thereby the "locspec" that names the cartridge-ready flag
 * (/tmp/afbu_cartready.<locspec>) and the default Lock-file. The test suite uses
 * it to keep its flag files apart from a real installation's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AfError, isAfError, toAfError, type ErrorCode } from '../errors.js';
import { VERSION } from '../version.js';
import { defaultInstallPaths, findDefaultServerConfig, loadServerConfig, serverConfigCandidates, type InstallPaths, type ServerConfig } from '../config/server-config.js';
import { parseDeviceSpecs, type DeviceSpec } from '../config/device-spec.js';
import { VarDir } from '../state/var-dir.js';
import { tryAcquire, type DeviceIntent, type DeviceLockHandle } from '../state/device-lock.js';
import { openDevice, type OpenedDevice } from '../device/open-device.js';
import { DirectoryDrive } from '../device/directory/directory-drive.js';
import type { TapeDrive } from '../device/tape-drive.js';
import { tryFlock } from '../native.js';
import { adoptRawArgs } from '../client/arg-bytes.js';

// ------------------------------------------------------------------ failures and exit

/** A failure without a row of its own: exit status 1 ("any other error") unless told otherwise. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** The exit status for anything thrown. */
export function exitStatusOf(e: unknown): number {
  if (e instanceof CliFailure) return e.status;
  return toAfError(e).exitCode;
}

/** The one stderr line for anything thrown (without the program name). */
export function messageOf(e: unknown): string {
  if (e instanceof CliFailure || isAfError(e)) return e.message;
  return toAfError(e).message;
}

/** Writes `<prog>: <text>` to stderr. Used for errors and for warnings ("warning: ..."). */
export function say(prog: string, text: string): void {
  process.stderr.write(`${prog}: ${text.replace(/\n/g, ' ')}\n`);
}

/**
 * Runs a program's main function and ends the process with its status: 0 (or what
 * main returns), else the status of what it threw after printing the one line.
 */
export function runCli(prog: string, main: (argv: string[]) => Promise<number | void>): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main(commandWords()).then(
    (status) => {
      process.exitCode = status ?? 0;
    },
    (e: unknown) => {
      say(prog, messageOf(e));
      process.exitCode = exitStatusOf(e);
    },
  );
}

// ------------------------------------------------------------------ command line

/**
 * The program's arguments with their bytes kept: words that are not valid UTF-8
 * (a Latin-1 file name) are read raw from /proc/self/cmdline and registered with
 * argBytes() (src/client/arg-bytes.ts). Elsewhere Node's decoded words are used.
 */
export function commandWords(): string[] {
  const decoded = process.argv.slice(2);
  let raw: Buffer[];
  try {
    const all = fs.readFileSync('/proc/self/cmdline');
    const words: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < all.length; i++) {
      if (all[i] === 0) {
        words.push(all.subarray(start, i));
        start = i + 1;
      }
    }
    if (start < all.length) words.push(all.subarray(start));
    raw = words.slice(words.length - decoded.length);
  } catch {
    return decoded;
  }
  return adoptRawArgs(raw, decoded);
}

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** --help and --version, which every program has (long forms only: the letters belong to afbackup). */
export const STANDARD_OPTIONS = {
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Shows an option name the way it is typed: -x or --name. */
function optionName(raw: string): string {
  const name = raw.replace(/^-+/, '');
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** parseArgs with its errors turned into USAGE errors in our own words. */
export function parseCommandLine<O extends OptionSpecs>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = (e as Error).message;
    const quoted = /'([^']+)'/.exec(msg)?.[1] ?? '';
    const opt = optionName(quoted.split(/[ ,]/)[0] ?? '');
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usage(`unknown option ${opt}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw usage(`option ${opt} needs a value`);
    throw usage(msg);
  }
}

/** A USAGE error whose text points at --help. */
export function usage(detail: string): AfError {
  return new AfError('USAGE', `${detail} (see --help)`);
}

export function versionLine(prog: string): string {
  return `${prog} (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`;
}

/** Answers --help (with `help`) or --version on stdout; true when one of them was asked. */
export function answeredStandard(values: { help?: boolean; version?: boolean }, prog: string, help: string): boolean {
  if (values.help) process.stdout.write(help);
  else if (values.version) process.stdout.write(versionLine(prog));
  else return false;
  return true;
}

/** A whole decimal number, or null. Leading zeros are fine ("007"); signs, blanks and fractions are not. */
export function decimalOf(text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}

/** A cartridge number from 1 to `count`, else NO_VALID_CARTRIDGE (exit 20). */
export function cartridgeArg(text: string, count: number, what = 'cartridge'): number {
  const n = decimalOf(text);
  if (n === null) throw new AfError('NO_VALID_CARTRIDGE', `"${text}" is not a ${what} number`);
  if (n < 1 || n > count) {
    throw new AfError('NO_VALID_CARTRIDGE', `${what} ${n} does not exist (cartridges are numbered 1 to ${count})`);
  }
  return n;
}

/** A positive whole number given to an option, else USAGE. */
export function positiveOption(text: string, option: string): number {
  const n = decimalOf(text);
  if (n === null || n < 1) throw usage(`${option} wants a positive whole number, not "${text}"`);
  return n;
}

// ------------------------------------------------------------------ configuration

/** The installation paths (the /usr layout; see the header for AF_INSTALL_PREFIX). */
export function cliInstallPaths(): InstallPaths {
  return defaultInstallPaths();
}

export interface LoadedConfig {
  config: ServerConfig;
  /** The file it came from. */
  path: string;
  paths: InstallPaths;
}

/**
 * Reads the server configuration the way afserver does: the named file, else the
 * first of the standard places that exists. Every failure is CONFIG_SYNTAX (exit
 * 32, "the configuration file has an error"), naming the file.
 * With `optional`, a missing default file yields null instead of an error.
 */
export async function loadConfig(named: string | undefined, opts: { optional: true }): Promise<LoadedConfig | null>;
export async function loadConfig(named: string | undefined, opts?: { optional?: false }): Promise<LoadedConfig>;
export async function loadConfig(named: string | undefined, opts: { optional?: boolean } = {}): Promise<LoadedConfig | null> {
  const paths = cliInstallPaths();
  const file = named ?? (await findDefaultServerConfig(paths));
  if (file === undefined) {
    if (opts.optional) return null;
    throw new AfError('CONFIG_SYNTAX', `no configuration file found (looked for ${serverConfigCandidates(paths).join(', ')}; name one with -c)`);
  }
  try {
    const parsed = await loadServerConfig(file, { paths, hostname: os.hostname() });
    return { config: parsed.config, path: file, paths };
  } catch (e) {
    if (isAfError(e, 'CONFIG_ERROR')) throw new AfError('CONFIG_SYNTAX', e.detail, { cause: e });
    throw e;
  }
}

/** The var directory as afserver builds it from the configuration. */
export function varDirOf(config: ServerConfig): VarDir {
  return new VarDir(config.varDirectory, { tapePosFile: config.tapePosFile, statusFile: config.statusFile });
}

/** The name the server gives its (first) device in tapepos and messages. */
export function deviceNameOf(config: ServerConfig): string {
  return config.devices[0]?.device ?? config.backupDevice;
}

/**
 * Runs a state-file operation; a state-file lock that is not granted in time
 * (CANNOT_LOCK) counts as "the file or its lock cannot be accessed" (STATE_IO).
 */
export async function stateOp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAfError(e, 'CANNOT_LOCK')) throw new AfError('STATE_IO', e.detail, { cause: e });
    throw e;
  }
}

// ------------------------------------------------------------------ terminal

export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}

/**
 * Asks a yes/no question on the terminal (the question goes to stderr, so that
 * stdout keeps only results). True for an answer starting with y or Y; end of
 * input counts as no.
 */
export function askYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    // terminal: false leaves echo and line editing to the terminal itself, and the
    // question is written exactly once (no redrawing).
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    rl.on('close', () => {
      if (!answered) {
        process.stderr.write('\n');
        resolve(false);
      }
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y/i.test(answer));
    });
  });
}

// ------------------------------------------------------------------ device and locks

export interface CliDevice extends OpenedDevice {
  /** The device as the configuration (or -d) writes it, e.g. `/srv/tape/vol` or `vtl:lib`. */
  name: string;
  spec: DeviceSpec;
}

/**
 * Opens the server's first device, or the one given with -d, as afserver does:
 * a `vtl:` library (created on first use), a directory, or a directory that
 * does not exist yet (then it holds no cartridge). Nothing on the tape moves.
 */
export function openCliDevice(config: ServerConfig, override?: string): CliDevice {
  let spec: DeviceSpec | undefined;
  if (override !== undefined) {
    let specs: DeviceSpec[];
    try {
      specs = parseDeviceSpecs(override, { baseDir: config.varDirectory });
    } catch (e) {
      throw usage(`-d: ${messageOf(e)}`);
    }
    if (specs.length !== 1) throw usage(`-d wants one device, not "${override}"`);
    spec = specs[0];
  } else {
    spec = config.devices[0];
  }
  if (!spec || spec.kind === 'none') throw new AfError('DEVICE_MISSING', 'Backup-Device is "-": this server has no device');
  const name = spec.device;
  try {
    const opened = openDevice(
      { device: spec.kind === 'vtl' ? `vtl:${spec.library}` : spec.device, changerDevice: spec.changer, drive: spec.drive },
      { virtual: { capacity: config.virtualCartridgeCapacity, earlyWarning: config.virtualEarlyWarning, slots: config.numberOfCartridges, drives: config.virtualDrives } },
    );
    return { ...opened, name, spec };
  } catch (e) {
    if (spec.kind === 'device' && isAfError(e, 'DEVICE_MISSING') && fs.existsSync(path.dirname(spec.device))) {
      // A directory device whose directory (or cartridge symlink) is not there yet.
      return { drive: new DirectoryDrive(spec.device), kind: 'directory', name, spec };
    }
    if (isAfError(e, 'CONFIG_ERROR')) throw new AfError('CONFIG_SYNTAX', e.detail, { cause: e });
    throw e;
  }
}

/** Takes afserver's device lock without waiting; DEVINUSE (exit 63) names the holder. */
export async function takeDeviceLock(lockFile: string, intent: DeviceIntent): Promise<DeviceLockHandle> {
  const r = await stateOp(() => tryAcquire(lockFile, intent));
  if ('held' in r) return r.held;
  const who = r.busy.pid !== null ? `process ${r.busy.pid}` : 'another process';
  const doing = r.busy.intent === 'w' ? ' for writing' : r.busy.intent === 'r' ? ' for reading' : '';
  throw new AfError('DEVINUSE', `${who} holds the device lock "${lockFile}"${doing}`);
}

/** A held lock on the cartridge-ready flag. */
export interface FlagLock {
  release(): void;
}

/**
 * Locks the cartridge-ready flag file (exclusive flock) while the drive is worked
 * on by hand, so that a waiting server that probes the drive leaves it alone.
 * The flag is never created: no flag (or none that can be locked within
 * `waitMs`) simply means there is nothing to hold, and null is returned.
 */
export async function lockReadyFlag(flag: string, waitMs = 2000): Promise<FlagLock | null> {
  let fd: number;
  try {
    fd = fs.openSync(flag, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  } catch {
    try {
      fd = fs.openSync(flag, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return null;
    }
  }
  const until = Date.now() + waitMs;
  for (;;) {
    const r = tryFlock(fd, 'ex');
    if (r === 'locked') {
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          fs.closeSync(fd);
        },
      };
    }
    if (r !== 'busy' || Date.now() >= until) {
      fs.closeSync(fd);
      return null;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

export { readTapeLabel, type TapeLabelRead } from '../server/label-probe.js';

/** The label text as it stands on tape: the bytes up to the first NUL. */
export function labelText(block: Buffer): Buffer {
  const nul = block.indexOf(0);
  return nul < 0 ? block : block.subarray(0, nul);
}

/** Re-raises an AfError of one of `codes` as `as` (keeping its detail); others pass unchanged. */
export function recode(e: unknown, codes: readonly ErrorCode[], as: ErrorCode, prefix = ''): unknown {
  if (e instanceof AfError && codes.includes(e.code)) return new AfError(as, `${prefix}${e.detail ?? e.message}`, { cause: e });
  return e;
}
