/**
 * The afclient command lines afrestore and afverify run, one per restore group
 * (spec §6.5), and the names written to its stdin. Pure.
 *
 *   restore all of a run:  -xvanl[u] -h H -p P [-k K] -C cart -F file [-W ID] -r [-B t] [-A t]
 *   restore named entries: -xvgnl[u] ... the same, names on stdin, escaped, one a line
 *   verify:                -d[v] -h H -p P [-k K] -C cart -F file [-W ID] -r, names on stdin
 * `u` (replace existing entries) is left out with -m; `nl` only with -v (it makes
 * afclient print `<server>%<port>!<cart>.<file>: ` before each name).
 */
import { escapeName } from '../escape.js';
import type { TapePosition } from './catalog.js';

export interface ClientSettings {
  readonly keyFile?: string;
  readonly clientId?: string;
}

export interface ExtractSettings extends ClientSettings {
  /** afrestore -a: everything of the tape file (`-a`), no names. */
  readonly all: boolean;
  readonly verbose: boolean;
  /** False with afrestore -m. */
  readonly overwrite: boolean;
  /** -A / -B file times handed to afclient (epoch seconds). */
  readonly after?: number;
  readonly before?: number;
}

function where(pos: TapePosition, s: ClientSettings): string[] {
  return [
    '-h', pos.host,
    '-p', String(pos.port),
    ...(s.keyFile !== undefined ? ['-k', s.keyFile] : []),
    '-C', String(pos.cart),
    '-F', String(pos.file),
    ...(s.clientId !== undefined ? ['-W', s.clientId] : []),
  ];
}

export function extractArgs(pos: TapePosition, s: ExtractSettings): string[] {
  const flags = `-xv${s.all ? 'a' : 'g'}${s.verbose ? 'nl' : ''}${s.overwrite ? 'u' : ''}`;
  return [
    flags,
    ...where(pos, s),
    '-r',
    ...(s.before !== undefined ? ['-B', String(s.before)] : []),
    ...(s.after !== undefined ? ['-A', String(s.after)] : []),
  ];
}

export function verifyArgs(pos: TapePosition, s: ClientSettings & { verbose: boolean }): string[] {
  return [s.verbose ? '-dv' : '-d', ...where(pos, s), '-r'];
}

/** The names for afclient's stdin: escaped, one a line. */
export function namesInput(names: readonly Buffer[]): Buffer {
  return Buffer.concat(names.flatMap((n) => [escapeName(n), Buffer.of(0x0a)]));
}
