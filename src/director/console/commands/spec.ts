/**
 * One idea: the static description of one console command — its keywords, the ACL
 * keyword that guards it, the arguments it accepts, its help line — and the helpers
 * that read its arguments with errors naming the offending word.
 */
import { AfError } from '../../../errors.js';
import type { CommandArgs, CommandResult, ConsoleContext } from '../context.js';
import type { Word } from '../tokenize.js';

export interface CommandSpec {
  /** The name in documents and help, e.g. "list jobs". */
  readonly name: string;
  /** Bare keywords that select it, e.g. ["list", "jobs"]. */
  readonly keywords: readonly string[];
  /** The Command ACL entry that allows it. */
  readonly acl: string;
  readonly usage: string;
  readonly summary: string;
  /** Accepted key=value keys. */
  readonly values: readonly string[];
  /** Accepted bare words. */
  readonly flags: readonly string[];
  readonly required?: readonly string[];
  /** Any further words are passed on (restore). */
  readonly passThrough?: boolean;
  run(ctx: ConsoleContext, args: CommandArgs): Promise<CommandResult>;
}

/** Checks the words after the keywords against the spec. */
export function readArgs(spec: CommandSpec, words: readonly Word[]): CommandArgs {
  const values = new Map<string, Word>();
  const flags = new Set<string>();
  const accepted = (): string => [...spec.values.map((v) => `${v}=`), ...spec.flags].join(', ') || 'none';
  for (const w of words) {
    if (w.value !== undefined && spec.values.includes(w.key)) {
      if (values.has(w.key)) throw new AfError('USAGE', `"${w.key}=" is given twice in "${spec.name}": "${w.text}"`);
      values.set(w.key, w);
    } else if (w.value === undefined && spec.flags.includes(w.key)) {
      flags.add(w.key);
    } else if (!spec.passThrough) {
      throw new AfError('USAGE', `unknown argument "${w.text}" for "${spec.name}" (accepted: ${accepted()})`);
    }
  }
  for (const r of spec.required ?? []) {
    if (!values.has(r)) throw new AfError('USAGE', `"${spec.name}" needs ${r}= (usage: ${spec.usage})`);
  }
  return { values, flags, rest: words };
}

export function stringArg(args: CommandArgs, key: string): string | undefined {
  const w = args.values.get(key);
  if (!w) return undefined;
  if (w.value === '') throw new AfError('USAGE', `"${w.text}": the value is empty`);
  return w.value;
}

export function intArg(args: CommandArgs, key: string, min: number, max: number): number | undefined {
  const w = args.values.get(key);
  if (!w) return undefined;
  if (!/^\d{1,12}$/.test(w.value ?? '')) throw new AfError('USAGE', `"${w.text}": ${key} wants a whole number`);
  const n = Number(w.value);
  if (n < min || n > max) throw new AfError('USAGE', `"${w.text}": ${key} must be from ${min} to ${max}`);
  return n;
}
