/**
 * update_indexes (spec §6.5): step 4 of a backup alone. Under the client lock,
 * every configured server is asked once (`afclient -wv`), server_ids is brought up to date, and
 * cartridges a server no longer keeps as precious for this client are taken out
 * of needed_tapes and of the index files.
 */
import { AfError } from '../../errors.js';
import type { ClientConfig } from '../../config/client-config.js';
import { formatRanges } from '../../state/range-list.js';
import * as serverIds from '../files/server-ids.js';
import { withClientLock } from './client-lock.js';
import { ClientVarDir } from './var-dir.js';
import { pollAll } from './server-poll.js';
import { stateQueryArgs, type AfclientProgram } from './afclient-command.js';
import { runQuery } from './afclient-process.js';
import { indexCommands } from './index-store.js';
import { removeErasedCartridges } from './erased-check.js';

export interface UpdateIndexesDeps {
  readonly afclient: AfclientProgram;
  readonly info: (text: string) => void;
  readonly warn: (text: string) => void;
}

export interface UpdateIndexesSummary {
  program: 'update_indexes';
  number: number;
  servers: { host: string; port: number | string; serverId: string | null }[];
  erasedCartridges: { serverId: string; cartridges: string }[];
  /** Index number → lines removed. */
  removedLines: Record<string, number>;
  status: number;
}

export async function runUpdateIndexes(config: ClientConfig, deps: UpdateIndexesDeps): Promise<UpdateIndexesSummary> {
  return withClientLock(config.lockFile, async () => {
    const vars = new ClientVarDir(config.varDirectory);
    const num = vars.readCounter(vars.num);
    if (num === undefined) throw new AfError('STATE_IO', `cannot read the backup number from "${vars.num}" (no backup was made yet)`);
    const answered = await pollAll(config.servers, {
      query: (server) => runQuery(deps.afclient, stateQueryArgs({ server, keyFile: config.encryptionKeyFile, clientId: config.clientIdentifier })),
      note: deps.warn,
    });
    let ids = vars.read(vars.serverIds, serverIds.codec);
    for (const p of answered) {
      if (!p.state.serverId) continue;
      const port = p.server.defaultPort || typeof p.server.port !== 'number' ? -1 : p.server.port;
      ids = serverIds.set(ids, { host: p.server.host, port, serverId: p.state.serverId });
    }
    if (answered.some((p) => p.state.serverId)) await vars.write(vars.serverIds, serverIds.codec, ids);
    const r = await removeErasedCartridges({
      vars,
      polled: answered,
      indexFilePart: config.indexFilePart,
      lastNum: num,
      indexCommands: indexCommands(config),
      unprocessDefault: config.indexUnprocessCmd,
      note: deps.info,
    });
    return {
      program: 'update_indexes',
      number: num,
      servers: answered.map((p) => ({ host: p.server.host, port: p.server.port, serverId: p.state.serverId ?? null })),
      erasedCartridges: r.erased.map((e) => ({ serverId: e.serverId, cartridges: formatRanges(e.tapes) })),
      removedLines: Object.fromEntries([...r.removedLines].map(([k, v]) => [String(k), v])),
      status: 0,
    };
  });
}
