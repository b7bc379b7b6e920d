/**
 * Names read from stdin (or a names file): one per line, C-escaped as afbackup
 * writes them (src/client/escape.ts), empty lines ignored. lines() hands the
 * raw lines out as they arrive, so a producer such as full_backup can keep
 * writing while afclient already saves.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import { unescapeName } from '../escape.js';

/** The raw lines of a stream (without their newline), as they arrive. */
export async function* lines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const c of input) {
    const chunk = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
    let all = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let nl: number;
    while ((nl = all.indexOf(0x0a)) >= 0) {
      yield all.subarray(0, nl);
      all = all.subarray(nl + 1);
    }
    rest = Buffer.from(all);
  }
  if (rest.length > 0) yield rest;
}

/** Unescaped names, one per non-empty line. */
export async function* nameLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const l of lines(input)) if (l.length > 0) yield unescapeName(l);
}

export async function readNames(input: Readable): Promise<Buffer[]> {
  const names: Buffer[] = [];
  for await (const n of nameLines(input)) names.push(n);
  return names;
}

/** The names of a -T file. */
export function readNamesFile(file: string): Promise<Buffer[]> {
  let s: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    s = fs.createReadStream(file);
  } catch (e) {
    throw new AfError('USAGE', `-T: cannot read the names file ${file}: ${(e as Error).message}`);
  }
  return readNames(s);
}
