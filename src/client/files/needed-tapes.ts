/**
 * `needed_tapes`: which cartridges each backup (by its number) needs for a restore,
 * per level and server (spec §6.3).
 *
 *   <num>: <level>><ranges>[@<serverid>] <level>><ranges>[@<serverid>] ...
 *   e.g. `1: 2147483647>1@vm:/etc/afbackup/server.conf 0>1@vm:/etc/afbackup/server.conf`
 *
 * A key/value file in numeric order. Items are separated by single blanks; the
 * server id (if any) follows the first `@` and holds no blank.
 */
import { colonKey, formatEntries, parseKeyedLines, placeEntry, withSource, type Fail } from '../../state/line-model.js';
import { formatRanges, isEmpty, readRanges, type RangeList } from '../../state/range-list.js';
import type { StateCodec } from '../../state/state-file.js';

export interface NeededItem {
  readonly level: number;
  readonly tapes: RangeList;
  readonly serverId?: string;
}

export interface NeededEntry {
  readonly num: number;
  readonly items: readonly NeededItem[];
}

export interface NeededTapes {
  readonly entries: readonly NeededEntry[];
}

const ITEM_RE = /^(\d+)>([^@]*)(?:@(.*))?$/;

export function formatItem(item: NeededItem): string {
  return `${item.level}>${formatRanges(item.tapes)}${item.serverId !== undefined ? `@${item.serverId}` : ''}`;
}

function canonical(e: NeededEntry): string {
  return `${e.num}: ${e.items.map(formatItem).join(' ')}`;
}

function parseItem(text: string, fail: Fail): NeededItem {
  const m = ITEM_RE.exec(text);
  if (!m) return fail(`"${text}" is not <level>><cartridges>[@<server id>]`);
  const r = readRanges(m[2]!);
  if (!r.ok) return fail(`the cartridges of "${text}" are not a range list (${r.reason})`);
  if (isEmpty(r.ranges)) return fail(`"${text}" names no cartridge`);
  if (m[3] === '') return fail(`"${text}" has an empty server id after "@"`);
  return { level: Number(m[1]), tapes: r.ranges, ...(m[3] !== undefined ? { serverId: m[3] } : {}) };
}

export function empty(): NeededTapes {
  return { entries: [] };
}

export function parse(text: string, file: string): NeededTapes {
  const entries = parseKeyedLines<NeededEntry>(text, file, (l, fail) => {
    const num = colonKey('num', l.key, fail);
    if (l.value.includes('\t')) fail('a TAB inside the value (items are separated by single blanks)');
    const words = l.value.split(' ');
    if (words.some((w) => w === '')) fail('two blanks in a row or a blank at the end of the line');
    return { num, items: words.map((w) => parseItem(w, fail)) };
  });
  return withSource({ entries }, text);
}

export function format(model: NeededTapes): string {
  return formatEntries(model, canonical);
}

export function set(model: NeededTapes, num: number, items: readonly NeededItem[]): NeededTapes {
  if (items.length === 0) return remove(model, num);
  return { entries: placeEntry(model.entries, `${num}:`, { num, items }, 'numeric', canonical) };
}

export function remove(model: NeededTapes, num: number): NeededTapes {
  return { entries: placeEntry(model.entries, `${num}:`, null, 'none', canonical) };
}

export function get(model: NeededTapes, num: number): readonly NeededItem[] | undefined {
  return model.entries.find((e) => e.num === num)?.items;
}

export const codec: StateCodec<NeededTapes> = { parse, format, empty };
