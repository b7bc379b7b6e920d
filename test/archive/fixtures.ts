/**
 * Loading the golden archives copied from /work/shared/vectors/archives (gzipped)
 * and the data tree's SHA-256 sums.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'archive');

export const GOLDENS = ['tree-plain', 'tree-zlib', 'tree-header'] as const;
export type Golden = (typeof GOLDENS)[number];

export function goldenArchive(name: Golden): Buffer {
  return zlib.gunzipSync(fs.readFileSync(path.join(dir, `${name}.af.gz`)));
}

export function goldenListing(name: Golden): Buffer {
  return fs.readFileSync(path.join(dir, `${name}.list.txt`));
}

/** data-tree.txt SHA-256 lines, keyed by the name's raw bytes (latin1 string). */
export function treeSums(): Map<string, string> {
  const text = fs.readFileSync(path.join(dir, 'data-tree.txt')).toString('latin1');
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})  (.*)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}
