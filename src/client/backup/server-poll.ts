/**
 * Choosing the server to back up to (spec §6.4 step 4). The servers of
 * BackupHosts are asked in order with `afclient -wv`:
 *   - with a single server, it is taken whatever its state;
 *   - else the first one whose streamer is READY, or UNLOADED but CHANGEABLE;
 *   - else, among those that are writing for other clients, the one with the
 *     least load (active plus pending clients);
 *   - else wait (30 s by default) and ask again.
 * afclient exit statuses 50-99 (connection trouble) make a server skipped this
 * round; any other failure removes it for good, and when none is left the
 * backup fails with CONNECT_FAILED. Every answering server's state is returned,
 * for server_ids and the erased-cartridge check.
 */
import { AfError } from '../../errors.js';
import type { BackupServer } from '../../config/client-config.js';
import type { StreamerState } from './streamer-state.js';
import { parseStreamerState } from './streamer-state.js';

export interface PolledServer {
  readonly server: BackupServer;
  readonly state: StreamerState;
}

export interface PollResult {
  readonly chosen: PolledServer;
  /** Every server that answered in the final round, in BackupHosts order. */
  readonly answered: readonly PolledServer[];
}

export interface PollDeps {
  /** Runs `afclient -wv` for a server: exit status and stdout. */
  query(server: BackupServer): Promise<{ status: number; stdout: string; stderr: string }>;
  /** Waits between rounds (30 s in production). */
  sleep(): Promise<void>;
  /** Reports a server left out (for -v and the log). */
  note(text: string): void;
  /** Gives up after this many rounds (undefined = never). */
  maxRounds?: number;
}

export async function pollServers(servers: readonly BackupServer[], deps: PollDeps): Promise<PollResult> {
  let live = [...servers];
  if (live.length === 0) throw new AfError('CONNECT_FAILED', 'no backup server is configured (BackupHosts)');
  for (let round = 1; ; round++) {
    const answered: PolledServer[] = [];
    for (const server of [...live]) {
      const r = await deps.query(server);
      const state = r.status === 0 ? parseStreamerState(r.stdout) : undefined;
      if (!state) {
        const why = (r.stderr.trim().split('\n').pop() ?? '') || `afclient exited with status ${r.status}`;
        if (r.status >= 50 && r.status < 100) {
          deps.note(`server ${server.host} port ${server.port} did not answer: ${why}`);
          continue;
        }
        deps.note(`server ${server.host} port ${server.port} is left out: ${why}`);
        live = live.filter((s) => s !== server);
        if (live.length === 0) throw new AfError('CONNECT_FAILED', `no server can be used (last: ${server.host} port ${server.port}: ${why})`);
        continue;
      }
      const polled = { server, state };
      answered.push(polled);
      if (live.length === 1) return { chosen: polled, answered };
      if (state.state === 'READY' || (state.state === 'UNLOADED' && state.changeable)) return { chosen: polled, answered };
    }
    const writing = answered.filter((p) => p.state.writing);
    if (writing.length > 0) {
      const least = writing.reduce((a, b) => (b.state.load < a.state.load ? b : a));
      return { chosen: least, answered };
    }
    if (deps.maxRounds !== undefined && round >= deps.maxRounds) {
      throw new AfError('DEVNOTREADY', `no backup server became ready after ${round} rounds`);
    }
    deps.note('no backup server is ready; waiting before asking again');
    await deps.sleep();
  }
}

/** Asks every server once (update_indexes): those that answered; the rest are noted. */
export async function pollAll(servers: readonly BackupServer[], deps: Pick<PollDeps, 'query' | 'note'>): Promise<PolledServer[]> {
  const answered: PolledServer[] = [];
  for (const server of servers) {
    const r = await deps.query(server);
    const state = r.status === 0 ? parseStreamerState(r.stdout) : undefined;
    if (state) answered.push({ server, state });
    else deps.note(`server ${server.host} port ${server.port} did not answer: ${(r.stderr.trim().split('\n').pop() ?? '') || `afclient exited with status ${r.status}`}`);
  }
  if (answered.length === 0) throw new AfError('CONNECT_FAILED', 'no backup server answered');
  return answered;
}
