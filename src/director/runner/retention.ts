/**
 * One idea: the retention decision — which tapes the director holds back from reuse
 * on each tape server, and which it lets go — as a pure function of the history.
 *
 * Per tape server (the servers the jobs name), over the jobs that have a Retention:
 *   - a tape is KEPT while a successful run of such a job that wrote on it ended
 *     less than the job's Retention ago;
 *   - a tape is KEPT, whatever its age, when it holds a job's last good Full or a
 *     successful run of that job after it (what a restore of the newest state
 *     needs) — for every job on the server, with or without Retention: the last
 *     good Full of a client is never released;
 *   - every other tape that such a job wrote on is RELEASED, unless a run of a job
 *     without Retention also wrote on it (those tapes are not the director's to give).
 * Carried out with afbackup's own mechanisms (spec §2): the kept tapes form the
 * director's line in the server's precious_tapes (`PreciousTapes: "<id>" <tapes>`;
 * an empty list removes the line), so the server does not choose them for writing;
 * released tapes simply leave that line. With Last Full Read Only, the tapes of each
 * job's last good Full are also made read-only (`TapesReadOnly:`), and tapes the
 * director made read-only earlier that no longer hold a last good Full are given
 * back (`TapesReadWrite:`). Messages are produced only for what changed.
 */
import { formatRanges } from '../../config/ranges.js';
import type { JobResource } from '../conf/model.js';
import type { JobRecord } from '../history/job-record.js';

export interface ServerRetention {
  /** Tapes on the director's precious line, ascending. */
  readonly precious: readonly number[];
  /** Tapes the director keeps read-only, ascending. */
  readonly readOnly: readonly number[];
}

export interface RetentionInput {
  readonly records: readonly JobRecord[];
  readonly jobs: ReadonlyMap<string, Pick<JobResource, 'name' | 'tapeServer' | 'retentionSec'>>;
  readonly now: Date;
  readonly lastFullReadOnly: boolean;
  /** The id of the director's line in precious_tapes. */
  readonly preciousId: string;
  /** What was carried out last time, per server. */
  readonly previous: ReadonlyMap<string, ServerRetention>;
}

export interface ServerDecision extends ServerRetention {
  /** Tapes the director's retention let go in this decision (were precious, now not). */
  readonly released: readonly number[];
  /** Server messages that carry the decision out (empty: nothing changed). */
  readonly messages: readonly string[];
}

const asc = (s: Iterable<number>): number[] => [...new Set(s)].sort((a, b) => a - b);
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const endOf = (r: JobRecord): number => Date.parse(r.end ?? r.start ?? '') || 0;

export function decideRetention(input: RetentionInput): Map<string, ServerDecision> {
  const servers = new Set<string>();
  for (const j of input.jobs.values()) if (j.tapeServer !== undefined) servers.add(j.tapeServer);
  for (const s of input.previous.keys()) servers.add(s);
  const out = new Map<string, ServerDecision>();
  for (const server of [...servers].sort()) {
    const jobsHere = [...input.jobs.values()].filter((j) => j.tapeServer === server);
    const keep = new Set<number>();
    const lastFull = new Set<number>();
    const managed = new Set<number>();
    const foreign = new Set<number>();
    for (const job of jobsHere) {
      const recs = input.records.filter((r) => r.job === job.name).sort((a, b) => endOf(a) - endOf(b) || a.id - b.id);
      for (const r of recs) {
        for (const c of r.cartridges) (job.retentionSec !== undefined ? managed : foreign).add(c);
        if (r.status === 'running') for (const c of r.cartridges) keep.add(c);
        if (r.status === 'ok' && job.retentionSec !== undefined && endOf(r) + job.retentionSec * 1000 > input.now.getTime()) {
          for (const c of r.cartridges) keep.add(c);
        }
      }
      const good = recs.filter((r) => r.status === 'ok');
      let li = -1;
      good.forEach((r, i) => {
        if (r.level === 'Full') li = i;
      });
      if (li >= 0) {
        for (const c of good[li]!.cartridges) {
          keep.add(c);
          lastFull.add(c);
        }
        for (const r of good.slice(li + 1)) for (const c of r.cartridges) keep.add(c);
      }
    }
    const precious = asc([...keep].filter((c) => managed.has(c) || lastFull.has(c)));
    const readOnly = input.lastFullReadOnly ? asc(lastFull) : [];
    const prev = input.previous.get(server) ?? { precious: [], readOnly: [] };
    const released = prev.precious.filter((c) => !keep.has(c) && !foreign.has(c));
    const messages: string[] = [];
    if (!same(precious, prev.precious)) messages.push(`PreciousTapes: "${input.preciousId}" ${formatRanges(precious)}`.trimEnd());
    const newRo = readOnly.filter((c) => !prev.readOnly.includes(c));
    if (newRo.length > 0) messages.push(`TapesReadOnly: ${formatRanges(newRo)}`);
    const backRw = prev.readOnly.filter((c) => !readOnly.includes(c));
    if (backRw.length > 0) messages.push(`TapesReadWrite: ${formatRanges(backRw)}`);
    out.set(server, { precious, readOnly, released, messages });
  }
  return out;
}
