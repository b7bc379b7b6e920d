/**
 * One idea: the small text and JSON renderings the console commands share — a
 * column-aligned table, sizes for people, and one job record as JSON and as a row.
 */
import type { JobRecord } from '../history/job-record.js';
import type { JsonObject } from './schema.js';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** 1536 -> "1.5 KiB"; below 1 KiB the plain number of bytes. */
export function humanBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  if (n < 1024) return `${n} B`;
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

export function jobJson(r: JobRecord): JsonObject {
  return {
    id: r.id,
    job: r.job,
    client: r.client,
    level: r.level,
    status: r.status,
    scheduled: r.scheduled ?? null,
    start: r.start ?? null,
    end: r.end ?? null,
    files: r.files,
    bytes: r.bytes,
    cartridges: [...r.cartridges],
    tapeFiles: r.tapeFiles.map((t) => `${t.cartridge}.${t.file}`),
    reschedules: r.reschedules,
    error: r.error ?? null,
  };
}

export const JOB_HEADERS = ['JobId', 'Job', 'Client', 'Level', 'Status', 'Start', 'End', 'Files', 'Bytes'];

export function jobRow(r: JobRecord): string[] {
  return [String(r.id), r.job, r.client, r.level, r.status, r.start ?? '-', r.end ?? '-', String(r.files), String(r.bytes)];
}
