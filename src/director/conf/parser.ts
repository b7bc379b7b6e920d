/**
 * One idea: turn the tokens of a director configuration into a generic tree of
 * blocks (`Type { ... }`, nested as deep as the text goes) and directives
 * (`Key = value`), without knowing which resources or keys exist.
 *
 * Keys and block types are compared case-insensitively with blanks removed, so
 * `Max Start Delay`, `maxstartdelay` and `MaxStartDelay` are one key; `name` keeps
 * the spelling the user wrote for messages. Statements end at a line end or `;`;
 * a block's `{` may stand on the line after its type.
 *
 * Includes: a line `@path` is replaced by the statements of that file (a relative
 * path is taken from the including file's directory). Included files must be
 * balanced on their own; a file that includes itself, directly or not, is refused,
 * and nesting is limited to 16 levels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Lexer, confError, type SourcePos, type Token, type ValueText } from './lexer.js';

export interface ConfDirective {
  readonly kind: 'directive';
  /** Lower case, blanks removed. */
  readonly key: string;
  /** As written (blanks between words collapsed to one). */
  readonly name: string;
  readonly value: ValueText;
  readonly pos: SourcePos;
}

export interface ConfBlock {
  readonly kind: 'block';
  readonly key: string;
  readonly name: string;
  readonly items: readonly ConfItem[];
  readonly pos: SourcePos;
}

export type ConfItem = ConfDirective | ConfBlock;

export interface ParseOptions {
  /** Reads an included file; default fs.readFileSync as UTF-8. */
  readFile?: (file: string) => string;
}

const MAX_INCLUDE_DEPTH = 16;

/** Lower case with blanks removed: the form keys and types are compared in. */
export function normalizeKey(words: string): string {
  return words.replace(/[ \t]+/g, '').toLowerCase();
}

interface Ctx {
  readonly readFile: (file: string) => string;
  /** Files being read, outermost first (cycle detection). */
  readonly stack: string[];
}

/** Parses the text of one file (named `file` in messages) into its top-level items. */
export function parseConfText(text: string, file: string, opts: ParseOptions = {}): ConfItem[] {
  const ctx: Ctx = { readFile: opts.readFile ?? ((f) => fs.readFileSync(f, 'utf8')), stack: [path.resolve(file)] };
  return parseFile(text, file, ctx);
}

/** Reads and parses a file and everything it includes. */
export function parseConfFile(file: string, opts: ParseOptions = {}): ConfItem[] {
  const readFile = opts.readFile ?? ((f: string) => fs.readFileSync(f, 'utf8'));
  return parseConfText(readFile(file), file, { readFile });
}

function parseFile(text: string, file: string, ctx: Ctx): ConfItem[] {
  const lx = new Lexer(text, file);
  const items: ConfItem[] = [];
  parseItems(lx, null, items, ctx);
  return items;
}

/** Reads statements into `into` until the `}` closing `open` (or end of file when open is null). */
function parseItems(lx: Lexer, open: { name: string; pos: SourcePos } | null, into: ConfItem[], ctx: Ctx): void {
  for (;;) {
    const t = lx.next();
    switch (t.kind) {
      case 'newline':
      case ';':
        continue;
      case 'eof':
        if (open) throw confError(open.pos, `"${open.name} {" is not closed by a "}" before the end of the file`, open.name);
        return;
      case '}':
        if (!open) throw confError(t.pos, 'a "}" without a matching "{"', '}');
        return;
      case 'include':
        into.push(...include(t, ctx));
        continue;
      case '=':
      case '{':
        throw confError(t.pos, `"${t.text}" without a name before it`, t.text);
      case 'string':
        throw confError(t.pos, 'a key or resource type must not be quoted', t.text);
      case 'word':
        statement(lx, t, into, ctx);
        continue;
    }
  }
}

/** One `Key words = value` or `Type words { ... }`, starting at its first word. */
function statement(lx: Lexer, first: Token, into: ConfItem[], ctx: Ctx): void {
  const words = [first.text];
  for (;;) {
    const t = lx.next();
    if (t.kind === 'word') { words.push(t.text); continue; }
    const name = words.join(' ');
    if (t.kind === 'newline') {
      // `Type` alone on a line with its `{` on the next (blank lines and comments between are fine)
      const m = lx.mark();
      let n = lx.next();
      while (n.kind === 'newline') n = lx.next();
      if (n.kind === '{') {
        const items: ConfItem[] = [];
        parseItems(lx, { name, pos: first.pos }, items, ctx);
        into.push({ kind: 'block', key: normalizeKey(name), name, items, pos: first.pos });
        return;
      }
      lx.reset(m);
    }
    if (t.kind === '=') {
      const value = lx.value();
      if (value.text === '' && !value.quoted) throw confError(t.pos, `"${name}" has no value after "="`, name);
      into.push({ kind: 'directive', key: normalizeKey(name), name, value, pos: first.pos });
      return;
    }
    if (t.kind === '{') {
      const items: ConfItem[] = [];
      parseItems(lx, { name, pos: first.pos }, items, ctx);
      into.push({ kind: 'block', key: normalizeKey(name), name, items, pos: first.pos });
      return;
    }
    const near = t.kind === 'newline' ? name : t.text;
    throw confError(t.kind === 'newline' ? first.pos : t.pos, `expected "=" or "{" after "${name}"`, near);
  }
}

function include(t: Token, ctx: Ctx): ConfItem[] {
  const from = ctx.stack[ctx.stack.length - 1]!;
  const target = path.resolve(path.dirname(from), t.text);
  if (ctx.stack.includes(target)) throw confError(t.pos, 'the file includes itself', t.text);
  if (ctx.stack.length >= MAX_INCLUDE_DEPTH) throw confError(t.pos, `includes nest deeper than ${MAX_INCLUDE_DEPTH} levels`, t.text);
  let text: string;
  try {
    text = ctx.readFile(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw confError(t.pos, `cannot read the included file (${code})`, t.text);
  }
  ctx.stack.push(target);
  try {
    return parseFile(text, path.isAbsolute(t.text) ? t.text : path.join(path.dirname(t.pos.file), t.text), ctx);
  } finally {
    ctx.stack.pop();
  }
}
