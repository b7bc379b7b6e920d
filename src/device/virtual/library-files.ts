/**
 * The plain-text files of a virtual tape library, parsed and formatted (pure: no I/O).
 * Every file is a few `keyword value` lines that an administrator can read and edit;
 * `#` starts a comment line. library.ts describes where each file lives.
 *
 *   library.conf   capacity 8G / early-warning 64M / slots 8 / drives 1 / ports 1 /
 *                  barcode-prefix AF / sync-on-close yes
 *   slots          slot 1 AF0001L9 / slot 2 empty / port 1 empty
 *   drives         drive 1 block-size 0 state loaded cartridge AF0001L9 from-slot 1 file 2 block 0
 *                  drive 2 block-size 0 state empty
 *   cart.X/index   file 0 1x1024 filemark / file 1 4096x262144 1x1000 filemark / file 2 12x1024
 */
import { AfError } from '../../errors.js';

export interface LibraryConfig {
  /** Bytes a cartridge holds. */
  capacity: number;
  /** Size of the early-warning zone at the end of a cartridge, in bytes. */
  earlyWarning: number;
  slots: number;
  drives: number;
  /** Import/export ports. */
  ports: number;
  /** Start of generated barcodes (0-5 characters of A-Z, 0-9). */
  barcodePrefix: string;
  /** fsync a cartridge's new data when its drive is closed or ejected. */
  syncOnClose: boolean;
}

/** Contents of the slots and ports: a barcode, or null for an empty one (index 0 = number 1). */
export interface SlotTable {
  slots: (string | null)[];
  ports: (string | null)[];
}

export interface DriveLine {
  blockSize: number;
  /** loaded: in the drive and usable; ejected: in the drive, waiting for the changer; empty. */
  state: 'loaded' | 'ejected' | 'empty';
  cartridge: string | null;
  /** Slot the cartridge came from (null when unknown). */
  fromSlot: number | null;
  file: number;
  block: number;
}

/**
 * One tape file of a cartridge: its blocks as runs, flattened as
 * [count0, size0, count1, size1, …], and whether a filemark ends it.
 */
export interface IndexedFile {
  runs: number[];
  filemark: boolean;
}

export const EMPTY_DRIVE: Readonly<DriveLine> = Object.freeze({
  blockSize: 0,
  state: 'empty',
  cartridge: null,
  fromSlot: null,
  file: 0,
  block: 0,
});

const BARCODE = /^[A-Za-z0-9_-]{1,32}$/;

export function isBarcode(s: string): boolean {
  return BARCODE.test(s);
}

/** The barcode of generated cartridge n: prefix, number, "L9", eight characters in all. */
export function makeBarcode(prefix: string, n: number): string {
  const digits = 6 - prefix.length;
  const s = String(n);
  if (!/^[A-Z0-9]{0,5}$/.test(prefix) || !Number.isInteger(n) || n < 0 || s.length > digits) {
    throw new AfError('CONFIG_ERROR', `cannot make an 8-character barcode from prefix "${prefix}" and number ${n}`);
  }
  return `${prefix}${s.padStart(digits, '0')}L9`;
}

const UNITS: [string, number][] = [
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
];

/** "8G" → 8 GiB. Plain numbers are bytes; K, M, G, T are powers of 1024. */
export function parseSize(text: string): number | undefined {
  const m = /^([0-9]+)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2].toUpperCase();
  const mul = unit === '' ? 1 : UNITS.find(([u]) => u === unit)![1];
  const n = Number(m[1]) * mul;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The shortest exact way to write a size: 8589934592 → "8G". */
export function formatSize(n: number): string {
  for (const [u, mul] of UNITS) if (n >= mul && n % mul === 0) return `${n / mul}${u}`;
  return String(n);
}

function syntax(file: string, line: number, what: string): AfError {
  return new AfError('STATE_SYNTAX', `"${file}" line ${line}: ${what}`);
}

/** Lines of a file with comments and blank lines removed, as [line number, words]. */
function* wordsOf(text: string): Generator<[number, string[]]> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '' || t.startsWith('#')) continue;
    yield [i + 1, t.split(/\s+/)];
  }
}

function count(file: string, line: number, s: string | undefined, min: number): number {
  if (s === undefined || !/^[0-9]+$/.test(s)) throw syntax(file, line, `"${s ?? ''}" is not a number`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min) throw syntax(file, line, `${s} is out of range`);
  return n;
}

// --- library.conf ---

