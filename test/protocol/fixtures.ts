/**
 * Test helper: loads the protocol fixtures (copied golden vectors) from
 * test/fixtures/protocol, transparently un-gzipping the large transcripts.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { view } from '../../src/protocol/bytes.js';
import { parseTranscript, type Transcript } from '../../src/protocol/transcript.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/protocol');

export type Variant = 'simple' | 'des';
export const VARIANTS: readonly Variant[] = ['simple', 'des'];

/** Every transcript of the vectors, for both variants, in the order the sessions ran. */
export const TRANSCRIPTS = [
  '01-q',
  '02-Q',
  '03-w',
  '04-M-readonly',
  '05-M-readwrite',
  '06-c-tree',
  '07-c-zlib',
  '08-t-tree',
  '09-t-zlib',
  '10-x-tree',
  '11-x-zlib',
  '12-c-raw',
  '13-x-raw',
  '14-full_backup.c1',
  '14-full_backup.c2',
  '14-full_backup.c3',
  '15-incr_backup.c1',
  '15-incr_backup.c2',
  '15-incr_backup.c3',
  '16-Q-final',
  '17-afrestore.c1',
  '17-afrestore.c2',
] as const;

/** The original bytes of a fixture file (relative to the fixture dir, without .gz). */
export function fixtureBytes(rel: string): Buffer {
  const plain = path.join(FIXTURES, rel);
  if (fs.existsSync(plain)) return fs.readFileSync(plain);
  return zlib.gunzipSync(view(fs.readFileSync(plain + '.gz')));
}

export function fixtureText(rel: string): string {
  return fixtureBytes(rel).toString('latin1');
}

export function loadTranscript(variant: Variant, name: string): Transcript {
  return parseTranscript(fixtureText(`${variant}/${name}.hex`));
}

/** The key file content of the vectors: 20 bytes, no newline. */
export const VECTOR_KEY = Buffer.from('vector-key-for-tests', 'latin1');
