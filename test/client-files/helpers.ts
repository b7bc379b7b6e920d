/**
 * Paths of the client golden fixtures (copied from the shared vectors) for the
 * client-file tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'client');
export const VARIANTS = ['simple', 'des'] as const;

export function fixture(variant: string, name: string): Buffer {
  return fs.readFileSync(path.join(fixtures, variant, name));
}

export function fixtureText(variant: string, name: string): string {
  return fixture(variant, name).toString('latin1');
}