export function parseLibraryConf(text: string, file = 'library.conf'): LibraryConfig {
  const c: Partial<LibraryConfig> = { ports: 1, drives: 1, barcodePrefix: 'AF', syncOnClose: true };
  for (const [ln, w] of wordsOf(text)) {
    const [key, value] = w;
    if (w.length > 2 || value === undefined) throw syntax(file, ln, 'expected "key value"');
    switch (key) {
      case 'capacity':
      case 'early-warning': {
        const n = parseSize(value);
        if (n === undefined) throw syntax(file, ln, `"${value}" is not a size`);
        if (key === 'capacity') c.capacity = n;
        else c.earlyWarning = n;
        break;
      }
      case 'slots':
        c.slots = count(file, ln, value, 1);
        break;
      case 'drives':
        c.drives = count(file, ln, value, 1);
        break;
      case 'ports':
        c.ports = count(file, ln, value, 0);
        break;
      case 'barcode-prefix':
        if (!/^[A-Z0-9]{0,5}$/.test(value)) throw syntax(file, ln, 'a barcode prefix is up to 5 characters of A-Z and 0-9');
        c.barcodePrefix = value;
        break;
      case 'sync-on-close':
        if (value !== 'yes' && value !== 'no') throw syntax(file, ln, 'sync-on-close is "yes" or "no"');
        c.syncOnClose = value === 'yes';
        break;
      default:
        throw syntax(file, ln, `unknown key "${key}"`);
    }
  }
  if (c.capacity === undefined || c.capacity <= 0) throw syntax(file, 0, 'a positive "capacity" is required');
  if (c.slots === undefined) throw syntax(file, 0, '"slots" is required');
  c.earlyWarning ??= 0;
  if (c.earlyWarning >= c.capacity) throw syntax(file, 0, 'early-warning must be smaller than capacity');
  return c as LibraryConfig;
}

export function formatLibraryConf(c: LibraryConfig): string {
  return (
    '# afbackup-ng virtual tape library: one "key value" a line.\n' +
    '# Sizes are bytes or take a K, M, G or T suffix (powers of 1024).\n' +
    '# capacity: bytes per cartridge; early-warning: the last stretch of it in which\n' +
    '# writes report early warning; ports: import/export ports.\n' +
    `capacity ${formatSize(c.capacity)}\n` +
    `early-warning ${formatSize(c.earlyWarning)}\n` +
    `slots ${c.slots}\n` +
    `drives ${c.drives}\n` +
    `ports ${c.ports}\n` +
    `barcode-prefix ${c.barcodePrefix}\n` +
    `sync-on-close ${c.syncOnClose ? 'yes' : 'no'}\n`
  );
}

// --- slots ---

export function parseSlots(text: string, cfg: Pick<LibraryConfig, 'slots' | 'ports'>, file = 'slots'): SlotTable {
  const t: SlotTable = { slots: new Array(cfg.slots).fill(null), ports: new Array(cfg.ports).fill(null) };
  const seen = new Set<string>();
  for (const [ln, w] of wordsOf(text)) {
    const [kind, num, what] = w;
    if (w.length !== 3 || (kind !== 'slot' && kind !== 'port')) throw syntax(file, ln, 'expected "slot <n> <barcode>|empty" or "port <n> <barcode>|empty"');
    const n = count(file, ln, num, 1);
    const list = kind === 'slot' ? t.slots : t.ports;
    if (n > list.length) throw syntax(file, ln, `${kind} ${n} does not exist (library.conf has ${list.length})`);
    if (what === 'empty') continue;
    if (!isBarcode(what)) throw syntax(file, ln, `"${what}" is not a barcode`);
    if (seen.has(what)) throw syntax(file, ln, `cartridge ${what} is listed twice`);
    seen.add(what);
    list[n - 1] = what;
  }
  return t;
}

export function formatSlots(t: SlotTable): string {
  let s = '# afbackup-ng virtual tape library: the cartridge in each slot and import/export port.\n';
  s += '# "slot <n> <barcode>" or "slot <n> empty"; ports likewise.\n';
  t.slots.forEach((b, i) => (s += `slot ${i + 1} ${b ?? 'empty'}\n`));
  t.ports.forEach((b, i) => (s += `port ${i + 1} ${b ?? 'empty'}\n`));
  return s;
}

// --- drives ---

