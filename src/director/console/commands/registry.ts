/**
 * One idea: the table of console commands and how a line's first words pick one.
 * `help` is defined here because it lists the table.
 */
import { AfError } from '../../../errors.js';
import type { Word } from '../tokenize.js';
import { table } from '../render.js';
import { cancelJob } from './cancel-job.js';
import { estimate } from './estimate.js';
import { listJobs, listJoblog } from './list-jobs.js';
import { listVolumes } from './list-volumes.js';
import { messages } from './messages.js';
import { restore } from './restore.js';
import { runJob } from './run-job.js';
import type { CommandSpec } from './spec.js';
import { statusClient } from './status-client.js';
import { statusDirector } from './status-director.js';
import { statusScheduler } from './status-scheduler.js';
import { waitJobs } from './wait-jobs.js';

const quit: CommandSpec = {
  name: 'quit',
  keywords: ['quit'],
  acl: 'quit',
  usage: 'quit | exit',
  summary: 'leave afconsole',
  values: [],
  flags: [],
  async run() {
    return { body: {}, text: '' };
  },
};

const help: CommandSpec = {
  name: 'help',
  keywords: ['help'],
  acl: 'help',
  usage: 'help',
  summary: 'this list',
  values: [],
  flags: [],
  async run(ctx) {
    const rows = COMMANDS.map((c) => ({ name: c.name, usage: c.usage, summary: c.summary, allowed: ctx.access.allowsCommand(c.acl) }));
    const text = table(['Command', 'Usage', 'What it does'], rows.filter((r) => r.allowed).map((r) => [r.name, r.usage, r.summary]));
    return { body: { commands: rows }, text };
  },
};

export const COMMANDS: readonly CommandSpec[] = [
  statusDirector, statusScheduler, statusClient, listJobs, listJoblog, listVolumes,
  runJob, waitJobs, cancelJob, messages, estimate, restore, help, quit,
];

const ALIASES: Record<string, string> = { exit: 'quit', '?': 'help' };

/** The command a line's words select, and the words after its keywords. */
export function findCommand(words: readonly Word[]): { spec: CommandSpec; rest: Word[] } {
  const first = words[0]!;
  if (first.value !== undefined) throw new AfError('USAGE', `a command starts with a keyword, not "${first.text}" (try help)`);
  const key = ALIASES[first.key] ?? first.key;
  const candidates = COMMANDS.filter((c) => c.keywords[0] === key);
  if (candidates.length === 0) throw new AfError('USAGE', `unknown command "${first.text}" (try help)`);
  const second = words[1];
  if (second && second.value === undefined) {
    const two = candidates.find((c) => c.keywords.length === 2 && c.keywords[1] === second.key);
    if (two) return { spec: two, rest: words.slice(2) };
  }
  const subs = candidates.filter((c) => c.keywords.length === 2).map((c) => c.keywords[1]).join(', ');
  const one = candidates.find((c) => c.keywords.length === 1);
  if (one && (subs === '' || (second !== undefined && second.value !== undefined))) return { spec: one, rest: words.slice(1) };
  if (second) throw new AfError('USAGE', `unknown ${first.key} "${second.text}" (expected ${subs}${key === 'status' ? ' or client=NAME' : ''})`);
  throw new AfError('USAGE', `"${first.text}" needs one of: ${subs}${key === 'status' ? ', client=NAME' : ''}`);
}
