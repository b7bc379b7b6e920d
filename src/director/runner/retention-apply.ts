/**
 * One idea: carry the retention decision out — send each tape server the messages
 * retention.ts produced through `afclient -M`, and remember in
 * `<vardir>/retention-state` what was carried out (per server: the precious line and
 * the read-only tapes, as range lists), so that only changes are sent next time.
 * A server that cannot be reached keeps its previous state; the messages are sent
 * again at the next job end.
 *   <server> TAB precious TAB <ranges>
 *   <server> TAB readonly TAB <ranges>
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandRanges, formatRanges, parseRanges } from '../../config/ranges.js';
import { isAfError } from '../../errors.js';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo, stateSyntax } from '../../state/state-errors.js';
import type { DirectorConfig } from '../conf/model.js';
import type { JobRecord } from '../history/job-record.js';
import { messageArgv } from './afclient-command.js';
import { runChild } from './child.js';
import { decideRetention, type ServerRetention } from './retention.js';

export function retentionStatePath(varDirectory: string): string {
  return path.join(varDirectory, 'retention-state');
}

export function parseRetentionState(text: string, file: string): Map<string, ServerRetention> {
  const m = new Map<string, { precious: number[]; readOnly: number[] }>();
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const f = raw.split('\t');
    if (f.length !== 3 || (f[1] !== 'precious' && f[1] !== 'readonly')) throw stateSyntax(file, i + 1, 'expected "<server> TAB precious|readonly TAB <ranges>"', raw);
    let list: number[] = [];
    try {
      list = f[2] === '' ? [] : expandRanges(parseRanges(f[2]!));
    } catch {
      throw stateSyntax(file, i + 1, `"${f[2]}" is not a range list`, raw);
    }
    const e = m.get(f[0]!) ?? { precious: [], readOnly: [] };
    if (f[1] === 'precious') e.precious = list;
    else e.readOnly = list;
    m.set(f[0]!, e);
  });
  return m;
}

export function formatRetentionState(m: ReadonlyMap<string, ServerRetention>): string {
  const lines = ['# afdirector retention: what was last sent to each tape server'];
  for (const [s, r] of [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`${s}\tprecious\t${formatRanges(r.precious)}`, `${s}\treadonly\t${formatRanges(r.readOnly)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function loadRetentionState(varDirectory: string): Promise<Map<string, ServerRetention>> {
  const file = retentionStatePath(varDirectory);
  try {
    return parseRetentionState(await fs.promises.readFile(file, 'utf8'), file);
  } catch (err) {
    if (isMissing(err)) return new Map();
    if (isAfError(err)) throw err;
    throw stateIo('read', file, err);
  }
}

/** Decides and sends; returns lines for the director's log. */
export async function applyRetention(
  config: DirectorConfig, records: readonly JobRecord[], now: Date, afclient: readonly string[],
): Promise<string[]> {
  const varDir = config.director.varDirectory;
  const previous = await loadRetentionState(varDir);
  const decisions = decideRetention({
    records, jobs: config.jobs, now, lastFullReadOnly: config.director.lastFullReadOnly ?? false,
    preciousId: `afdirector ${config.director.name}`, previous,
  });
  const next = new Map(previous);
  const notes: string[] = [];
  for (const [server, d] of decisions) {
    if (d.messages.length === 0) continue;
    const ts = config.tapeServers.get(server);
    if (!ts) continue;
    const lines: string[] = [];
    const r = await runChild(messageArgv(afclient, ts, d.messages), (l) => lines.push(l)).done;
    if (r.code === 0) {
      next.set(server, { precious: d.precious, readOnly: d.readOnly });
      notes.push(`retention on ${server}: ${d.messages.join('; ')}${d.released.length ? ` (released ${formatRanges(d.released)})` : ''}`);
    } else {
      notes.push(`retention on ${server}: sending "${d.messages.join('; ')}" failed (${r.spawnError ?? `exit ${r.code}`}${lines.length ? `: ${lines.join(' ')}` : ''}); will retry`);
    }
  }
  await writeAtomic(retentionStatePath(varDir), formatRetentionState(next), { mode: 0o640 });
  return notes;
}
