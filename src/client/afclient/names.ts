/**
 * Names read from stdin (or a names file): one per line, C-escaped as afbackup
 * writes them (src/client/escape.ts), empty lines ignored.
 */
import type { Readable } from 'node:stream';
import { unescapeName } from '../escape.js';

export async function readNames(input: Readable): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(c as Buffer);
  const all = Buffer.concat(parts);
  const names: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= all.length; i++) {
    if (i === all.length || all[i] === 0x0a) {
      if (i > start) names.push(unescapeName(all.subarray(start, i)));
      start = i + 1;
    }
  }
  return names;
}
