/**
 * One idea: the scheduler's own state in `<vardir>/schedule-state` — per job the last
 * run instant already considered, the last start (for Not More Often Than), the hash
 * of the file selection at the last good Full, and the runs waiting to start (queued
 * by a schedule, a due check, the console, or a reschedule after an error). A pure
 * format/parse pair plus an atomic load/save.
 *
 * One record per line, fields separated by one TAB (job names hold no TAB):
 *   considered    <job> <ISO instant>
 *   last-start    <job> <ISO instant>
 *   full-selection <job> <hash>
 *   queued        <job> <level> <scheduled ISO> <not-before ISO> <attempt> <source> <cartridge set|->
 * `#` lines and blank lines are skipped; anything else is a STATE_SYNTAX error naming
 * the file and line. A missing file is an empty state (a director's first start).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo, stateSyntax } from '../../state/state-errors.js';
import type { Level } from '../schedule/run-grammar.js';

export type RunSource = 'schedule' | 'due' | 'console' | 'retry';
const SOURCES: readonly RunSource[] = ['schedule', 'due', 'console', 'retry'];
const LEVELS: readonly Level[] = ['Full', 'Incremental', 'Differential'];

export interface QueuedRun {
  readonly job: string;
  /** The level asked for (before any upgrade, which is decided at the start). */
  readonly level: Level;
  readonly cartridgeSet?: number;
  /** The instant the run was due (schedule time, request time, or the failed run's time). */
  readonly scheduled: Date;
  /** Not started before this instant (a reschedule's interval). */
  readonly notBefore: Date;
  /** 0 for a first run, n for the n-th reschedule after errors. */
  readonly attempt: number;
  readonly source: RunSource;
}

export interface SchedulerState {
  readonly considered: Map<string, Date>;
  readonly lastStart: Map<string, Date>;
  readonly fullSelection: Map<string, string>;
  queue: QueuedRun[];
}

export function emptyState(): SchedulerState {
  return { considered: new Map(), lastStart: new Map(), fullSelection: new Map(), queue: [] };
}

export function stateFilePath(varDirectory: string): string {
  return path.join(varDirectory, 'schedule-state');
}

function checkName(job: string): string {
  if (/[\t\n\r]/.test(job) || job === '') throw new TypeError(`job name ${JSON.stringify(job)} cannot be stored in the scheduler state`);
  return job;
}

export function formatState(s: SchedulerState): string {
  const lines = ['# afdirector scheduler state (rewritten after every tick; see afdirector(8))'];
  const sorted = <V>(m: Map<string, V>): [string, V][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [job, d] of sorted(s.considered)) lines.push(['considered', checkName(job), d.toISOString()].join('\t'));
  for (const [job, d] of sorted(s.lastStart)) lines.push(['last-start', checkName(job), d.toISOString()].join('\t'));
  for (const [job, h] of sorted(s.fullSelection)) lines.push(['full-selection', checkName(job), h].join('\t'));
  for (const q of s.queue) {
    lines.push(['queued', checkName(q.job), q.level, q.scheduled.toISOString(), q.notBefore.toISOString(), String(q.attempt), q.source,
      q.cartridgeSet === undefined ? '-' : String(q.cartridgeSet)].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function parseState(text: string, file: string): SchedulerState {
  const s = emptyState();
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const f = raw.split('\t');
    const instant = (t: string | undefined): Date => {
      const d = new Date(t ?? '');
      if (!/^\d{4}-\d{2}-\d{2}T/.test(t ?? '') || Number.isNaN(d.getTime())) throw stateSyntax(file, n, `"${t ?? ''}" is not an ISO 8601 instant`, raw);
      return d;
    };
    const want = (count: number): void => {
      if (f.length !== count) throw stateSyntax(file, n, `"${f[0]}" wants ${count - 1} fields separated by TABs, not ${f.length - 1}`, raw);
    };
    switch (f[0]) {
      case 'considered': want(3); s.considered.set(f[1]!, instant(f[2])); break;
      case 'last-start': want(3); s.lastStart.set(f[1]!, instant(f[2])); break;
      case 'full-selection': want(3); s.fullSelection.set(f[1]!, f[2]!); break;
      case 'queued': {
        want(8);
        const level = f[2] as Level;
        if (!LEVELS.includes(level)) throw stateSyntax(file, n, `unknown level "${f[2]}"`, raw);
        if (!/^\d{1,6}$/.test(f[5]!)) throw stateSyntax(file, n, `attempt "${f[5]}" is not a whole number`, raw);
        const source = f[6] as RunSource;
        if (!SOURCES.includes(source)) throw stateSyntax(file, n, `unknown source "${f[6]}"`, raw);
        if (f[7] !== '-' && !/^[1-9]\d{0,5}$/.test(f[7]!)) throw stateSyntax(file, n, `cartridge set "${f[7]}" is not a number or -`, raw);
        s.queue.push({
          job: f[1]!, level, scheduled: instant(f[3]), notBefore: instant(f[4]), attempt: Number(f[5]), source,
          ...(f[7] !== '-' ? { cartridgeSet: Number(f[7]) } : {}),
        });
        break;
      }
      default:
        throw stateSyntax(file, n, `unknown record "${f[0]}"`, raw);
    }
  });
  return s;
}

export async function loadState(varDirectory: string): Promise<SchedulerState> {
  const file = stateFilePath(varDirectory);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return emptyState();
    throw stateIo('read', file, err);
  }
  return parseState(text, file);
}

export async function saveState(varDirectory: string, s: SchedulerState): Promise<void> {
  await fs.promises.mkdir(varDirectory, { recursive: true, mode: 0o750 }).catch((err: unknown) => {
    throw stateIo('create the directory', varDirectory, err);
  });
  await writeAtomic(stateFilePath(varDirectory), formatState(s), { mode: 0o640 });
}
