/**
 * Builds everything one afserver session needs from its configuration file: the
 * logger, the key, the var directory, the device and the tape service, wired into
 * a SessionContext. The configuration is read afresh for every connection, as
 * afbackup does. A configuration that cannot be read still gets a handshake, whose
 * status byte then carries CONFIG_ERROR to the client.
 */
import fs from 'node:fs';
import os from 'node:os';
import dns from 'node:dns/promises';
import { AfError, isAfError, toAfError } from '../errors.js';
import path from 'node:path';
import { DirectoryDrive } from '../device/directory/directory-drive.js';
import { createLogger, silentLogger, type Logger } from '../log.js';
import { loadServerConfig, findDefaultServerConfig, defaultInstallPaths, type ServerConfig, type InstallPaths } from '../config/server-config.js';
import { chooseKeyFile } from '../config/key-files.js';
import type { SelectorResolver } from '../config/host-selector.js';
import { locspec } from '../config/install-paths.js';
import { expandTemplate } from '../config/command-template.js';
import { Authenticator, keyMaterialFromFile, type AuthScheme } from '../protocol/auth.js';
import { STREAMER_BUSY, STREAMER_READY, STREAMER_UNLOADED, STREAMER_UNAVAIL, STREAMER_DEVINUSE } from '../protocol/commands.js';
import { VarDir } from '../state/var-dir.js';
import { openDevice } from '../device/open-device.js';
import type { SessionContext } from './session.js';
import { Session } from './session.js';
import { TapeService, type ChangerRecordKeeper, type TapeConfig } from './tape-service.js';
import { placeOfElement } from './cartridge-choice.js';
import * as cartridgeLocations from '../state/cartridge-locations.js';
import { tryAcquire } from '../state/device-lock.js';
import { readConfigText, readParamLines } from '../config/param-file.js';
import { parseChangerConf } from '../device/command/changer-conf.js';
import { CommandChanger } from '../device/command/command-changer.js';
import type { MediaChanger } from '../device/tape-drive.js';
import { VarInventory } from './var-inventory.js';
import { DeviceLockManager } from './device-lock-manager.js';
import { applyMessages } from './messages.js';
import { remoteStart } from './remote-start.js';
import { runShell } from './shell-command.js';
import { notifyOperator, signalCartridgeReady } from './operator.js';

export interface SessionOptions {
  /** Configuration file; the afbackup search order applies when undefined. */
  configPath?: string;
  /** -l: log file overriding Logging-file. */
  logFile?: string;
  /** -x: Program-Directory override. */
  programDirectory?: string;
  /** -s: let failed authentication through. */
  acceptBadAuth?: boolean;
  /** Peer address of the connection (for key and set selection). */
  peerAddress?: string;
  installPaths?: InstallPaths;
  /** Tests: pin the server challenge. */
  challenge?: () => Buffer;
  /** Tests: a logger to use instead of the configured one. */
  log?: Logger;
}

export interface SessionBundle {
  session: Session;
  log: Logger;
  /** Releases the device lock and the drive. */
  close(): Promise<void>;
  /** Exit status for the process (0, or 11/14/32 for key and configuration faults). */
  exitCode: number;
}

/** The flag file a waiting server watches (afbackup: /tmp/afbu_cartready.<locspec>). */
export function cartReadyFlag(paths: InstallPaths): string {
  return `/tmp/afbu_cartready.${locspec(paths)}`;
}

/** Logging-file syntax `@[ident] [file]`: we log to the file; the syslog part is not supported. */
export function logFileOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (!v.startsWith('@')) return v;
  const rest = v.slice(1).trim().split(/\s+/);
  return rest.length > 1 ? rest.slice(1).join(' ') : rest[0]?.startsWith('/') ? rest[0] : undefined;
}

const resolver: SelectorResolver = {
  readFile: (p) => fs.promises.readFile(p, 'latin1'),
  runCommand: async (cmd, stdin) => (await runShell(cmd, { input: stdin })).code,
};

