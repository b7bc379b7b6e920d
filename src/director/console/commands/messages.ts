/**
 * One idea: `messages [all]` — the director-wide messages this console has not read
 * yet (see messages-file.ts), which are then marked read for this console. `all`
 * shows the whole file and moves the mark to its end. A restricted console sees the
 * messages of its allowed jobs and clients; director-wide lines (no client) only
 * when it may use every client.
 */
import { readNewMessages, type DirectorMessage } from '../messages-file.js';
import type { ConsoleContext } from '../context.js';
import type { CommandSpec } from './spec.js';

function visible(ctx: ConsoleContext, m: DirectorMessage): boolean {
  if (ctx.access.unrestricted) return true;
  if (m.client === null) return ctx.access.allClients && (m.job === null || ctx.access.allowsJob(m.job));
  return ctx.access.allowsClient(m.client) && (m.job === null || ctx.access.allowsJob(m.job));
}

export const messages: CommandSpec = {
  name: 'messages',
  keywords: ['messages'],
  acl: 'messages',
  usage: 'messages [all]',
  summary: 'director messages not yet read by this console (all: every message)',
  values: [],
  flags: ['all'],
  async run(ctx, args) {
    const list = (await readNewMessages(ctx.varDirectory, ctx.access.name, { markRead: true, all: args.flags.has('all') })).filter((m) => visible(ctx, m));
    const body = { messages: list.map((m) => ({ time: m.time || null, type: m.type, jobid: m.jobid, job: m.job, client: m.client, text: m.text })) };
    const text = list.length === 0
      ? 'You have no messages.\n'
      : list.map((m) => `${m.time} ${m.type}${m.jobid !== null ? ` job ${m.jobid}` : ''}${m.job ? ` ${m.job}` : ''}${m.client ? ` (${m.client})` : ''}: ${m.text}\n`).join('');
    return { body, text };
  },
};
