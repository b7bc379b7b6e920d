/**
 * One idea: the plain-text form of one job's history record — `key: value` lines in
 * a fixed order — with a pure formatter and a strict parser that give back exactly
 * what the other produced.
 *
 *   id: 17
 *   job: fileserver-backup
 *   client: fileserver
 *   level: Incremental
 *   status: ok                      running | ok | error | canceled
 *   scheduled: 2026-03-01T23:05:00+01:00   ISO 8601 with offset (or Z); optional
 *   start: 2026-03-01T23:05:02+01:00       optional
 *   end: 2026-03-01T23:41:10+01:00         optional
 *   files: 1234
 *   bytes: 987654321
 *   cartridges: 1-3,7              range list; empty when none
 *   tapefiles: 1.4 2.1 3.1          cartridge.file, in the order written; empty when none
 *   reschedules: 0
 *   error: text                     optional; `\n` and `\\` escaped
 *
 * Lines starting with `#` and blank lines are skipped. Unknown keys, repeated keys,
 * missing required keys and bad values are STATE_SYNTAX errors naming file and line.
 */
import { formatRanges, expandRanges, parseRanges } from '../../config/ranges.js';
import { isAfError } from '../../errors.js';
import { stateSyntax } from '../../state/state-errors.js';
import type { Level } from '../schedule/run-grammar.js';

export type JobStatus = 'running' | 'ok' | 'error' | 'canceled';
export const JOB_STATUSES: readonly JobStatus[] = ['running', 'ok', 'error', 'canceled'];
const LEVELS: readonly Level[] = ['Full', 'Incremental', 'Differential'];

export interface TapeFile {
  readonly cartridge: number;
  readonly file: number;
}

