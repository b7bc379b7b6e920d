/**
 * The one-number client var files `num` (the backup counter, spec §6.3) and `part`
 * (the last started part of a split full backup): a decimal number and a newline.
 */
import { withSource, sourceOf } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';
import { eachLine, fileFail } from './lines.js';
import { decimal } from '../../state/line-model.js';

export interface Counter {
  /** Undefined for an empty (or missing) file. */
  readonly value: number | undefined;
}

export function empty(): Counter {
  return { value: undefined };
}

export function parse(text: string, file: string): Counter {
  let value: number | undefined;
  eachLine(text, file, (line, n, fail) => {
    if (n > 1) fail('unexpected second line (the file holds one number)');
    if (line === '') fail('empty line (expected a number)');
    value = decimal('number', line, fail);
  });
  if (text !== '' && value === undefined) fileFail(file, 1, 'no number');
  return withSource({ value }, text);
}

export function format(model: Counter): string {
  return sourceOf(model) ?? (model.value === undefined ? '' : `${model.value}\n`);
}

export function of(value: number): Counter {
  return { value };
}

export const codec: StateCodec<Counter> = { parse, format, empty };
