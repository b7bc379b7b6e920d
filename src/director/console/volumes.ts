/**
 * One idea: the cartridges of one tape server as `list volumes` shows them, read from
 * the server's own state files when its afserver.conf is readable on this host
 * (TapeServer `Server Config =`): for every cartridge 1..Number-Of-Cartridges its
 * cartridge set, bytes and tape files written (bytes_on_tape), full, read-only
 * (readonly_tapes), the clients for which it is precious (precious_tapes, including
 * the administrator's protection), where it is (cartridge_locations, or the drive
 * according to tapepos), its label name (cartridge_names), how often it filled
 * (tape_uses), and whether a set writes to it next (tapepos).
 *
 * Reading takes each state file's shared lock, as every reader of the var directory
 * does; nothing is written.
 */
import os from 'node:os';
import { defaultInstallPaths } from '../../config/install-paths.js';
import { expandRanges } from '../../config/ranges.js';
import { loadServerConfig } from '../../config/server-config.js';
import { AfError, isAfError } from '../../errors.js';
import { VarDir } from '../../state/var-dir.js';
import { ADMIN_KEY } from '../../state/precious-tapes.js';

export interface Volume {
  readonly cartridge: number;
  readonly set: number | null;
  readonly label: string | null;
  readonly bytes: number;
  readonly tapeFiles: number;
  readonly full: boolean;
  readonly readOnly: boolean;
  /** Client ids that still need it; "*admin*" for the administrator's protection. */
  readonly preciousFor: readonly string[];
  readonly location: string | null;
  readonly inDrive: string | null;
  /** The cartridge sets whose next write goes to this cartridge, with the file. */
  readonly nextWriteOf: ReadonlyArray<{ set: number; file: number }>;
  readonly lastWrite: string | null;
  readonly uses: number;
}

export const ADMIN_OWNER = '*admin*';

export async function readVolumes(serverConfigFile: string): Promise<Volume[]> {
  let config;
  try {
    config = (await loadServerConfig(serverConfigFile, { paths: defaultInstallPaths(), hostname: os.hostname() })).config;
  } catch (e) {
    if (isAfError(e, 'CONFIG_ERROR')) throw new AfError('CONFIG_SYNTAX', e.detail, { cause: e });
    throw e;
  }
  const vd = new VarDir(config.varDirectory, { tapePosFile: config.tapePosFile, statusFile: config.statusFile });
  const [bytes, precious, readonly, locations, names, tapepos, uses] = await Promise.all([
    vd.bytesOnTape.read(),
    vd.preciousTapes.read(),
    vd.readonlyTapes.read(),
    vd.cartridgeLocations.read(),
    vd.cartridgeNames.read(),
    vd.tapepos.read(),
    vd.tapeUses.read(),
  ]);
  const roSet = new Set(expandRanges(readonly.tapes));
  const preciousBy = new Map<number, string[]>();
  for (const e of precious.entries) {
    for (const c of expandRanges(e.tapes)) {
      const list = preciousBy.get(c) ?? [];
      list.push(e.client === ADMIN_KEY ? ADMIN_OWNER : e.client);
      preciousBy.set(c, list);
    }
  }
  const out: Volume[] = [];
  for (let c = 1; c <= config.numberOfCartridges; c++) {
    const b = bytes.entries.find((e) => e.cart === c);
    const loc = locations.entries.find((e) => e.cart === c)?.location;
    const drive = tapepos.entries.find((e) => e.kind === 'device' && e.cart === c);
    const label = names.entries.find((e) => e.cart === c);
    out.push({
      cartridge: c,
      set: config.cartridgeSets.setOfCartridge(c) ?? null,
      label: label ? [label.barcode, label.description].filter(Boolean).join(' ') || null : null,
      bytes: b?.bytes ?? 0,
      tapeFiles: b?.files ?? 0,
      full: b?.full ?? false,
      readOnly: roSet.has(c),
      preciousFor: preciousBy.get(c) ?? [],
      location: loc ? (loc.kind === 'changer' ? `${loc.changer} ${loc.place} ${loc.index}` : loc.text) : null,
      inDrive: drive && drive.kind === 'device' ? drive.device ?? 'drive' : null,
      nextWriteOf: tapepos.entries.flatMap((e) => (e.kind === 'set' && e.cart === c ? [{ set: e.set, file: e.file }] : [])),
      lastWrite: b && b.lastWrite > 0 ? new Date(b.lastWrite * 1000).toISOString() : null,
      uses: uses.entries.find((e) => e.cart === c)?.uses ?? 0,
    });
  }
  return out;
}
