/**
 * `server_ids`: the identifier each server answered with (spec §6.3).
 *
 *   <host> <port> <serverid>      e.g. `127.0.0.1 29880 vm:/srv/afdemo/etc/server.conf`
 *
 * The port is -1 when the default was used. The server id is the rest of the line
 * (afserver replaces blanks in it by `*`, so it never holds one). One line per
 * host and port; setting one replaces its line in place or appends it.
 */
import { sourceOf, withSource } from '../../state/line-model.js';
import type { StateCodec } from '../../state/state-file.js';
import { eachLine, integer } from './lines.js';

export interface ServerId {
  readonly host: string;
  readonly port: number;
  readonly serverId: string;
}

export interface ServerIds {
  readonly entries: readonly ServerId[];
}

const LINE_RE = /^(\S+) (\S+) (\S.*)$/;

export function formatEntry(e: ServerId): string {
  return `${e.host} ${e.port} ${e.serverId}`;
}

export function empty(): ServerIds {
  return { entries: [] };
}

export function parse(text: string, file: string): ServerIds {
  const entries: ServerId[] = [];
  eachLine(text, file, (line, _n, fail) => {
    const m = LINE_RE.exec(line);
    if (!m) fail('expected <host> <port> <server id> separated by single blanks');
    const e: ServerId = { host: m![1]!, port: integer('port', m![2]!, fail), serverId: m![3]! };
    if (entries.some((x) => x.host === e.host && x.port === e.port)) fail(`host ${e.host} port ${e.port} appears twice`);
    entries.push(withSource(e, line));
  });
  return withSource({ entries }, text);
}

export function format(model: ServerIds): string {
  const whole = sourceOf(model);
  if (whole !== undefined) return whole;
  return model.entries.map((e) => (sourceOf(e) ?? formatEntry(e)) + '\n').join('');
}

export function get(model: ServerIds, host: string, port: number): string | undefined {
  return model.entries.find((e) => e.host === host && e.port === port)?.serverId;
}

export function set(model: ServerIds, e: ServerId): ServerIds {
  const i = model.entries.findIndex((x) => x.host === e.host && x.port === e.port);
  if (i < 0) return { entries: [...model.entries, e] };
  return { entries: model.entries.map((x, k) => (k === i ? e : x)) };
}

export const codec: StateCodec<ServerIds> = { parse, format, empty };
