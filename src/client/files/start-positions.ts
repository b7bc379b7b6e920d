/**
 * `start_positions`: where each backup run started on tape (spec §6.3), one line
 * per run, appended; the same key may appear many times.
 *
 *   <num>.<part>/<numparts>: <host> <port> <cart> <file>    e.g. `1.1/1: 127.0.0.1 29880 1 4`
 *
 * The man page's older form `<num>: <host> <port> <cart> <file>` is read too (part
 * and numparts are then absent). Fields are separated by single blanks.
 */
import { decimal, sourceOf, splitFields, withSource } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';
import { eachLine, integer } from './lines.js';

export interface StartPosition {
  readonly num: number;
  readonly part?: number;
  readonly numParts?: number;
  readonly host: string;
  /** -1 when the default port was used. */
  readonly port: number;
  readonly cart: number;
  readonly file: number;
}

export interface StartPositions {
  readonly entries: readonly StartPosition[];
}

const KEY_RE = /^(\d+)(?:\.(\d+)\/(\d+))?:$/;

export function formatEntry(e: StartPosition): string {
  const key = e.part !== undefined ? `${e.num}.${e.part}/${e.numParts ?? 1}` : `${e.num}`;
  return `${key}: ${e.host} ${e.port} ${e.cart} ${e.file}`;
}

export function empty(): StartPositions {
  return { entries: [] };
}

export function parse(text: string, file: string): StartPositions {
  const entries: StartPosition[] = [];
  eachLine(text, file, (line, _n, fail) => {
    const [key, ...rest] = line.split(' ');
    const m = KEY_RE.exec(key!);
    if (!m) fail(`"${key}" is not <num>.<part>/<numparts>:`);
    const [host, port, cart, tapeFile] = splitFields(rest.join(' '), ['host', 'port', 'cart', 'file'], fail);
    const e: StartPosition = {
      num: decimal('num', m![1]!, fail),
      ...(m![2] !== undefined ? { part: decimal('part', m![2], fail), numParts: decimal('numparts', m![3]!, fail) } : {}),
      host: host!,
      port: integer('port', port!, fail),
      cart: decimal('cart', cart!, fail),
      file: decimal('file', tapeFile!, fail),
    };
    entries.push(withSource(e, line));
  });
  return withSource({ entries }, text);
}

export function format(model: StartPositions): string {
  const whole = sourceOf(model);
  if (whole !== undefined) return whole;
  return model.entries.map((e) => (sourceOf(e) ?? formatEntry(e)) + '\n').join('');
}

export function append(model: StartPositions, e: StartPosition): StartPositions {
  return { entries: [...model.entries, e] };
}

/** The lines of backup `num` (all its parts and runs), in file order. */
export function forBackup(model: StartPositions, num: number): StartPosition[] {
  return model.entries.filter((e) => e.num === num);
}

export const codec: StateCodec<StartPositions> = { parse, format, empty };
