/**
 * Reading what `afclient -wv` prints (spec §10 item 12): the streamer state line
 * `Streamer state: READY+CHANGEABLE[+WRITING=n][+PENDING=n]`, `Server-ID: <id>`
 * and `Precious tapes: <ranges>` (`-` = none). Pure.
 */
import { readRanges, type RangeList } from '../../state/range-list.js';

export type DeviceState = 'READY' | 'UNLOADED' | 'BUSY' | 'DEVINUSE' | 'UNAVAILABLE' | 'UNKNOWN';

export interface StreamerState {
  readonly state: DeviceState;
  readonly changeable: boolean;
  /** Set when clients are writing (or reading) through the server. */
  readonly writing: boolean;
  readonly reading: boolean;
  /** Active plus pending clients (the "load" used to choose among busy servers). */
  readonly load: number;
  readonly serverId: string | undefined;
  /** The precious tapes the server holds for this client; undefined when not reported. */
  readonly preciousTapes: RangeList | undefined;
}

const STATES: readonly DeviceState[] = ['READY', 'UNLOADED', 'BUSY', 'DEVINUSE', 'UNAVAILABLE'];

/** Undefined when the output has no streamer state line. */
export function parseStreamerState(output: string): StreamerState | undefined {
  let state: DeviceState | undefined;
  let changeable = false;
  let writing = false;
  let reading = false;
  let load = 0;
  let serverId: string | undefined;
  let preciousTapes: RangeList | undefined;
  let sawState = false;
  for (const line of output.split('\n')) {
    const st = /Streamer state:\s*(\S*)/.exec(line);
    if (st) {
      sawState = true;
      for (const word of st[1]!.split('+')) {
        const w = word.toUpperCase();
        if ((STATES as readonly string[]).includes(w)) state ??= w as DeviceState;
        else if (w === 'CHANGEABLE') changeable = true;
        else {
          const m = /^(WRITING|READING|PENDING)=(\d+)$/.exec(w);
          if (m) {
            load += Number(m[2]);
            if (m[1] === 'WRITING') writing = true;
            if (m[1] === 'READING') reading = true;
          } else if (w === 'RAWWRITING') writing = true;
          else if (w === 'RAWREADING') reading = true;
        }
      }
      continue;
    }
    const id = /Server-ID:\s*(.*)$/.exec(line);
    if (id) {
      serverId = id[1]!.trim();
      continue;
    }
    const pt = /Precious tapes:\s*(.*)$/.exec(line);
    if (pt) {
      const text = pt[1]!.trim();
      if (text === '' || text === '-') preciousTapes = [];
      else {
        const r = readRanges(text.split(/\s+/)[0]!);
        preciousTapes = r.ok ? r.ranges : [];
      }
    }
  }
  if (!sawState) return undefined;
  return { state: state ?? 'UNKNOWN', changeable, writing, reading, load, serverId, preciousTapes };
}
