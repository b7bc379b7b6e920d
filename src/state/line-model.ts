/**
 * Typed models of line-based state files that remember the text they were read
 * from, so a file we did not change is written back byte for byte.
 *
 * parse() freezes each entry and the model and records their source text here.
 * Helpers never modify a model: they build new objects, which have no recorded
 * text and are therefore formatted canonically. format() uses the recorded text of
 * an untouched model as a whole, and of each untouched entry line by line.
 */
import { placeLine, scanLine, type KOrder } from './kfile.js';
import { stateSyntax } from './state-errors.js';

const sources = new WeakMap<object, string>();

/** Freezes `value` and records the text it came from. */
export function withSource<T extends object>(value: T, text: string): T {
  Object.freeze(value);
  sources.set(value, text);
  return value;
}

/** The recorded text of an untouched parsed object. */
export function sourceOf(value: object): string | undefined {
  return sources.get(value);
}

/** Lines of a file without their newlines; a missing final newline is tolerated. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The line of an entry: its source when untouched, else the canonical form. */
export function lineOf<E extends object>(entry: E, canonical: (e: E) => string): string {
  return sourceOf(entry) ?? canonical(entry);
}

/** Formats a model of entries, reusing recorded text wherever nothing changed. */
export function formatEntries<E extends object>(
  model: { readonly entries: readonly E[] },
  canonical: (e: E) => string,
): string {
  const whole = sourceOf(model);
  if (whole !== undefined) return whole;
  return model.entries.map((e) => lineOf(e, canonical) + '\n').join('');
}

/** Calls `fail(what)` to reject the current line; never returns. */
export type Fail = (what: string) => never;

/** A key/value line split the afbackup way, with its position for messages. */
export interface KeyedLine {
  readonly key: string;
  readonly sep: string;
  readonly value: string;
  readonly text: string;
  readonly line: number;
}

/**
 * Parses every line of a key/value state file with `build`, rejecting blank lines,
 * blanks before the key, separators other than one space and repeated keys.
 * `allowEmptyValue` accepts a bare key (afbackup's list files such as `1024 `).
 */
export function parseKeyedLines<E extends object>(
  text: string,
  file: string,
  build: (line: KeyedLine, fail: Fail) => E,
  opts: { allowEmptyValue?: boolean } = {},
): E[] {
  const entries: E[] = [];
  const seen = new Set<string>();
  splitLines(text).forEach((lineText, i) => {
    const n = i + 1;
    const fail: Fail = (what) => {
      throw stateSyntax(file, n, what, lineText);
    };
    const s = scanLine(lineText);
    if (!s) fail('empty line');
    const { key, sep, value } = s!;
    if (/^[ \t\n\v\f\r]/.test(lineText)) fail('blank before the key');
    if (sep.includes('\t')) fail('a TAB separates key and value (afbackup needs one space)');
    if (sep.length > 1) fail('more than one blank between key and value');
    if (sep === '' && !(opts.allowEmptyValue && value === '')) fail('missing value after the key');
    if (seen.has(key)) fail(`key "${key}" appears twice`);
    seen.add(key);
    entries.push(withSource(build({ key, sep, value, text: lineText, line: n }, fail), lineText));
  });
  return entries;
}

/**
 * Splits a value into exactly `names.length` fields separated by single spaces,
 * naming the first field that is missing, extra or badly separated.
 */
export function splitFields(value: string, names: readonly string[], fail: Fail): string[] {
  if (value.includes('\t')) fail('a TAB inside the value (afbackup separates fields by spaces)');
  const fields = value === '' ? [] : value.split(' ');
  for (let i = 0; i < fields.length; i++) {
    if (fields[i] === '') {
      if (i === fields.length - 1) fail('a blank at the end of the line');
      fail('two blanks in a row');
    }
  }
  if (fields.length < names.length) fail(`missing field <${names[fields.length]}>`);
  if (fields.length > names.length) fail(`unexpected text "${fields.slice(names.length).join(' ')}" after <${names[names.length - 1]}>`);
  return fields;
}

/** A decimal number without sign or leading blank (afbackup never writes others). */
export function decimal(name: string, text: string, fail: Fail): number {
  if (!/^\d+$/.test(text)) fail(`<${name}> "${text}" is not a number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) fail(`<${name}> "${text}" is too large`);
  return n;
}

/** Key of the form `<n>:` (cartridge or set number followed by a colon). */
export function colonKey(name: string, key: string, fail: Fail): number {
  const m = /^(\d+):$/.exec(key);
  if (!m) fail(`key "${key}" is not <${name}>:`);
  return decimal(name, m![1]!, fail);
}

/** Inserts, replaces (`replacement` given) or removes the line of `key` the way afbackup orders it. */
export function placeEntry<E extends object>(
  entries: readonly E[],
  key: string,
  replacement: E | null,
  order: KOrder,
  canonical: (e: E) => string,
): E[] {
  return placeLine(entries, (e) => lineOf(e, canonical), key, replacement, order);
}
