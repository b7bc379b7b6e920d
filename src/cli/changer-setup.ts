/**
 * From a server configuration (and cart_ctl's -c / -d) to the MediaChanger that
 * moves the cartridges:
 *
 *   the changer is a vtl: library      the library's own changer
 *   a changer configuration is given   a CommandChanger running its commands
 *   (-c, else Changer-Configuration-File)   through the shell, as afserver runs
 *                                        configured commands (server/shell-command.ts)
 *   a changer device, no configuration  direct SCSI access: not available yet,
 *                                        a clear error says to configure commands
 *
 * The changer device is -d, else the `@changer` of the first Backup-Device entry,
 * else the vtl: library of that entry. The drives of that changer are the
 * Backup-Device entries naming the same changer (`%d` of the moves).
 */
import fs from 'node:fs';
import { ScsiChanger } from '../device/native/scsi-changer.js';
import path from 'node:path';
import { AfError } from '../errors.js';
import type { ServerConfig } from '../config/server-config.js';
import { readConfigText, readParamLines } from '../config/param-file.js';
import { expandTemplate } from '../config/command-template.js';
import { parseChangerConf } from '../device/command/changer-conf.js';
import { CommandChanger, type CommandChangerOptions } from '../device/command/command-changer.js';
import { createVirtualLibrary, isVirtualLibrary, openVirtualLibrary } from '../device/virtual/library.js';
import { DEFAULT_VIRTUAL_LIBRARY } from '../device/open-device.js';
import type { MediaChanger } from '../device/tape-drive.js';
import { runShell } from '../server/shell-command.js';

export interface ChangerSetup {
  changer: MediaChanger;
  /** The changer as cartridge_locations names it: the device as written (`vtl:lib`, `/dev/sg0`). */
  device: string;
  kind: 'vtl' | 'command' | 'scsi';
  /** The drive (1-based) of the first Backup-Device entry in this changer: the server's drive. */
  serverDrive: number;
}

export interface ChangerSetupOptions {
  /** cart_ctl -c: the changer configuration file. */
  changerConf?: string;
  /** cart_ctl -d: the changer device. */
  changerDevice?: string;
}

/** Builds a CommandChanger from a changer.conf file; the runner uses the shell as afserver does. */
export async function commandChangerFromFile(
  file: string,
  opts: Omit<CommandChangerOptions, 'conf' | 'run' | 'expand'>,
): Promise<CommandChanger> {
  let text: string;
  try {
    text = await readConfigText(file);
  } catch (e) {
    throw new AfError('CONFIG_SYNTAX', `the changer configuration: ${(e as AfError).detail ?? (e as Error).message}`, { cause: e });
  }
  const conf = parseChangerConf(readParamLines(text));
  return new CommandChanger({
    ...opts,
    conf,
    expand: expandTemplate,
    run: async (command) => {
      const r = await runShell(command);
      return { code: r.code, output: r.output.toString('utf8') };
    },
  });
}

/** The changer that cart_ctl operates for this configuration. */
export async function openChanger(config: ServerConfig, opts: ChangerSetupOptions = {}): Promise<ChangerSetup> {
  const first = config.devices[0];
  let device = opts.changerDevice ?? first?.changer ?? (first?.kind === 'vtl' ? first.device : undefined);
  if (device === undefined || device === '') {
    throw new AfError('CONFIG_ERROR', 'no changer: Backup-Device names no changer (`<device>@<changer>`) and no vtl: library; name one with -d');
  }
  // The Backup-Device entries driven by this changer, and the server's own drive among them.
  const same = (changer: string | undefined, kind: string, dev: string): boolean => changer === device || (kind === 'vtl' && dev === device);
  const mine = config.devices.filter((d) => same(d.changer, d.kind, d.device));
  const serverDrive = first && same(first.changer, first.kind, first.device) ? first.drive + 1 : 1;

  if (device.startsWith('vtl:')) {
    const fromSpec = mine.find((d) => d.kind === 'vtl')?.library;
    const dir = fromSpec ?? path.resolve(config.varDirectory, device.slice(4).replace(/\s*=\s*\d+$/, ''));
    device = device.replace(/\s*=\s*\d+$/, '');
    let lib;
    if (isVirtualLibrary(dir)) {
      lib = openVirtualLibrary(dir);
    } else {
      const shape = {
        ...DEFAULT_VIRTUAL_LIBRARY,
        capacity: config.virtualCartridgeCapacity,
        earlyWarning: config.virtualEarlyWarning,
        slots: config.numberOfCartridges,
        drives: config.virtualDrives,
      };
      try {
        lib = createVirtualLibrary(dir, shape);
      } catch (e) {
        if (!isVirtualLibrary(dir)) throw e;
        lib = openVirtualLibrary(dir);
      }
    }
    return { changer: lib.changer, device, kind: 'vtl', serverDrive };
  }

  const confFile = opts.changerConf ?? config.changerConfigFile;
  if (confFile !== undefined) {
    const driveDevices: string[] = [];
    for (const d of mine) driveDevices[d.drive] = d.device;
    const spec = mine.find((d) => d.slots !== undefined || d.loadports !== undefined);
    const changer = await commandChangerFromFile(confFile, {
      changerDevice: device,
      driveDevices: Array.from(driveDevices, (d) => d ?? ''),
      ...(mine.length > 0 ? { drives: Math.max(...mine.map((d) => d.drive + 1)) } : {}),
      ...(spec?.slots !== undefined ? { slots: spec.slots } : {}),
      ...(spec?.loadports !== undefined ? { loadports: spec.loadports } : {}),
    });
    return { changer, device, kind: 'command', serverDrive };
  }

  // A SCSI medium changer node: driven directly over SG_IO.
  if (isCharacterDevice(device)) return { changer: new ScsiChanger(device), device, kind: 'scsi', serverDrive };
  throw new AfError(
    'CHANGER_FAILED',
    `cannot drive the changer "${device}": it is no SCSI changer device; give a changer configuration with -c or Changer-Configuration-File, for example one running mtx`,
  );
}

function isCharacterDevice(p: string): boolean {
  try {
    return fs.statSync(p).isCharacterDevice();
  } catch {
    return false;
  }
}
