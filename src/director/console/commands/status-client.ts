/**
 * One idea: `status client=NAME` — ask the client's afbackup service for its state
 * by running `afclient -w -v -h ADDRESS -p PORT [-k KEY]` and show what it says
 * (streamer state, server id, precious tapes), or why it could not be reached. The
 * command's exit status is afclient's.
 */
import { stateQueryArgs } from '../../runner/afclient-command.js';
import { AfError } from '../../../errors.js';
import { stringArg, type CommandSpec } from './spec.js';

/** The lines afclient -w -v prints, picked apart. */
export function parseAfclientState(stdout: string): { streamerState: string | null; serverId: string | null; preciousTapes: string | null } {
  const pick = (label: string): string | null => {
    const m = new RegExp(`^${label}:[ \\t]*(.*)$`, 'm').exec(stdout);
    return m ? m[1]!.trim() : null;
  };
  return { streamerState: pick('Streamer state'), serverId: pick('Server-ID'), preciousTapes: pick('Precious tapes') };
}

export const statusClient: CommandSpec = {
  name: 'status client',
  keywords: ['status'],
  acl: 'status',
  usage: 'status client=NAME',
  summary: "ask a client's afbackup service for its state (afclient -w -v)",
  values: ['client'],
  flags: [],
  required: ['client'],
  async run(ctx, args) {
    const name = stringArg(args, 'client')!;
    const client = ctx.config.clients.get(name);
    if (!ctx.access.allowsClient(name)) throw ctx.access.denied(`client=${name} is not allowed`);
    if (!client) throw new AfError('NOT_FOUND', `client=${name}: no such Client in ${ctx.config.file}`);
    const r = await ctx.world.afclient(stateQueryArgs(client));
    const parsed = parseAfclientState(r.stdout);
    const reachable = r.exit === 0;
    const problem = r.startError ?? r.stderr.trim().split('\n').filter(Boolean).join('; ');
    const body = {
      client: { name, address: client.address, port: client.port, enabled: client.enabled },
      reachable,
      exit: r.exit,
      ...parsed,
      error: reachable ? null : problem || `afclient exited with status ${r.exit}`,
    };
    let text = `Client "${name}" at ${client.address}:${client.port}${client.enabled ? '' : ' (disabled)'}\n`;
    if (reachable) {
      text += `  ${parsed.streamerState !== null ? `streamer state: ${parsed.streamerState}` : 'answered'}\n`;
      if (parsed.serverId !== null) text += `  server id: ${parsed.serverId}\n`;
      if (parsed.preciousTapes !== null) text += `  precious tapes: ${parsed.preciousTapes || 'none'}\n`;
    } else {
      text += `  not reachable (afclient exit ${r.exit}): ${body.error}\n`;
    }
    return { body, text, status: r.exit };
  },
};