async function reverseName(addr: string | undefined): Promise<string> {
  if (!addr) return 'localhost';
  const ip = addr.replace(/^::ffff:/, '');
  try {
    let timer: NodeJS.Timeout | undefined;
    const names = await Promise.race([dns.reverse(ip), new Promise<string[]>((r) => (timer = setTimeout(() => r([]), 2000)))]).finally(() => clearTimeout(timer));
    return names[0] ?? ip;
  } catch {
    return ip;
  }
}

/**
 * Notes about the configuration (keys we do not act on, lines that set nothing) go
 * to the log once per version of the file, not once per connection: a marker in
 * the var directory remembers the file's size and modification time.
 */
function configNotesDue(c: ServerConfig): boolean {
  try {
    const st = fs.statSync(c.configPath);
    const stamp = `${c.configPath} ${st.size} ${st.mtimeMs}\n`;
    const marker = `${c.varDirectory}/.config-noted`;
    if (fs.existsSync(marker) && fs.readFileSync(marker, 'latin1') === stamp) return false;
    fs.mkdirSync(c.varDirectory, { recursive: true });
    fs.writeFileSync(marker, stamp);
    return true;
  } catch {
    return true;
  }
}

/** Reads and checks the key file (§1.3.1): mode bits 0044 are fatal (exit 11). */
function readKeyMaterial(scheme: AuthScheme, file: string, log: Logger): Buffer | null {
  const st = fs.statSync(file);
  if (st.mode & 0o044) throw new AfError('KEYFILE', `"${file}" is readable by group or others (chmod 600 it)`);
  const material = keyMaterialFromFile(scheme, fs.readFileSync(file));
  if (!material) log.warn({ file }, 'key file is shorter than 5 bytes; using the empty key');
  return material;
}

function tapeConfig(c: ServerConfig, kind: 'virtual' | 'directory' | 'native', paths: InstallPaths, cartridgeHandler: boolean): TapeConfig {
  const dflt = (value: string | undefined, builtIn: string): string | undefined => {
    if (kind === 'virtual') return undefined; // the library moves and positions by itself
    // The built-in mt commands are not run: on a directory they cannot work, and a native
    // drive is positioned by its own ioctls. Commands a site wrote itself still run.
    if ((kind === 'directory' || kind === 'native') && value === builtIn) return undefined;
    return value;
  };
  const sets = c.cartridgeSets.sets.map((_, i) => c.cartridgeSets.cartridgesOfSet(i + 1));
  return {
    deviceName: c.devices[0]?.device ?? c.backupDevice,
    blockSize: c.tapeBlocksize,
    numberOfCartridges: c.numberOfCartridges,
    cartridgeSets: sets,
    maxBytesPerFile: c.maxBytesPerFile,
    maxBytesPerTape: (cart) => c.maxBytesPerTape.limitFor(cart),
    fullAppendMode: c.fullAppendMode,
    variableAppendMode: c.variableAppendMode,
    // afbackup never applied it to directory devices (an empty directory is the normal new tape).
    rejectUnlabeledTapes: c.rejectUnlabeledTapes && kind !== 'directory',
    cartInsertGracetimeSec: c.cartInsertGracetime,
    deviceProbeIntervalSec: c.deviceProbeInterval,
    devUnavailGiveUpMin: c.devUnavailGiveUpMin,
    setFileCommand: dflt(c.setFileCommand, 'mt -f %d rewind && mt -f %d fsf %m'),
    skipFilesCommand: dflt(c.skipFilesCommand, 'mt -f %d fsf %n'),
    setCartCommand: kind === 'virtual' ? undefined : c.setCartCommand,
    changeCartCommand: dflt(c.changeCartCommand, 'mt -f %d rewoffl'),
    eraseTapeCommand: kind === 'virtual' ? undefined : c.eraseTapeCommand,
    tapeFullCommand: c.tapeFullCommand,
    initMediaCommand: c.initMediaCommand,
    changerDevice: c.devices[0]?.changer,
    changerDrive: (c.devices[0]?.drive ?? 0) + 1,
    slots: c.devices[0]?.slots,
    cartridgeHandler,
    cartReadyFlag: cartReadyFlag(paths),
    configPath: c.configPath,
    mailProgram: c.mailProgram,
    userToInform: c.userToInform,
  };
}

