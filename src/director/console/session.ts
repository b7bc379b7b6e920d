/**
 * One idea: run one console command line from start to end — split it into words,
 * pick the command, check the console's Command ACL, read the arguments, run it —
 * and give back both renderings (the JSON document and the text) with the exit
 * status, turning every failure into an error document and one message line.
 */
import { ERRORS, toAfError } from '../../errors.js';
import { COMMANDS, findCommand } from './commands/registry.js';
import { readArgs } from './commands/spec.js';
import type { ConsoleContext } from './context.js';
import { errorDocument, successDocument, type JsonObject } from './schema.js';
import { tokenize, wordsFromArgv, type Word } from './tokenize.js';

export interface Outcome {
  /** The command's name, or null when none was recognised. */
  readonly command: string | null;
  readonly document: JsonObject;
  /** Text for stdout (empty after an error). */
  readonly text: string;
  /** The error line for stderr (without the program name), if it failed with an error. */
  readonly error?: string;
  readonly status: number;
  readonly quit: boolean;
}

export { COMMANDS };

/** Runs the command in one line of text; null for a blank or comment line. */
export async function executeLine(ctx: ConsoleContext, line: string): Promise<Outcome | null> {
  let words: Word[];
  try {
    words = tokenize(line);
  } catch (e) {
    return failure(ctx, null, e);
  }
  if (words.length === 0) return null;
  return executeWords(ctx, words);
}

/** Runs a command given as separate arguments. */
export async function executeArgv(ctx: ConsoleContext, argv: readonly string[]): Promise<Outcome> {
  let words: Word[];
  try {
    words = wordsFromArgv(argv);
  } catch (e) {
    return failure(ctx, null, e);
  }
  return executeWords(ctx, words);
}

async function executeWords(ctx: ConsoleContext, words: readonly Word[]): Promise<Outcome> {
  let name: string | null = null;
  try {
    const { spec, rest } = findCommand(words);
    name = spec.name;
    if (!ctx.access.allowsCommand(spec.acl)) throw ctx.access.denied(`the command "${spec.acl}" is not allowed`);
    const args = readArgs(spec, rest);
    const r = await spec.run(ctx, args);
    const status = r.status ?? 0;
    return { command: name, document: successDocument(name, ctx.access.name, r.body, status === 0), text: r.text, status, quit: spec.name === 'quit' };
  } catch (e) {
    return failure(ctx, name, e);
  }
}

function failure(ctx: ConsoleContext, name: string | null, e: unknown): Outcome {
  const err = toAfError(e);
  return { command: name, document: errorDocument(name, ctx.access.name, err), text: '', error: err.message, status: ERRORS[err.code].exit, quit: false };
}
