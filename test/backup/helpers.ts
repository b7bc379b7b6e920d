/**
 * Paths of the backup test fixtures (golden client files copied from the shared
 * vectors) and small helpers shared by the backup tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/backup');
export const GOLDEN = path.join(FIXTURES, 'golden');

export function golden(variant: 'simple' | 'des', name: string): Buffer {
  return fs.readFileSync(path.join(GOLDEN, variant, name));
}

export function goldenText(variant: 'simple' | 'des', name: string): string {
  return golden(variant, name).toString('latin1');
}

/** The shape of a line: digits → 9, the rest kept (so times, ports and numbers may differ). */
export function shape(line: string): string {
  return line.replace(/\d+/g, '9');
}
