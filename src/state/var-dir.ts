/**
 * The server's var directory: the one place that knows the state file names, their
 * codecs and their creation modes. Everything else reaches state files through it.
 *
 * Tape-Pos-File and Status-file may be configured elsewhere (the latter with a
 * leading `>>` for append mode); all other files live in the directory.
 */
import path from 'node:path';
import { sweepTempFiles } from './atomic-write.js';
import * as bytesOnTape from './bytes-on-tape.js';
import * as cartridgeLocations from './cartridge-locations.js';
import * as cartridgeNames from './cartridge-names.js';
import * as cartridgeOrder from './cartridge-order.js';
import { ClientMessageFile } from './client-message.js';
import * as everUsedBlocksizes from './ever-used-blocksizes.js';
import * as preciousTapes from './precious-tapes.js';
import * as readonlyTapes from './readonly-tapes.js';
import { StateFile } from './state-file.js';
import { StatusFile } from './status.js';
import * as tapeUses from './tape-uses.js';
import * as tapepos from './tapepos.js';

/** File names inside the var directory, as afbackup 3.5.8 names them. */
export const STATE_FILE_NAMES = {
  tapepos: 'tapepos',
  bytesOnTape: 'bytes_on_tape',
  tapeUses: 'tape_uses',
  cartridgeOrder: 'cartridge_order',
  preciousTapes: 'precious_tapes',
  readonlyTapes: 'readonly_tapes',
  everUsedBlocksizes: 'ever_used_blocksizes',
  cartridgeLocations: 'cartridge_locations',
  cartridgeNames: 'cartridge_names',
  status: 'status',
  clientMessage: 'client_message',
} as const;

export interface VarDirOptions {
  /** Tape-Pos-File (default `<dir>/tapepos`). */
  tapePosFile?: string;
  /** Status-file, possibly `>>path` (default `<dir>/status`). */
  statusFile?: string;
  /** Lock wait limit for every state file (default 10 s). */
  lockTimeoutMs?: number;
}

export class VarDir {
  readonly tapepos: StateFile<tapepos.TapePos>;
  readonly bytesOnTape: StateFile<bytesOnTape.BytesOnTape>;
  readonly tapeUses: StateFile<tapeUses.TapeUses>;
  readonly cartridgeOrder: StateFile<cartridgeOrder.CartridgeOrder>;
  readonly preciousTapes: StateFile<preciousTapes.PreciousTapes>;
  readonly readonlyTapes: StateFile<readonlyTapes.ReadonlyTapes>;
  readonly everUsedBlocksizes: StateFile<everUsedBlocksizes.EverUsedBlocksizes>;
  readonly cartridgeLocations: StateFile<cartridgeLocations.CartridgeLocations>;
  readonly cartridgeNames: StateFile<cartridgeNames.CartridgeNames>;
  readonly status: StatusFile;
  readonly clientMessage: ClientMessageFile;

  constructor(
    readonly dir: string,
    opts: VarDirOptions = {},
  ) {
    const at = (name: string) => path.join(dir, name);
    const lock = opts.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: opts.lockTimeoutMs };
    const n = STATE_FILE_NAMES;
    this.tapepos = new StateFile(opts.tapePosFile ?? at(n.tapepos), tapepos.codec, lock);
    this.bytesOnTape = new StateFile(at(n.bytesOnTape), bytesOnTape.codec, lock);
    this.tapeUses = new StateFile(at(n.tapeUses), tapeUses.codec, lock);
    this.cartridgeOrder = new StateFile(at(n.cartridgeOrder), cartridgeOrder.codec, lock);
    this.preciousTapes = new StateFile(at(n.preciousTapes), preciousTapes.codec, lock);
    this.readonlyTapes = new StateFile(at(n.readonlyTapes), readonlyTapes.codec, { ...lock, mode: 0o600 });
    this.everUsedBlocksizes = new StateFile(at(n.everUsedBlocksizes), everUsedBlocksizes.codec, lock);
    this.cartridgeLocations = new StateFile(at(n.cartridgeLocations), cartridgeLocations.codec, lock);
    this.cartridgeNames = new StateFile(at(n.cartridgeNames), cartridgeNames.codec, lock);
    this.status = new StatusFile(opts.statusFile ?? at(n.status));
    this.clientMessage = new ClientMessageFile(at(n.clientMessage), lock.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: lock.lockTimeoutMs });
  }

  /** Removes temporaries left by interrupted atomic writes of our files (call at server start). */
  async sweepTempFiles(): Promise<string[]> {
    const byDir = new Map<string, Set<string>>();
    const files = [
      this.tapepos.path,
      this.bytesOnTape.path,
      this.tapeUses.path,
      this.cartridgeOrder.path,
      this.preciousTapes.path,
      this.readonlyTapes.path,
      this.everUsedBlocksizes.path,
      this.cartridgeLocations.path,
      this.cartridgeNames.path,
      this.status.path,
      this.clientMessage.path,
    ];
    for (const f of files) {
      const d = path.dirname(f);
      if (!byDir.has(d)) byDir.set(d, new Set());
      byDir.get(d)!.add(path.basename(f));
    }
    const removed: string[] = [];
    for (const [d, names] of byDir) removed.push(...(await sweepTempFiles(d, { baseNames: [...names] })));
    return removed;
  }
}
