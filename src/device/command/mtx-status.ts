/**
 * Parsing the text `mtx -f <changer> status` prints into the MediaChanger model.
 *
 * mtx numbers drives from 0 and storage elements from 1, import/export elements
 * included (it lists them as "Storage Element N IMPORT/EXPORT", usually after the
 * slots). Our model numbers drives, slots and ports each from 1, so drive d is our
 * drive d + 1, and slots and ports are counted separately in mtx order. The
 * `numbering` result maps our numbers back to mtx's for the commands a runner issues.
 *
 * Lines that are neither the header nor an element line are ignored; an element line
 * that does not parse, or counts that disagree with the header, are CHANGER_FAILED
 * (the output was cut short or is not mtx's).
 */
import { AfError } from '../../errors.js';
import type { Element } from '../tape-drive.js';

export interface MtxHeader {
  /** The changer device as mtx printed it. */
  device: string;
  drives: number;
  /** mtx's slot count: storage slots plus import/export elements. */
  slots: number;
  importExport: number;
}

/** One element line, as mtx numbered it and as we number it. */
export interface MtxElementLine {
  kind: Element['kind'];
  /** mtx's number: drives from 0, storage and import/export elements from 1. */
  mtxNumber: number;
  /** Our number: from 1 within the kind. */
  number: number;
  full: boolean;
  barcode?: string;
  alternateBarcode?: string;
  /** Drives: the mtx storage element number the cartridge came from, when mtx knows it. */
  sourceMtxNumber?: number;
}

/** mtx's number for each of our elements: drives[0] is mtx's number of our drive 1. */
export interface MtxNumbering {
  drives: number[];
  slots: number[];
  ioports: number[];
}

export interface MtxStatus {
  header?: MtxHeader;
  lines: MtxElementLine[];
  /** Drives, then slots, then ports, in number order. */
  elements: Element[];
  numbering: MtxNumbering;
}

const HEADER = /^\s*Storage\s+Changer\s+(.*?)\s*:\s*(\d+)\s+Drives?\s*,\s*(\d+)\s+Slots?\s*\(\s*(\d+)\s+Import\/Export\s*\)\s*$/i;
const DRIVE =
  /^\s*Data\s+Transfer\s+Element\s+(\d+)\s*:\s*(Full|Empty)\s*(?:\(\s*(?:Storage\s+Element\s+(\d+)|Unknown\s+Storage\s+Element)\s+Loaded\s*\))?\s*(.*)$/i;
const STORAGE = /^\s*Storage\s+Element\s+(\d+)(\s+IMPORT\/EXPORT)?\s*:\s*(Full|Empty)\s*(.*)$/i;
const TAGS = /^(?::\s*VolumeTag\s*=\s*(.*?)\s*)?(?::\s*AlternateVolumeTag\s*=\s*(.*?)\s*)?$/i;
const LOOKS_LIKE_ELEMENT = /^\s*(?:Data\s+Transfer|Storage)\s+Element\b/i;

function fail(lineNo: number, detail: string): never {
  throw new AfError('CHANGER_FAILED', `mtx status output, line ${lineNo}: ${detail}`);
}

/** Parses `mtx status` output. */
export function parseMtxStatus(output: string): MtxStatus {
  let header: MtxHeader | undefined;
  const raw: { kind: Element['kind']; mtxNumber: number; full: boolean; tags: string; source?: number; lineNo: number }[] = [];
  output.split('\n').forEach((rawLine, i) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const lineNo = i + 1;
    const h = HEADER.exec(line);
    if (h) {
      header = { device: h[1]!, drives: Number(h[2]), slots: Number(h[3]), importExport: Number(h[4]) };
      return;
    }
    const d = DRIVE.exec(line);
    if (d) {
      const entry: (typeof raw)[number] = { kind: 'drive', mtxNumber: Number(d[1]), full: /^full$/i.test(d[2]!), tags: d[4]!, lineNo };
      if (d[3] !== undefined) entry.source = Number(d[3]);
      raw.push(entry);
      return;
    }
    const s = STORAGE.exec(line);
    if (s) {
      raw.push({ kind: s[2] ? 'ioport' : 'slot', mtxNumber: Number(s[1]), full: /^full$/i.test(s[3]!), tags: s[4]!, lineNo });
      return;
    }
    if (LOOKS_LIKE_ELEMENT.test(line)) fail(lineNo, `cannot parse "${line.trim()}"`);
  });
  if (raw.length === 0) throw new AfError('CHANGER_FAILED', 'mtx status output lists no elements');

  const numbering: MtxNumbering = { drives: [], slots: [], ioports: [] };
  const listOf = (k: Element['kind']): number[] => (k === 'drive' ? numbering.drives : k === 'slot' ? numbering.slots : numbering.ioports);
  const sorted = [...raw].sort((a, b) => a.mtxNumber - b.mtxNumber);
  const seen = new Set<string>();
  for (const r of sorted) {
    const key = `${r.kind === 'drive' ? 'drive' : 'storage element'} ${r.mtxNumber}`;
    if (seen.has(key)) fail(r.lineNo, `${key} is listed twice`);
    seen.add(key);
    listOf(r.kind).push(r.mtxNumber);
  }
  if (header) {
    const { drives, slots, importExport } = header;
    if (numbering.drives.length !== drives || numbering.slots.length + numbering.ioports.length !== slots || numbering.ioports.length !== importExport) {
      throw new AfError(
        'CHANGER_FAILED',
        `mtx status output lists ${numbering.drives.length} drives, ${numbering.slots.length + numbering.ioports.length} slots ` +
          `(${numbering.ioports.length} import/export) where its header announces ${drives}, ${slots} (${importExport})`,
      );
    }
  }

  const lines: MtxElementLine[] = sorted.map((r) => {
    const t = TAGS.exec(r.tags);
    if (!t) fail(r.lineNo, `cannot parse the volume tags "${r.tags.trim()}"`);
    const line: MtxElementLine = { kind: r.kind, mtxNumber: r.mtxNumber, number: listOf(r.kind).indexOf(r.mtxNumber) + 1, full: r.full };
    if (t[1]) line.barcode = t[1];
    if (t[2]) line.alternateBarcode = t[2];
    if (r.source !== undefined) line.sourceMtxNumber = r.source;
    return line;
  });

  const order: Element['kind'][] = ['drive', 'slot', 'ioport'];
  const elements: Element[] = order.flatMap((kind) =>
    lines
      .filter((l) => l.kind === kind)
      .map((l) => {
        const e: Element = { kind, number: l.number, full: l.full };
        if (l.full && l.barcode) e.barcode = l.barcode;
        if (kind === 'drive' && l.full && l.sourceMtxNumber !== undefined) {
          const slot = numbering.slots.indexOf(l.sourceMtxNumber);
          if (slot >= 0) e.sourceSlot = slot + 1;
        }
        return e;
      }),
  );
  return { ...(header ? { header } : {}), lines, elements, numbering };
}