export interface JobRecord {
  readonly id: number;
  readonly job: string;
  readonly client: string;
  readonly level: Level;
  readonly status: JobStatus;
  readonly scheduled?: string;
  readonly start?: string;
  readonly end?: string;
  readonly files: number;
  readonly bytes: number;
  /** Cartridge numbers, ascending, unique. */
  readonly cartridges: readonly number[];
  readonly tapeFiles: readonly TapeFile[];
  readonly reschedules: number;
  readonly error?: string;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** True for an ISO 8601 date-time with seconds and an explicit offset (or Z) that names a real instant. */
export function isIsoWithOffset(text: string): boolean {
  return ISO_WITH_OFFSET.test(text) && !Number.isNaN(Date.parse(text));
}

/** `date` as local ISO 8601 text with its offset in `timeZone` (default: the process's zone), to the second. */
export function isoWithOffset(date: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date);
  const get = (t: string): string => parts.find((p) => p.type === t)!.value;
  const wall = `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
  const whole = Math.floor(date.getTime() / 1000) * 1000;
  const offsetMin = Math.round((Date.parse(`${wall}Z`) - whole) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function unescapeText(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') { out += c; continue; }
    const e = s[++i];
    if (e === '\\') out += '\\';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else return null;
  }
  return out;
}

/** Refuses records that could not be written back unchanged. */
export function checkJobRecord(r: JobRecord): void {
  const bad = (what: string): never => {
    throw new TypeError(`job record ${r.id}: ${what}`);
  };
  if (!Number.isSafeInteger(r.id) || r.id < 1) bad('id must be a whole number from 1');
  for (const [k, v] of [['job', r.job], ['client', r.client]] as const) {
    if (v === '' || /[\n\r]/.test(v) || v !== v.trim()) bad(`${k} must be one non-empty line without blanks at the ends`);
  }
  if (!LEVELS.includes(r.level)) bad(`unknown level ${r.level}`);
  if (!JOB_STATUSES.includes(r.status)) bad(`unknown status ${r.status}`);
  for (const k of ['scheduled', 'start', 'end'] as const) {
    const v = r[k];
    if (v !== undefined && !isIsoWithOffset(v)) bad(`${k} is not ISO 8601 with an offset: ${v}`);
  }
  for (const k of ['files', 'bytes', 'reschedules'] as const) {
    if (!Number.isSafeInteger(r[k]) || r[k] < 0) bad(`${k} must be a whole number from 0`);
  }
  r.cartridges.forEach((c, i) => {
    if (!Number.isSafeInteger(c) || c < 1 || (i > 0 && c <= r.cartridges[i - 1]!)) bad('cartridges must be ascending whole numbers from 1');
  });
  for (const t of r.tapeFiles) {
    if (!Number.isSafeInteger(t.cartridge) || t.cartridge < 1 || !Number.isSafeInteger(t.file) || t.file < 1) bad('tape files need cartridge and file numbers from 1');
  }
}

/** The text of a record file (ends with a newline). */
export function formatJobRecord(r: JobRecord): string {
  checkJobRecord(r);
  const lines = [
    `id: ${r.id}`,
    `job: ${r.job}`,
    `client: ${r.client}`,
    `level: ${r.level}`,
    `status: ${r.status}`,
  ];
  if (r.scheduled !== undefined) lines.push(`scheduled: ${r.scheduled}`);
  if (r.start !== undefined) lines.push(`start: ${r.start}`);
  if (r.end !== undefined) lines.push(`end: ${r.end}`);
  lines.push(
    `files: ${r.files}`,
    `bytes: ${r.bytes}`,
    listLine('cartridges', formatRanges(r.cartridges)),
    listLine('tapefiles', r.tapeFiles.map((t) => `${t.cartridge}.${t.file}`).join(' ')),
    `reschedules: ${r.reschedules}`,
  );
  if (r.error !== undefined) lines.push(`error: ${escapeText(r.error)}`);
  return lines.join('\n') + '\n';
}

/** `key: value`, or just `key:` for an empty list (no blank at the end of the line). */
function listLine(key: string, value: string): string {
  return value === '' ? `${key}:` : `${key}: ${value}`;
}

const KEYS = ['id', 'job', 'client', 'level', 'status', 'scheduled', 'start', 'end', 'files', 'bytes', 'cartridges', 'tapefiles', 'reschedules', 'error'] as const;
type Key = (typeof KEYS)[number];
const REQUIRED: readonly Key[] = ['id', 'job', 'client', 'level', 'status'];

/** Parses a record file's text; `file` names it in errors (STATE_SYNTAX). */
export function parseJobRecord(text: string, file: string): JobRecord {
  const seen = new Map<Key, { value: string; line: number; text: string }>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const m = /^([a-z]+): ?(.*)$/.exec(raw);
    if (!m) throw stateSyntax(file, n, 'expected "key: value"', raw);
    const key = m[1] as Key;
    if (!(KEYS as readonly string[]).includes(key)) throw stateSyntax(file, n, `unknown key "${m[1]}"`, raw);
    if (seen.has(key)) throw stateSyntax(file, n, `"${key}" given twice (first on line ${seen.get(key)!.line})`, raw);
    seen.set(key, { value: m[2]!, line: n, text: raw });
  });
  for (const k of REQUIRED) {
    if (!seen.has(k)) throw stateSyntax(file, lines.length, `"${k}:" is missing`, lines[lines.length - 1] ?? '');
  }
  const at = (k: Key): { value: string; line: number; text: string } => seen.get(k)!;
  const fail = (k: Key, what: string): never => {
    const s = at(k);
    throw stateSyntax(file, s.line, what, s.text);
  };
  const whole = (k: Key, min: number): number => {
    const s = seen.get(k);
    if (!s) return 0;
    if (!/^\d+$/.test(s.value) || !Number.isSafeInteger(Number(s.value)) || Number(s.value) < min) fail(k, `"${k}" must be a whole number from ${min}`);
    return Number(s.value);
  };
  const word = (k: Key): string => {
    const v = at(k).value;
    if (v === '' || v !== v.trim()) fail(k, `"${k}" must not be empty or have blanks at the ends`);
    return v;
  };
  const level = at('level').value as Level;
  if (!LEVELS.includes(level)) fail('level', `unknown level "${level}"`);
  const status = at('status').value as JobStatus;
  if (!JOB_STATUSES.includes(status)) fail('status', `unknown status "${status}" (${JOB_STATUSES.join(', ')})`);

  const times: Partial<Record<'scheduled' | 'start' | 'end', string>> = {};
  for (const k of ['scheduled', 'start', 'end'] as const) {
    const s = seen.get(k);
    if (!s) continue;
    if (!isIsoWithOffset(s.value)) fail(k, `"${k}" is not an ISO 8601 time with offset`);
    times[k] = s.value;
  }

  let cartridges: number[] = [];
  const carts = seen.get('cartridges');
  if (carts && carts.value !== '') {
    try {
      cartridges = expandRanges(parseRanges(carts.value));
    } catch (err) {
      if (!isAfError(err)) throw err;
      fail('cartridges', '"cartridges" is not a range list such as 1-3,7');
    }
    if (cartridges.some((c) => c < 1)) fail('cartridges', 'cartridge numbers start at 1');
  }

  const tapeFiles: TapeFile[] = [];
  const tf = seen.get('tapefiles');
  if (tf && tf.value !== '') {
    for (const w of tf.value.split(' ')) {
      const m = /^([1-9]\d*)\.([1-9]\d*)$/.exec(w);
      if (!m) fail('tapefiles', `"${w}" is not cartridge.file`);
      tapeFiles.push({ cartridge: Number(m![1]), file: Number(m![2]) });
    }
  }

  let error: string | undefined;
  const e = seen.get('error');
  if (e) {
    const u = unescapeText(e.value);
    if (u === null) fail('error', 'bad backslash escape in "error"');
    error = u!;
  }

  return {
    id: whole('id', 1),
    job: word('job'),
    client: word('client'),
    level,
    status,
    ...times,
    files: whole('files', 0),
    bytes: whole('bytes', 0),
    cartridges,
    tapeFiles,
    reschedules: whole('reschedules', 0),
    ...(error !== undefined ? { error } : {}),
  };
}
