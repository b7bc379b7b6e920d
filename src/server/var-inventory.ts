/**
 * The Inventory of the tape service, kept in afbackup's state files of the var
 * directory (tapepos, bytes_on_tape, tape_uses, cartridge_order, precious_tapes,
 * readonly_tapes, ever_used_blocksizes, status, client_message). Every change is
 * one StateFile.update: lock, reload, mutate, atomic write.
 */
import type { VarDir } from '../state/var-dir.js';
import * as tapepos from '../state/tapepos.js';
import * as bytesOnTape from '../state/bytes-on-tape.js';
import * as tapeUses from '../state/tape-uses.js';
import * as cartridgeOrder from '../state/cartridge-order.js';
import * as precious from '../state/precious-tapes.js';
import * as everUsed from '../state/ever-used-blocksizes.js';
import { numbers, formatRanges } from '../state/range-list.js';
import type { Inventory, Position } from './inventory.js';
import type { TapeRecord } from './cartridge-choice.js';

export class VarInventory implements Inventory {
  constructor(private readonly v: VarDir) {}

  async drivePosition(device: string): Promise<Position | null> {
    return tapepos.getDevicePos(await this.v.tapepos.read(), device) ?? null;
  }
  async setDrivePosition(device: string, pos: Position): Promise<void> {
    await this.v.tapepos.update((m) => tapepos.setDevicePos(m, device, pos.cart, pos.file));
  }
  async insertPosition(set: number): Promise<Position | null> {
    return tapepos.getInsertPos(await this.v.tapepos.read(), set) ?? null;
  }
  async setInsertPosition(set: number, pos: Position): Promise<void> {
    await this.v.tapepos.update((m) => tapepos.setInsertPos(m, set, pos.cart, pos.file));
  }

  async tapes(): Promise<Map<number, TapeRecord>> {
    const m = await this.v.bytesOnTape.read();
    return new Map(m.entries.map((e) => [e.cart, { bytes: e.bytes, files: e.files, full: e.full, lastWrite: e.lastWrite }]));
  }
  async setTape(cart: number, rec: TapeRecord): Promise<void> {
    await this.v.bytesOnTape.update((m) => bytesOnTape.set(m, { cart, ...rec }));
  }
  async countTapeFull(cart: number, rec: TapeRecord): Promise<void> {
    await this.v.tapeUses.update((m) => tapeUses.increment(m, cart));
    await this.setTape(cart, { ...rec, full: true });
  }

  async readonlyTapes(): Promise<Set<number>> {
    return new Set(numbers((await this.v.readonlyTapes.read()).tapes));
  }
  async preciousTapes(): Promise<Set<number>> {
    return new Set(numbers(precious.allTapes(await this.v.preciousTapes.read())));
  }
  async neededTapes(clientId: string): Promise<string | null> {
    const r = precious.get(await this.v.preciousTapes.read(), clientId);
    return r ? formatRanges(r) : null;
  }

  async setSuccessor(from: number, to: Position): Promise<void> {
    await this.v.cartridgeOrder.update((m) => cartridgeOrder.setSuccessor(m, from, to.cart, to.file));
  }
  async successor(cart: number): Promise<Position | null> {
    return cartridgeOrder.continuation(await this.v.cartridgeOrder.read(), cart) ?? null;
  }

  async addBlockSize(bs: number): Promise<void> {
    const m = await this.v.everUsedBlocksizes.read();
    if (everUsed.sizes(m).includes(bs)) return;
    await this.v.everUsedBlocksizes.update((x) => everUsed.add(x, bs));
  }
  async blockSizes(): Promise<number[]> {
    return everUsed.sizes(await this.v.everUsedBlocksizes.read());
  }

  async setStatus(text: string): Promise<void> {
    await this.v.status.write(text);
  }
  async writeClientMessage(text: string): Promise<void> {
    await this.v.clientMessage.write(text);
  }
}
