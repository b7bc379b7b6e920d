/**
 * The media inventory as the tape service sees it: positions, per-cartridge
 * records, continuation order, block sizes. One narrow interface over the var
 * directory's state files, so the tape service states what it needs and not how
 * each file is laid out (that is src/state/).
 */
import type { TapeRecord } from './cartridge-choice.js';

export interface Position {
  cart: number;
  file: number;
}

export interface Inventory {
  /** The tapepos device line: cartridge believed in the drive and its file. */
  drivePosition(device: string): Promise<Position | null>;
  setDrivePosition(device: string, pos: Position): Promise<void>;
  /** The tapepos line of a cartridge set (1-based): where the next write goes. */
  insertPosition(set: number): Promise<Position | null>;
  setInsertPosition(set: number, pos: Position): Promise<void>;

  tapes(): Promise<Map<number, TapeRecord>>;
  setTape(cart: number, rec: TapeRecord): Promise<void>;
  /** The tape filled up: tape_uses + 1 and the full flag in bytes_on_tape. */
  countTapeFull(cart: number, rec: TapeRecord): Promise<void>;

  readonlyTapes(): Promise<Set<number>>;
  preciousTapes(): Promise<Set<number>>;
  /** The precious_tapes value of one client, or null. */
  neededTapes(clientId: string): Promise<string | null>;

  /** cartridge_order: a stream that filled `from` went on at `to`/`file`. */
  setSuccessor(from: number, to: Position): Promise<void>;
  successor(cart: number): Promise<Position | null>;

  addBlockSize(bs: number): Promise<void>;
  blockSizes(): Promise<number[]>;

  setStatus(text: string): Promise<void>;
  writeClientMessage(text: string): Promise<void>;
}
