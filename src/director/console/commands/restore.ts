/**
 * One idea: `restore [client=NAME] [afrestore arguments ...]` — hand over to
 * afrestore(8) for one client: `afrestore -W NAME ARGS...`, run on this host with
 * the console's terminal (with --json its output is captured into the document
 * instead; when commands come from standard input it gets no input). The Client resource's Name is
 * passed as the client identifier (-W), so it should be the identifier that client
 * uses with its server.
 *
 * Without client= an unrestricted console runs afrestore for this host's own client
 * (no -W); a restricted console uses its only allowed client, or must name one. A
 * restricted console may pass only afrestore's selecting and listing options
 * (-n -l -t -v -m -i -p -a, -A -B -N -O -F with their values, -<n>) and patterns,
 * never -W, -C, -c, -h, -P, -k or the emergency modes, so it cannot reach another
 * client's files.
 */
import { AfError } from '../../../errors.js';
import type { ConsoleContext } from '../context.js';
import type { Word } from '../tokenize.js';
import type { CommandSpec } from './spec.js';

const RESTRICTED_OPTION = /^-(?:\d+|[nltvmipa]+|[nltvmipa]*([ABNOF])(.*))$/;

/** The words after `restore` as afrestore arguments, client= taken out. */
function passOn(ctx: ConsoleContext, words: readonly Word[]): { client: string | undefined; argv: string[] } {
  let client: string | undefined;
  const argv: string[] = [];
  let takesValue = false;
  for (const w of words) {
    if (w.key === 'client' && w.value !== undefined && client === undefined && !takesValue) {
      client = w.value;
      continue;
    }
    const text = w.value === undefined ? w.text : `${w.text.slice(0, w.text.indexOf('='))}=${w.value}`;
    if (!ctx.access.unrestricted && !takesValue && text.startsWith('-')) {
      const m = RESTRICTED_OPTION.exec(text);
      if (!m) throw ctx.access.denied(`restore: the afrestore option "${text}" is not allowed`);
      argv.push(text);
      takesValue = m[1] !== undefined && m[2] === '';
      continue;
    }
    takesValue = false;
    argv.push(text);
  }
  return { client, argv };
}

export const restore: CommandSpec = {
  name: 'restore',
  keywords: ['restore'],
  acl: 'restore',
  usage: 'restore [client=NAME] [afrestore options and patterns ...]',
  summary: 'hand over to afrestore for one client',
  values: ['client'],
  flags: [],
  passThrough: true,
  async run(ctx, args) {
    let { client, argv } = passOn(ctx, args.rest);
    if (client !== undefined) {
      if (!ctx.access.allowsClient(client)) throw ctx.access.denied(`client=${client} is not allowed`);
      if (!ctx.config.clients.has(client)) throw new AfError('NOT_FOUND', `client=${client}: no such Client in ${ctx.config.file}`);
    } else if (!ctx.access.unrestricted) {
      const mine = [...ctx.config.clients.keys()].filter((c) => ctx.access.allowsClient(c));
      if (mine.length !== 1) throw new AfError('USAGE', `restore needs client=NAME (this console may use ${mine.length === 0 ? 'no client' : mine.join(', ')})`);
      client = mine[0]!;
    }
    const full = client !== undefined ? ['-W', client, ...argv] : argv;
    const capture = ctx.json;
    const r = await ctx.world.afrestore(full, capture);
    if (r.startError) throw new AfError('SUBPROCESS_FAILED', r.startError);
    const body = { client: client ?? null, argv: full, exit: r.exit, stdout: capture ? r.stdout : null, stderr: capture ? r.stderr : null };
    const text = capture ? r.stdout : '';
    return { body, text, status: r.exit };
  },
};