/** A CommandChanger over the changer.conf `file`, its commands run through the shell as configured commands are. */
async function commandChangerOf(file: string, changerDevice: string, driveDevice: string, log: Logger): Promise<MediaChanger> {
  const conf = parseChangerConf(readParamLines(await readConfigText(file)));
  for (const l of conf.unknownLines) log.warn({ file, line: l.line }, `changer configuration: unknown setting "${l.text}"`);
  return new CommandChanger({
    conf,
    changerDevice,
    driveDevices: [driveDevice],
    expand: expandTemplate,
    run: async (command) => {
      const r = await runShell(command);
      return { code: r.code, output: r.output.toString('utf8') };
    },
  });
}

/** How long a load waits for cart_ctl (or another server) to finish with the changer. */
const CHANGER_LOCK_WAIT_MS = 120_000;

/**
 * cartridge_locations (and cartridge_names, for barcodes) for the server's own changer
 * loads, naming the changer as cart_ctl does (the `@changer` of the device spec, else the
 * vtl: library), and the Changer-Lockfile around the moves of a real changer (a virtual
 * library locks itself). A lock file that cannot be made is logged and not waited for.
 */
function changerRecordKeeper(config: ServerConfig, varDir: VarDir, kind: 'virtual' | 'directory' | 'native', log: Logger): ChangerRecordKeeper {
  const first = config.devices[0];
  const device = first?.changer ?? (first?.kind === 'vtl' ? first.device : undefined) ?? config.backupDevice;
  return {
    device,
    read: async () => ({ locations: await varDir.cartridgeLocations.read(), names: await varDir.cartridgeNames.read() }),
    record: async (cart, at) => {
      await varDir.cartridgeLocations.update((m) =>
        at ? cartridgeLocations.set(m, cart, { kind: 'changer', changer: device, place: placeOfElement(at.kind), index: at.number }) : cartridgeLocations.remove(m, cart),
      );
    },
    lock: async (fn) => {
      if (kind === 'virtual') return fn();
      const deadline = Date.now() + CHANGER_LOCK_WAIT_MS;
      let held: { release(): Promise<void> } | undefined;
      for (;;) {
        let r;
        try {
          r = await tryAcquire(config.changerLockfile, 'w');
        } catch (e) {
          log.warn({ err: (e as Error).message, file: config.changerLockfile }, 'cannot take the changer lock; moving without it');
          break;
        }
        if ('held' in r) {
          held = r.held;
          break;
        }
        if (Date.now() >= deadline) throw new AfError('CHANGECART_FAILED', `process ${r.busy.pid ?? 'unknown'} holds the changer lock "${config.changerLockfile}"`);
        await new Promise((res) => setTimeout(res, 500));
      }
      try {
        return await fn();
      } finally {
        await held?.release();
      }
    },
  };
}

