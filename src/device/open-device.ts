/**
 * Picks the backend for a Backup-Device name and opens its objects (no tape is
 * touched: the drive still needs open()).
 *
 *   vtl:<dir>[=<n>]        a drive of the virtual tape library in <dir> (created on
 *                          first use), with the library's changer
 *   a directory            afbackup's directory device (data.<k> files); also a
 *                          dangling symlink, the usual "no cartridge" state of one
 *   a character device     the native st drive (NativeDrive; no changer yet)
 *   a regular file         refused (CONFIG_ERROR): use a directory or vtl:<dir>
 *   anything else missing  DEVICE_MISSING
 */
import fs from 'node:fs';
import path from 'node:path';
import { AfError } from '../errors.js';
import type { MediaChanger, TapeDrive } from './tape-drive.js';
import { DirectoryDrive } from './directory/directory-drive.js';
import { NativeDrive } from './native/native-drive.js';
import { ScsiChanger } from './native/scsi-changer.js';
import { type CreateLibraryOptions, createVirtualLibrary, isVirtualLibrary, openVirtualLibrary } from './virtual/library.js';

export interface OpenDeviceSpec {
  /** The Backup-Device name: "vtl:<dir>", a directory, or a device node. */
  device: string;
  /** The changer device, if one was configured. */
  changerDevice?: string;
  /**
   * 0-based drive number inside the changer, as afbackup stores it and as
   * config/device-spec.ts's DeviceSpec.drive holds it (written 1-based after "=").
   */
  drive?: number;
}

export type VirtualLibraryDefaults = Pick<CreateLibraryOptions, 'capacity' | 'earlyWarning' | 'slots' | 'drives'> &
  Partial<Pick<CreateLibraryOptions, 'ports' | 'barcodePrefix' | 'cartridges' | 'syncOnClose'>>;

export interface OpenDeviceOptions {
  /** Shape of a virtual library created on first use (default DEFAULT_VIRTUAL_LIBRARY). */
  virtual?: VirtualLibraryDefaults;
}

export interface OpenedDevice {
  drive: TapeDrive;
  changer?: MediaChanger;
  kind: 'virtual' | 'directory' | 'native';
}

/** A library created without options: 8 cartridges of 8 GiB, 64 MiB early warning, one drive. */
export const DEFAULT_VIRTUAL_LIBRARY: Readonly<VirtualLibraryDefaults> = Object.freeze({
  capacity: 8 * 2 ** 30,
  earlyWarning: 64 * 2 ** 20,
  slots: 8,
  drives: 1,
});

export function openDevice(spec: OpenDeviceSpec, opts: OpenDeviceOptions = {}): OpenedDevice {
  const name = spec.device;
  if (name === '' || name === '-') throw new AfError('DEVICE_MISSING', 'no backup device is configured');
  if (name.startsWith('vtl:')) return openVirtual(spec, opts);

  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(name);
  } catch {
    throw new AfError('DEVICE_MISSING', `"${name}" does not exist`);
  }
  let st: fs.Stats | undefined = lst;
  if (lst.isSymbolicLink()) {
    try {
      st = fs.statSync(name);
    } catch {
      st = undefined; // a dangling symlink: a directory device with no cartridge in it
    }
  }
  if (st === undefined || st.isDirectory()) return { drive: new DirectoryDrive(name), kind: 'directory' };
  if (st.isCharacterDevice()) {
    // A SCSI changer named in the device spec (`/dev/nst0@/dev/sg1`) moves the cartridges.
    const changer = spec.changerDevice && isCharacterDevice(spec.changerDevice) ? new ScsiChanger(spec.changerDevice) : undefined;
    return { drive: new NativeDrive(name), changer, kind: 'native' };
  }
  if (st.isFile()) {
    throw new AfError('CONFIG_ERROR', `"${name}" is a regular file; a single-file tape is not supported, use a directory or vtl:<dir>`);
  }
  throw new AfError('CONFIG_ERROR', `"${name}" is neither a tape drive nor a directory`);
}

function openVirtual(spec: OpenDeviceSpec, opts: OpenDeviceOptions): OpenedDevice {
  let rest = spec.device.slice(4);
  let drive = spec.drive ?? 0;
  const eq = /^(.*?)\s*=\s*([0-9]+)$/.exec(rest);
  if (eq) {
    const written = Number(eq[2]) - 1;
    if (spec.drive !== undefined && spec.drive !== written) {
      throw new AfError('CONFIG_ERROR', `"${spec.device}" names drive ${written + 1}, the specification drive ${spec.drive + 1}`);
    }
    rest = eq[1];
    drive = written;
  }
  if (rest === '') throw new AfError('CONFIG_ERROR', '"vtl:" needs a library directory');
  const dir = path.resolve(rest);
  if (spec.changerDevice !== undefined && spec.changerDevice.startsWith('vtl:') && path.resolve(spec.changerDevice.slice(4)) !== dir) {
    throw new AfError('CONFIG_ERROR', `the changer "${spec.changerDevice}" is not the library of "${spec.device}"`);
  }
  let lib;
  if (isVirtualLibrary(dir)) {
    lib = openVirtualLibrary(dir);
  } else {
    try {
      lib = createVirtualLibrary(dir, { ...DEFAULT_VIRTUAL_LIBRARY, ...opts.virtual });
    } catch (e) {
      // Another process created it in the meantime.
      if (!isVirtualLibrary(dir)) throw e;
      lib = openVirtualLibrary(dir);
    }
  }
  return { drive: lib.drive(drive + 1), changer: lib.changer, kind: 'virtual' };
}

function isCharacterDevice(p: string): boolean {
  try {
    return fs.statSync(p).isCharacterDevice();
  } catch {
    return false;
  }
}
