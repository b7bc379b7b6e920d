/**
 * One idea: `list volumes [server=NAME]` — each cartridge of each tape server: set,
 * full / read-only / precious, bytes, where it is. Read from the server's state files
 * when the TapeServer names its `Server Config =` (afserver.conf readable here); else
 * only what the server tells over the network (`afclient -w -v`: streamer state),
 * and the document says so ("source": "remote").
 *
 * A restricted console sees every cartridge, but of the clients a cartridge is
 * precious for only those it may use (by Client name or Address); others show as
 * "(other)".
 */
import { stateQueryArgs } from '../../runner/afclient-command.js';
import { AfError, toAfError } from '../../../errors.js';
import type { TapeServerResource } from '../../conf/model.js';
import type { ConsoleContext } from '../context.js';
import { humanBytes, table } from '../render.js';
import type { JsonObject } from '../schema.js';
import { parseAfclientState } from './status-client.js';
import { stringArg, type CommandSpec } from './spec.js';
import { ADMIN_OWNER, readVolumes, type Volume } from '../volumes.js';

function ownerShown(ctx: ConsoleContext, owner: string): string {
  if (ctx.access.allClients || owner === ADMIN_OWNER) return owner;
  for (const c of ctx.config.clients.values()) {
    if ((c.name === owner || c.address === owner) && ctx.access.allowsClient(c.name)) return owner;
  }
  return '(other)';
}

function volumeJson(ctx: ConsoleContext, v: Volume): JsonObject {
  return {
    cartridge: v.cartridge,
    set: v.set,
    label: v.label,
    bytes: v.bytes,
    tapeFiles: v.tapeFiles,
    full: v.full,
    readOnly: v.readOnly,
    precious: v.preciousFor.length > 0,
    preciousFor: [...new Set(v.preciousFor.map((o) => ownerShown(ctx, o)))],
    location: v.location,
    inDrive: v.inDrive,
    nextWriteOf: v.nextWriteOf.map((n) => ({ set: n.set, file: n.file })),
    lastWrite: v.lastWrite,
    uses: v.uses,
  };
}

async function oneServer(ctx: ConsoleContext, ts: TapeServerResource): Promise<{ json: JsonObject; text: string; failed: boolean }> {
  const head = { name: ts.name, address: ts.address, port: ts.port };
  if (ts.serverConfig !== undefined) {
    try {
      const vols = (await readVolumes(ts.serverConfig)).map((v) => volumeJson(ctx, v));
      const rows = vols.map((v) => [
        String(v.cartridge), v.set === null ? '-' : String(v.set), humanBytes(v.bytes as number), String(v.tapeFiles),
        [v.full ? 'full' : '', v.readOnly ? 'read-only' : '', v.precious ? `precious(${(v.preciousFor as string[]).join(',')})` : ''].filter(Boolean).join(' ') || '-',
        (v.inDrive as string | null) !== null ? `in drive ${v.inDrive}` : (v.location as string | null) ?? '-',
      ]);
      const text = `Tape server "${ts.name}" (state files of ${ts.serverConfig}):\n${table(['Cart', 'Set', 'Bytes', 'Files', 'Flags', 'Where'], rows)}`;
      return { json: { ...head, source: 'state', serverConfig: ts.serverConfig, streamerState: null, volumes: vols, error: null }, text, failed: false };
    } catch (e) {
      const msg = toAfError(e).message;
      return { json: { ...head, source: 'state', serverConfig: ts.serverConfig, streamerState: null, volumes: [], error: msg }, text: `Tape server "${ts.name}": ${msg}\n`, failed: true };
    }
  }
  const r = await ctx.world.afclient(stateQueryArgs(ts));
  const st = parseAfclientState(r.stdout);
  const error = r.exit === 0 ? null : r.startError ?? (r.stderr.trim() || `afclient exited with status ${r.exit}`);
  const text = `Tape server "${ts.name}" at ${ts.address}:${ts.port}: ${error ?? `streamer state ${st.streamerState ?? 'unknown'}`}\n` +
    '  cartridge details need "Server Config =" in its TapeServer resource (the server\'s state files are not read over the network)\n';
  return { json: { ...head, source: 'remote', serverConfig: null, streamerState: st.streamerState, volumes: [], error }, text, failed: error !== null };
}

export const listVolumes: CommandSpec = {
  name: 'list volumes',
  keywords: ['list', 'volumes'],
  acl: 'list',
  usage: 'list volumes [server=NAME]',
  summary: 'each cartridge of the tape servers: set, full/read-only/precious, bytes, where',
  values: ['server'],
  flags: [],
  async run(ctx, args) {
    const only = stringArg(args, 'server');
    const servers = [...ctx.config.tapeServers.values()].filter((s) => only === undefined || s.name === only);
    if (only !== undefined && servers.length === 0) throw new AfError('NOT_FOUND', `server=${only}: no such TapeServer in ${ctx.config.file}`);
    const parts = [];
    for (const s of servers) parts.push(await oneServer(ctx, s));
    const text = servers.length === 0 ? 'No TapeServer resources are configured.\n' : parts.map((p) => p.text).join('');
    const failed = parts.some((p) => p.failed);
    return { body: { servers: parts.map((p) => p.json) }, text, ...(failed ? { status: 1 } : {}) };
  },
};
