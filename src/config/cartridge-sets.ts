/**
 * Cartridge sets: which cartridges belong to which set, and which hosts may use a set.
 *
 * `Cartridge-Sets: 1-5 6-8:alpha,beta 9-:"|/usr/local/bin/may-use %H" 10:/etc/hosts-c`
 * defines sets 1, 2, 3, ... in the order written; blanks separate sets, so the ranges
 * of one set are written without blanks (`1-3,7`). The text after the first colon is a
 * host selector (see host-selector.ts); a set without one is open to every host. Sets
 * must not share a cartridge, and every cartridge must lie in 1..Number Of Cartridges.
 * The obsolete `Last-Cartridges: 5 8 10` lists the last cartridge of each set instead.
 * Without either key there is one set holding all cartridges.
 */
import { AfError } from '../errors.js';
import { type HostSelector, type SelectorResolver, hostMatches, parseHostSelector } from './host-selector.js';
import { type Range, expandRanges, formatRanges, intersectRanges, parseRanges, rangesContain } from './ranges.js';
import { splitAtColon, splitWords } from './words.js';

export interface CartridgeSet {
  /** 1-based set number, as on the wire (`s`, `q`). */
  readonly number: number;
  readonly ranges: readonly Range[];
  /** Hosts allowed to use the set; undefined means every host. */
  readonly access?: HostSelector;
}

export type CartridgeSetSource = 'Cartridge-Sets' | 'Last-Cartridges' | 'default';

export class CartridgeSets {
  constructor(
    readonly sets: readonly CartridgeSet[],
    /** Which configuration key the sets came from. */
    readonly source: CartridgeSetSource,
  ) {}

  get count(): number {
    return this.sets.length;
  }

  /** The set (1-based) that holds the cartridge, or undefined when none does. */
  setOfCartridge(cartridge: number): number | undefined {
    return this.sets.find((s) => rangesContain(s.ranges, cartridge))?.number;
  }

  /** The cartridges of a set, ascending; empty for a set that does not exist. */
  cartridgesOfSet(set: number): number[] {
    const found = this.sets[set - 1];
    return found ? expandRanges(found.ranges) : [];
  }

  /** The set with this 1-based number, if it exists. */
  get(set: number): CartridgeSet | undefined {
    return this.sets[set - 1];
  }

  /** Whether the client host may use the set; false for a set that does not exist. */
  async mayUse(set: number, clientHost: string, resolver: SelectorResolver): Promise<boolean> {
    const found = this.sets[set - 1];
    return found ? hostMayUseSet(found, clientHost, resolver) : false;
  }
}

/** Whether the client host may use the set (selector check through the resolver). */
export async function hostMayUseSet(set: CartridgeSet, clientHost: string, resolver: SelectorResolver): Promise<boolean> {
  return set.access === undefined ? true : hostMatches(set.access, clientHost, resolver);
}

/** The single set 1..N used when no set is configured. */
export function defaultCartridgeSets(numberOfCartridges: number): CartridgeSets {
  return new CartridgeSets([{ number: 1, ranges: [[1, numberOfCartridges]] }], 'default');
}

/** Parses the value of Cartridge-Sets. Throws CONFIG_SYNTAX for bad ranges or overlaps. */
export function parseCartridgeSets(text: string, numberOfCartridges: number): CartridgeSets {
  const sets: CartridgeSet[] = [];
  for (const word of splitWords(text)) {
    const [rangeText, selectorText] = splitAtColon(word);
    const ranges = parseRanges(rangeText, { first: 1, last: numberOfCartridges });
    if (ranges.length === 0) throw new AfError('CONFIG_SYNTAX', `cartridge set "${word.text}" holds no cartridge`);
    checkWithin(ranges, numberOfCartridges, word.text);
    const set: CartridgeSet =
      selectorText === undefined || selectorText.trim() === ''
        ? { number: sets.length + 1, ranges }
        : { number: sets.length + 1, ranges, access: parseHostSelector(selectorText) };
    sets.push(set);
  }
  if (sets.length === 0) return defaultCartridgeSets(numberOfCartridges);
  checkNoOverlap(sets);
  return new CartridgeSets(sets, 'Cartridge-Sets');
}

/** Parses the obsolete Last-Cartridges value: the last cartridge of each set, ascending. */
export function parseLastCartridges(text: string, numberOfCartridges: number): CartridgeSets {
  const words = text.split(/[\s,;]+/).filter((w) => w !== '');
  const sets: CartridgeSet[] = [];
  let previous = 0;
  for (const w of words) {
    if (!/^\d+$/.test(w)) throw new AfError('CONFIG_SYNTAX', `"${w}" in Last-Cartridges "${text.trim()}" is not a number`);
    const last = Number(w);
    if (last <= previous) {
      throw new AfError('CONFIG_SYNTAX', `Last-Cartridges "${text.trim()}" must list increasing cartridge numbers`);
    }
    if (last > numberOfCartridges) {
      throw new AfError(
        'CONFIG_SYNTAX',
        `cartridge ${last} in Last-Cartridges exceeds the Number Of Cartridges (${numberOfCartridges})`,
      );
    }
    sets.push({ number: sets.length + 1, ranges: [[previous + 1, last]] });
    previous = last;
  }
  if (sets.length === 0) return defaultCartridgeSets(numberOfCartridges);
  return new CartridgeSets(sets, 'Last-Cartridges');
}

/** Throws CONFIG_SYNTAX when two sets share a cartridge. */
export function checkNoOverlap(sets: readonly CartridgeSet[]): void {
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const shared = intersectRanges(sets[i]!.ranges, sets[j]!.ranges);
      if (shared.length > 0) {
        throw new AfError(
          'CONFIG_SYNTAX',
          `cartridge sets ${sets[i]!.number} and ${sets[j]!.number} overlap in cartridges ${formatRanges(shared)}`,
        );
      }
    }
  }
}

function checkWithin(ranges: readonly Range[], numberOfCartridges: number, text: string): void {
  for (const [lo, hi] of ranges) {
    if (lo < 1 || hi > numberOfCartridges) {
      throw new AfError(
        'CONFIG_SYNTAX',
        `cartridge set "${text}" names cartridges outside 1-${numberOfCartridges} (the Number Of Cartridges)`,
      );
    }
  }
}