/** Everything for one connection. Never throws: faults become the handshake status. */
export async function createSession(opts: SessionOptions): Promise<SessionBundle> {
  const paths = opts.installPaths ?? defaultInstallPaths();
  let log: Logger = opts.log ?? silentLogger;
  const peerHost = await reverseName(opts.peerAddress);
  const fail = (err: AfError, scheme: AuthScheme): SessionBundle => {
    log.error({ err: err.message }, 'session cannot start');
    const auth = new Authenticator(scheme, null);
    const ctx = minimalContext(log, auth, err, peerHost, opts.challenge);
    return { session: new Session(ctx), log, close: async () => undefined, exitCode: err.exitCode };
  };

  let config: ServerConfig;
  try {
    const configPath = opts.configPath ?? (await findDefaultServerConfig(paths));
    if (!configPath) throw new AfError('CONFIG_ERROR', 'no configuration file found (give one as argument)');
    const parsed = await loadServerConfig(configPath, { paths, hostname: os.hostname() });
    config = parsed.config;
    if (!opts.log) log = createLogger({ file: opts.logFile ?? logFileOf(config.loggingFile), name: 'afserver' });
    if (configNotesDue(config)) {
      for (const key of parsed.notSupported) log.info({ key }, 'configuration key is parsed but not supported; it has no effect');
      for (const l of parsed.unknownLines) log.warn({ file: configPath, line: l.line, text: l.text }, 'configuration line sets no known key');
    }
  } catch (e) {
    return fail(toAfError(e, 'CONFIG_ERROR'), 'des');
  }
  const scheme = config.authenticationScheme;

  let material: Buffer | null;
  try {
    const keyFile = await chooseKeyFile(config.encryptionKeyFiles, peerHost, resolver);
    if (keyFile === 'no-match') throw new AfError('NO_KEY_MATCH', `for client "${peerHost}"`);
    if (keyFile === undefined) throw new AfError('NO_KEY_MATCH', 'no Encryption-Key-File is configured');
    material = readKeyMaterial(scheme, keyFile, log);
  } catch (e) {
    return fail(toAfError(e, 'KEYFILE'), scheme);
  }
  const auth = new Authenticator(scheme, material);

  const varDir = new VarDir(config.varDirectory, { tapePosFile: config.tapePosFile, statusFile: config.statusFile });
  try {
    fs.mkdirSync(config.varDirectory, { recursive: true });
    await varDir.sweepTempFiles();
  } catch (e) {
    log.warn({ err: e }, 'cannot prepare the var directory');
  }
  const inventory = new VarInventory(varDir);
  const spec = config.devices[0];
  let device;
  try {
    if (!spec || spec.kind === 'none') throw new AfError('DEVICE_MISSING', 'Backup-Device is "-": this server only runs programs');
    device = openDevice(
      { device: spec.kind === 'vtl' ? `vtl:${spec.library}` : spec.device, changerDevice: spec.changer, drive: spec.drive },
      { virtual: { capacity: config.virtualCartridgeCapacity, earlyWarning: config.virtualEarlyWarning, slots: config.numberOfCartridges, drives: config.virtualDrives } },
    );
  } catch (e) {
    // A directory device whose cartridge symlink a Set-Cart-Command has not made yet.
    if (spec?.kind === 'device' && isAfError(e, 'DEVICE_MISSING') && fs.existsSync(path.dirname(spec.device))) {
      device = { drive: new DirectoryDrive(spec.device), kind: 'directory' as const, changer: undefined };
    } else {
      log.warn({ err: (e as Error).message }, 'the backup device cannot be used; tape commands will fail');
      device = null;
    }
  }
  // A changer.conf (Changer-Configuration-File) for the changer the device spec names: the
  // server moves cartridges with its commands, as cart_ctl does (no Set-Cart-Command needed).
  if (device && device.kind !== 'virtual' && spec?.changer && config.changerConfigFile && !config.setCartCommand) {
    try {
      device = { ...device, changer: await commandChangerOf(config.changerConfigFile, spec.changer, spec.device, log) };
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'the changer configuration cannot be used');
    }
  }
  const lock = new DeviceLockManager(config.lockFile, {
    giveUpMin: config.devUnavailGiveUpMin,
    sendMailMin: config.devUnavailSendMailMin,
    log,
    onLongWait: () =>
      void notifyOperator(
        { mailProgram: config.mailProgram, userToInform: config.userToInform, writeClientMessage: (t) => inventory.writeClientMessage(t), log },
        `The backup device ${config.backupDevice} has been busy for ${config.devUnavailSendMailMin} minutes; a client is waiting for it.\n`,
      ),
  });
  let session: Session;
  const commandEnv = () => session.commandEnv();
  const tape = new TapeService({
    config: tapeConfig(config, device?.kind ?? 'directory', paths, config.cartridgeHandler),
    drive: device?.drive ?? missingDrive(spec?.device ?? config.backupDevice),
    changer: device?.changer,
    changerRecords: device?.changer ? changerRecordKeeper(config, varDir, device.kind, log) : undefined,
    inventory,
    log,
    lockDevice: (intent) => lock.acquire(intent),
    claimForQuery: async () => {
      const busy = await lock.tryOnce('r');
      if (busy && busy.intent !== 'r') throw new AfError('DEVINUSE', `process ${busy.pid ?? 'unknown'} is writing`);
    },
    commandEnv,
    remoteUser: () => session.remoteUser,
    remoteHost: () => session.remoteHost,
  });
  const flag = cartReadyFlag(paths);
  const programDirectory = opts.programDirectory ?? config.programDirectory;

  const ctx: SessionContext = {
    log,
    auth,
    acceptBadAuth: opts.acceptBadAuth,
    challenge: opts.challenge,
    serverId: config.serverIdentifier,
    numberOfCartridges: config.numberOfCartridges,
    tape,
    peerHost,
    applyMessages: (text) => applyMessages(text, { varDir, log, cartridgeReady: () => void signalCartridgeReady(flag) }),
    neededTapes: (id) => inventory.neededTapes(id),
    clientMessage: async () => {
      const m = await varDir.clientMessage.read();
      return m ? { mtimeSec: m.mtimeSec, text: Buffer.from(m.text, 'latin1') } : null;
    },
    remoteStart: async (command, env) => {
      const r = await remoteStart(programDirectory, command, env);
      if (r.kind === 'denied') {
        log.warn({ command: command.toString('latin1'), reason: r.reason }, 'remote start refused');
        return { exit: 0, output: Buffer.alloc(0), status: 0x3d };
      }
      if (r.kind === 'not-executable') {
        log.warn({ command: command.toString('latin1'), reason: r.reason }, 'remote start: program not executable');
        return { exit: 0, output: Buffer.alloc(0), status: 0x53 };
      }
      log.info({ command: command.toString('latin1'), exit: r.exitCode }, 'remote start');
      return { exit: r.exitCode & 0xff, output: r.output, status: 0 };
    },
    probeReady: async () => {
      const base = { changeable: config.cartridgeHandler, variableAppend: config.variableAppendMode };
      if (tape.isOpen) return { ...base, state: STREAMER_BUSY };
      const wasHeld = lock.held;
      const busy = await lock.tryOnce('r');
      if (busy) return { ...base, state: STREAMER_BUSY };
      try {
        if (!device) return { ...base, state: STREAMER_UNAVAIL };
        try {
          await device.drive.open();
        } catch (e) {
          const code = toAfError(e).code;
          return { ...base, state: code === 'DEVINUSE' ? STREAMER_DEVINUSE : STREAMER_UNAVAIL };
        }
        const st = await device.drive.status().catch(() => null);
        await device.drive.close().catch(() => undefined);
        if (device.kind === 'directory' || st?.loaded) return { ...base, state: STREAMER_READY };
        return { state: STREAMER_UNLOADED, changeable: config.cartridgeHandler && (!!config.setCartCommand || !!device.changer), variableAppend: config.variableAppendMode };
      } finally {
        if (!wasHeld || !tape.isOpen) await lock.release();
      }
    },
    setAllowed: (set, host) => config.cartridgeSets.mayUse(set, host, resolver),
    goodbye: async () => {
      if (config.exitCommand) await runShell(expandTemplate(config.exitCommand, { p: peerHost }), { env: commandEnv() });
    },
  };
  session = new Session(ctx);
  if (config.initCommand) await runShell(expandTemplate(config.initCommand, { p: peerHost }), { env: {} }).catch(() => undefined);
  return {
    session,
    log,
    exitCode: 0,
    close: async () => {
      await tape.shutdown().catch(() => undefined);
      await lock.release().catch(() => undefined);
    },
  };
}

/** A context that can only do the handshake and report `err` in its status byte. */
function minimalContext(log: Logger, auth: Authenticator, err: AfError, peerHost: string, challenge?: () => Buffer): SessionContext {
  const refuse = async (): Promise<never> => {
    throw err;
  };
  return {
    log,
    auth,
    configError: err,
    challenge,
    serverId: '',
    numberOfCartridges: 0,
    tape: undefined as unknown as TapeService,
    peerHost,
    applyMessages: refuse,
    neededTapes: refuse,
    clientMessage: refuse,
    remoteStart: refuse,
    probeReady: refuse,
    setAllowed: refuse,
    goodbye: async () => undefined,
  };
}

/** Stands in for a device that could not be opened: every use reports why. */
function missingDrive(name: string) {
  const no = async (): Promise<never> => {
    throw new AfError('DEVICE_MISSING', `"${name}" cannot be used`);
  };
  return {
    name,
    open: no,
    close: async () => undefined,
    status: no,
    setBlockSize: no,
    rewind: no,
    seekFile: no,
    seekEod: no,
    readBlock: no,
    writeBlock: no,
    writeFilemarks: no,
    erase: no,
    eject: no,
  };
}

