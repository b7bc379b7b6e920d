/**
 * One idea: read the one-line JSON summary that full_backup and incr_backup print
 * with `--json` out of the program's output. The last line that parses as such an
 * object wins; other lines are the program's ordinary messages. Pure.
 *
 * Both spellings of the fields are accepted:
 *   files, bytes        whole numbers (required)
 *   cartridges          [2,3] or a range list "2-3" (or null)
 *   tapeFiles           [{"cartridge":2,"file":5}] or ["2.5"]
 *   index | indexFile   the index file written on the client
 *   status              when present and not 0, the summary says the run failed
 */
import { expandRanges, parseRanges } from '../../config/ranges.js';

export interface BackupSummary {
  readonly files: number;
  readonly bytes: number;
  readonly cartridges: readonly number[];
  readonly tapeFiles: readonly { cartridge: number; file: number }[];
  readonly index?: string;
  /** The program's own status field, when it has one. */
  readonly status?: number;
}

const whole = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** The summary from one line, or null when the line is not one. */
export function parseSummaryLine(line: string): BackupSummary | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!whole(o.files, 0) || !whole(o.bytes, 0)) return null;
  let carts: unknown[] = [];
  if (Array.isArray(o.cartridges)) carts = o.cartridges;
  else if (typeof o.cartridges === 'string' && o.cartridges.trim() !== '') {
    try {
      carts = expandRanges(parseRanges(o.cartridges));
    } catch {
      return null;
    }
  }
  if (!carts.every((c) => whole(c, 1))) return null;
  const tf = Array.isArray(o.tapeFiles) ? o.tapeFiles : [];
  const tapeFiles: { cartridge: number; file: number }[] = [];
  for (const x of tf) {
    let cartridge: unknown;
    let file: unknown;
    if (typeof x === 'string') {
      const m = /^(\d+)\.(\d+)$/.exec(x);
      if (!m) return null;
      cartridge = Number(m[1]);
      file = Number(m[2]);
    } else if (typeof x === 'object' && x !== null) {
      ({ cartridge, file } = x as Record<string, unknown>);
    }
    if (!whole(cartridge, 1) || !whole(file, 1)) return null;
    tapeFiles.push({ cartridge, file });
  }
  const cartridges = [...new Set([...(carts as number[]), ...tapeFiles.map((f) => f.cartridge)])].sort((a, b) => a - b);
  const index = typeof o.index === 'string' ? o.index : typeof o.indexFile === 'string' ? o.indexFile : undefined;
  return {
    files: o.files, bytes: o.bytes, cartridges, tapeFiles,
    ...(index !== undefined ? { index } : {}),
    ...(typeof o.status === 'number' ? { status: o.status } : {}),
  };
}

/** The last summary among `lines`, or null. */
export function findSummary(lines: readonly string[]): BackupSummary | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const s = parseSummaryLine(lines[i]!);
    if (s) return s;
  }
  return null;
}
