/**
 * The tape position file (`tapepos`, path = Tape-Pos-File): where each drive is and
 * where each cartridge set writes next.
 *
 *   <devicename> <cart> <file>     the cartridge believed in that drive, current file
 *   <set>: <cart> <file>           next write (insert) position of cartridge set <set>
 *
 * A key/value file in numeric order, so a device line (no leading number) stays
 * where it is and new set lines go after it, as afbackup writes them.
 *
 * The old format (before 3.x) holds only numbers: the first pair is the drive, the
 * following pairs are sets 1, 2, ... It is read into a "legacy" model whose drive
 * entry has no device name (device null); setting a device position converts it to
 * the new format, as afbackup does on its first write.
 */
import { entryLine } from './kfile.js';
import { colonKey, decimal, formatEntries, parseKeyedLines, placeEntry, sourceOf, splitFields, splitLines, withSource } from './line-model.js';
import { contains, toRanges, type RangeList } from './range-list.js';
import { stateSyntax } from './state-errors.js';
import type { StateCodec } from './state-file.js';
import { AfError } from '../errors.js';

export interface Position {
  readonly cart: number;
  readonly file: number;
}

export interface DeviceEntry extends Position {
  readonly kind: 'device';
  /** null only in a model read from the old format, where the file names no device. */
  readonly device: string | null;
}

export interface SetEntry extends Position {
  readonly kind: 'set';
  readonly set: number;
}

export type TapePosEntry = DeviceEntry | SetEntry;

export interface TapePos {
  readonly entries: readonly TapePosEntry[];
}

/** The old format starts with two integers (afbackup tests `fscanf("%d%d") == 2`). */
const LEGACY_START = /^[ \t\n\v\f\r]*[+-]?\d+[ \t\n\v\f\r]+[+-]?\d+/;

function canonical(e: TapePosEntry): string {
  return e.kind === 'set' ? `${e.set}: ${e.cart} ${e.file}` : entryLine(e.device ?? '', `${e.cart} ${e.file}`);
}

export function empty(): TapePos {
  return { entries: [] };
}

export function isLegacy(model: TapePos): boolean {
  return model.entries.some((e) => e.kind === 'device' && e.device === null);
}

function parseLegacy(text: string, file: string): TapePos {
  const numbers: { n: number; line: number; text: string }[] = [];
  splitLines(text).forEach((lineText, i) => {
    for (const token of lineText.split(/[ \t\v\f\r]+/)) {
      if (token === '') continue;
      if (!/^\d+$/.test(token)) throw stateSyntax(file, i + 1, `"${token}" is not a number (old two-number format)`, lineText);
      numbers.push({ n: Number(token), line: i + 1, text: lineText });
    }
  });
  if (numbers.length % 2 !== 0) {
    const last = numbers[numbers.length - 1]!;
    throw stateSyntax(file, last.line, 'odd count of numbers (old format needs <cart> <file> pairs)', last.text);
  }
  const entries: TapePosEntry[] = [];
  for (let i = 0; i < numbers.length; i += 2) {
    const cart = numbers[i]!.n;
    const pos = numbers[i + 1]!.n;
    entries.push(
      Object.freeze(
        i === 0
          ? { kind: 'device' as const, device: null, cart, file: pos }
          : { kind: 'set' as const, set: i / 2, cart, file: pos },
      ),
    );
  }
  return withSource({ entries }, text);
}

export function parse(text: string, file: string): TapePos {
  if (LEGACY_START.test(text)) return parseLegacy(text, file);
  const entries = parseKeyedLines<TapePosEntry>(text, file, (l, fail) => {
    const [c, f] = splitFields(l.value, ['cart', 'file'], fail);
    const cart = decimal('cart', c!, fail);
    const pos = decimal('file', f!, fail);
    if (/^\d+:$/.test(l.key)) {
      const set = colonKey('set', l.key, fail);
      if (set < 1) fail('cartridge set 0 does not exist');
      return { kind: 'set', set, cart, file: pos };
    }
    return { kind: 'device', device: l.key, cart, file: pos };
  });
  return withSource({ entries }, text);
}

function formatLegacy(model: TapePos): string {
  const device = model.entries.find((e): e is DeviceEntry => e.kind === 'device');
  const sets = model.entries.filter((e): e is SetEntry => e.kind === 'set').sort((a, b) => a.set - b.set);
  if (!device || sets.some((s, i) => s.set !== i + 1)) {
    throw new AfError('INTERNAL', 'an old-format tapepos can only hold the drive and sets 1..n; convert it first');
  }
  return [device, ...sets].map((e) => `${e.cart} ${e.file}\n`).join('');
}

export function format(model: TapePos): string {
  if (isLegacy(model)) return sourceOf(model) ?? formatLegacy(model);
  return formatEntries(model, canonical);
}

export const codec: StateCodec<TapePos> = { parse, format, empty };

/** Turns an old-format model into the new format, naming its drive `device`. */
export function convertLegacy(model: TapePos, device: string): TapePos {
  if (!isLegacy(model)) return model;
  const drive = model.entries.find((e): e is DeviceEntry => e.kind === 'device')!;
  const sets = model.entries.filter((e): e is SetEntry => e.kind === 'set').sort((a, b) => a.set - b.set);
  return { entries: [{ kind: 'device', device, cart: drive.cart, file: drive.file }, ...sets.map((s) => ({ ...s }))] };
}

/** Position recorded for `device` (in an old-format model: the unnamed drive entry). */
export function getDevicePos(model: TapePos, device: string): Position | undefined {
  const named = model.entries.find((e) => e.kind === 'device' && e.device === device);
  const found = named ?? model.entries.find((e) => e.kind === 'device' && e.device === null);
  return found ? { cart: found.cart, file: found.file } : undefined;
}

export function setDevicePos(model: TapePos, device: string, cart: number, file: number): TapePos {
  const base = convertLegacy(model, device);
  const entry: DeviceEntry = { kind: 'device', device, cart, file };
  return { entries: placeEntry(base.entries, device, entry, 'numeric', canonical) };
}

export function getInsertPos(model: TapePos, set: number): Position | undefined {
  const found = model.entries.find((e) => e.kind === 'set' && e.set === set);
  return found ? { cart: found.cart, file: found.file } : undefined;
}

export function setInsertPos(model: TapePos, set: number, cart: number, file: number): TapePos {
  const entry: SetEntry = { kind: 'set', set, cart, file };
  if (isLegacy(model)) {
    const others = model.entries.filter((e) => !(e.kind === 'set' && e.set === set));
    return { entries: [...others, entry] };
  }
  return { entries: placeEntry(model.entries, `${set}:`, entry, 'numeric', canonical) };
}

/**
 * afbackup's complete rewrite after a move: the drive's position first, then the
 * insert position of every set (sets numbered from 1 in array order).
 */
export function record(model: TapePos, device: string, drive: Position, inserts: readonly Position[]): TapePos {
  let m = setDevicePos(model, device, drive.cart, drive.file);
  inserts.forEach((p, i) => {
    m = setInsertPos(m, i + 1, p.cart, p.file);
  });
  return m;
}

/** ReuseTapes: a set whose insert cartridge is one of `tapes` writes from file 1 again. */
export function resetSetsOnTapes(model: TapePos, tapes: RangeList | Iterable<number>): TapePos {
  const list = toRanges(tapes);
  let m = model;
  for (const e of model.entries) {
    if (e.kind === 'set' && contains(list, e.cart) && e.file !== 1) m = setInsertPos(m, e.set, e.cart, 1);
  }
  return m;
}
