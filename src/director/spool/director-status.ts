/**
 * One idea: the director's own status file, `<vardir>/director.status`, which
 * afdirector rewrites (atomically) when it starts and after every tick, and
 * which afconsole reads for `status director`. Plain `key: value` lines:
 *   pid: <process id>
 *   mode: foreground | once
 *   started: <ISO 8601 with offset>
 *   last-tick: <ISO 8601 with offset>
 *   version: <afbackup-ng version>
 * A missing file means "no director has run on this var directory".
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo, stateSyntax } from '../../state/state-errors.js';

export interface DirectorStatus {
  readonly pid: number;
  readonly mode: 'foreground' | 'once';
  readonly started: string;
  readonly lastTick?: string;
  readonly version: string;
}

export function statusPath(varDirectory: string): string {
  return path.join(varDirectory, 'director.status');
}

export function formatDirectorStatus(s: DirectorStatus): string {
  const lines = [`pid: ${s.pid}`, `mode: ${s.mode}`, `started: ${s.started}`];
  if (s.lastTick) lines.push(`last-tick: ${s.lastTick}`);
  lines.push(`version: ${s.version}`);
  return `${lines.join('\n')}\n`;
}

export function parseDirectorStatus(text: string, file: string): DirectorStatus {
  const f = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([a-z-]+):\s?(.*)$/.exec(line);
    if (!m) throw stateSyntax(file, i + 1, 'expected "key: value"', line);
    f.set(m[1]!, m[2]!);
  });
  const pid = f.get('pid') ?? '';
  if (!/^[1-9]\d{0,9}$/.test(pid)) throw stateSyntax(file, 1, 'pid is not a process id', pid);
  const mode = f.get('mode');
  if (mode !== 'foreground' && mode !== 'once') throw stateSyntax(file, 2, 'mode must be foreground or once', mode ?? '');
  const started = f.get('started');
  if (!started) throw stateSyntax(file, 3, 'started is missing', '');
  const lastTick = f.get('last-tick');
  return { pid: Number(pid), mode, started, ...(lastTick ? { lastTick } : {}), version: f.get('version') ?? '' };
}

export async function writeDirectorStatus(varDirectory: string, s: DirectorStatus): Promise<void> {
  await fs.promises.mkdir(varDirectory, { recursive: true, mode: 0o750 }).catch((err: unknown) => {
    throw stateIo('create the directory', varDirectory, err);
  });
  await writeAtomic(statusPath(varDirectory), formatDirectorStatus(s), { mode: 0o640 });
}

/** The status, or null when no director has written one. */
export async function readDirectorStatus(varDirectory: string): Promise<DirectorStatus | null> {
  const file = statusPath(varDirectory);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw stateIo('read', file, err);
  }
  return parseDirectorStatus(text, file);
}

/** True when the process named in the status is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