export function parseDrives(text: string, drives: number, file = 'drives'): DriveLine[] {
  const out: DriveLine[] = Array.from({ length: drives }, () => ({ ...EMPTY_DRIVE }));
  for (const [ln, w] of wordsOf(text)) {
    if (w[0] !== 'drive' || w.length % 2 !== 0) throw syntax(file, ln, 'expected "drive <n>" followed by "key value" pairs');
    const n = count(file, ln, w[1], 1);
    if (n > drives) throw syntax(file, ln, `drive ${n} does not exist (library.conf has ${drives})`);
    const d: DriveLine = { ...EMPTY_DRIVE };
    for (let i = 2; i < w.length; i += 2) {
      const key = w[i];
      const v = w[i + 1];
      switch (key) {
        case 'block-size':
          d.blockSize = count(file, ln, v, 0);
          break;
        case 'state':
          if (v !== 'loaded' && v !== 'ejected' && v !== 'empty') throw syntax(file, ln, 'state is loaded, ejected or empty');
          d.state = v;
          break;
        case 'cartridge':
          if (!isBarcode(v)) throw syntax(file, ln, `"${v}" is not a barcode`);
          d.cartridge = v;
          break;
        case 'from-slot':
          d.fromSlot = v === '-' ? null : count(file, ln, v, 1);
          break;
        case 'file':
          d.file = count(file, ln, v, 0);
          break;
        case 'block':
          d.block = count(file, ln, v, 0);
          break;
        default:
          throw syntax(file, ln, `unknown key "${key}"`);
      }
    }
    if (d.state === 'empty') d.cartridge = null;
    else if (d.cartridge === null) throw syntax(file, ln, `a ${d.state} drive needs "cartridge <barcode>"`);
    if (d.cartridge === null) {
      d.fromSlot = null;
      d.file = d.block = 0;
    }
    out[n - 1] = d;
  }
  return out;
}

export function formatDrives(lines: readonly DriveLine[]): string {
  let s = '# afbackup-ng virtual tape library: the drives. "drive <n>" then "key value" pairs:\n';
  s += '# block-size (0 = variable), state (loaded, ejected or empty), and for a full drive\n';
  s += '# cartridge, from-slot (the slot it came from, or -), file and block (its position).\n';
  lines.forEach((d, i) => {
    s += `drive ${i + 1} block-size ${d.blockSize} state ${d.cartridge === null ? 'empty' : d.state}`;
    if (d.cartridge !== null) s += ` cartridge ${d.cartridge} from-slot ${d.fromSlot ?? '-'} file ${d.file} block ${d.block}`;
    s += '\n';
  });
  return s;
}

// --- cartridge index ---

export function parseIndex(text: string, file = 'index'): IndexedFile[] {
  const out: IndexedFile[] = [];
  for (const [ln, w] of wordsOf(text)) {
    if (w[0] !== 'file') throw syntax(file, ln, 'expected "file <k> [<count>x<size> …] [filemark]"');
    const k = count(file, ln, w[1], 0);
    if (k !== out.length) throw syntax(file, ln, `file ${k} where file ${out.length} was expected`);
    const f: IndexedFile = { runs: [], filemark: false };
    for (let i = 2; i < w.length; i++) {
      const word = w[i];
      if (word === 'filemark') {
        if (i !== w.length - 1) throw syntax(file, ln, '"filemark" must end the line');
        f.filemark = true;
        continue;
      }
      const m = /^([0-9]+)x([0-9]+)$/.exec(word);
      if (!m) throw syntax(file, ln, `"${word}" is not <count>x<size>`);
      const c = Number(m[1]);
      const size = Number(m[2]);
      if (c < 1 || size < 1 || !Number.isSafeInteger(c * size)) throw syntax(file, ln, `"${word}" is out of range`);
      const last = f.runs.length - 2;
      if (last >= 0 && f.runs[last + 1] === size) f.runs[last] += c;
      else f.runs.push(c, size);
    }
    out.push(f);
  }
  // Only the last file can lack its filemark; an earlier one without is taken to have it.
  for (let i = 0; i < out.length - 1; i++) out[i].filemark = true;
  return out;
}

export function formatIndex(barcode: string, files: readonly IndexedFile[]): string {
  const parts: string[] = [
    `# afbackup-ng virtual cartridge ${barcode}: its tape files in order, one a line:\n`,
    '# "file <k>", its blocks as <count>x<size> runs, then "filemark" if one ends it.\n',
  ];
  files.forEach((f, k) => {
    let s = `file ${k}`;
    for (let i = 0; i < f.runs.length; i += 2) s += ` ${f.runs[i]}x${f.runs[i + 1]}`;
    if (f.filemark) s += ' filemark';
    parts.push(s + '\n');
  });
  return parts.join('');
}
