/**
 * From SCSI element addresses to the MediaChanger model: drives, slots and import/export
 * ports each numbered from 1 in address order, with barcodes and the source slot of a
 * loaded drive; and back, from a numbered element to the address MOVE MEDIUM needs.
 */
import { AfError } from '../../errors.js';
import type { Element } from '../tape-drive.js';
import type { ElementStatus } from './element-status.js';

/** Element addresses by our numbering: drives[0] is the address of drive 1, and so on. */
export interface ElementMap {
  /** Address of the first robot arm, 0 when the changer reports none (0 = "the default transport"). */
  transport: number;
  drives: number[];
  slots: number[];
  ioports: number[];
}

const byAddress = (a: ElementStatus, b: ElementStatus): number => a.address - b.address;

/** The numbering of a changer's elements: addresses sorted ascending within each kind. */
export function elementMap(statuses: readonly ElementStatus[]): ElementMap {
  const of = (t: ElementStatus['type']): number[] =>
    statuses
      .filter((s) => s.type === t)
      .sort(byAddress)
      .map((s) => s.address);
  return { transport: of('transport')[0] ?? 0, drives: of('dataTransfer'), slots: of('storage'), ioports: of('importExport') };
}

/**
 * The inventory in the MediaChanger model: drives, then slots, then ports, each in
 * number order. A full drive's sourceSlot is set when the changer reports a valid source
 * that is a storage slot (a cartridge loaded from a port has none).
 */
export function toElements(statuses: readonly ElementStatus[]): Element[] {
  const map = elementMap(statuses);
  const slotNumber = new Map(map.slots.map((addr, i) => [addr, i + 1]));
  const out: Element[] = [];
  const add = (kind: Element['kind'], type: ElementStatus['type']): void => {
    const list = statuses.filter((s) => s.type === type).sort(byAddress);
    list.forEach((s, i) => {
      const e: Element = { kind, number: i + 1, full: s.full };
      const barcode = s.primaryVolumeTag?.barcode;
      if (s.full && barcode) e.barcode = barcode;
      if (kind === 'drive' && s.full && s.sourceAddress !== undefined) {
        const slot = slotNumber.get(s.sourceAddress);
        if (slot !== undefined) e.sourceSlot = slot;
      }
      out.push(e);
    });
  };
  add('drive', 'dataTransfer');
  add('slot', 'storage');
  add('ioport', 'importExport');
  return out;
}

/** The element address of a numbered drive, slot or port; CHANGER_FAILED when there is no such element. */
export function addressOf(map: ElementMap, kind: Element['kind'], number: number): number {
  const list = kind === 'drive' ? map.drives : kind === 'slot' ? map.slots : map.ioports;
  const addr = Number.isInteger(number) ? list[number - 1] : undefined;
  if (addr === undefined) {
    const name = kind === 'ioport' ? 'import/export port' : kind;
    throw new AfError('CHANGER_FAILED', `no ${name} ${number}: the changer has ${list.length}`);
  }
  return addr;
}
