/**
 * `progress` (ReportProgress): how far the running backup is (spec §6.3).
 *
 *   <done> <total> <percent>
 *
 * A single line. `percent` is written as a whole number by us; a decimal fraction
 * is accepted when reading.
 */
import { decimal, sourceOf, splitFields, splitLines, withSource } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';
import { eachLine, fileFail } from './lines.js';

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly percent: number;
}

export function empty(): Progress {
  return { done: 0, total: 0, percent: 0 };
}

export function parse(text: string, file: string): Progress {
  let result: Progress | undefined;
  eachLine(text, file, (line, n, fail) => {
    if (n > 1) fail('unexpected second line');
    const [done, total, percent] = splitFields(line, ['done', 'total', 'percent'], fail);
    if (!/^\d+(?:\.\d+)?$/.test(percent!)) fail(`<percent> "${percent}" is not a number`);
    result = { done: decimal('done', done!, fail), total: decimal('total', total!, fail), percent: Number(percent) };
  });
  if (result === undefined) {
    if (splitLines(text).length === 0) return empty();
    fileFail(file, 1, 'no progress line');
  }
  return withSource(result!, text);
}

/** The progress of `done` out of `total` (percent rounded down; 100 when total is 0). */
export function of(done: number, total: number): Progress {
  return { done, total, percent: total > 0 ? Math.floor((done * 100) / total) : 100 };
}

export function format(model: Progress): string {
  return sourceOf(model) ?? `${model.done} ${model.total} ${model.percent}\n`;
}

export const codec: StateCodec<Progress> = { parse, format, empty };
