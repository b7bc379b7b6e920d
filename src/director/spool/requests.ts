/**
 * One idea: the request spool through which afconsole asks the director to do
 * something (run a job now, cancel a job). The console drops one small
 * plain-text file per request into `<vardir>/requests/`; the director takes
 * them at its next tick. Taking is a rename, which the file system makes
 * atomic, so two directors (a daemon and a stray `--once`) never both act on
 * one request.
 *
 * A request file (`<ms>-<pid>-<n>.req`) holds `key: value` lines:
 *   kind: run | cancel
 *   job: <job name>            (run)
 *   level: Full | Incremental | Differential   (run, optional)
 *   jobid: <id>                (cancel)
 *   console: <console name>    (who asked)
 *   submitted: <ISO 8601 with offset>
 * A file that does not parse is renamed to `<name>.bad` and reported, never
 * acted on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo, stateSyntax } from '../../state/state-errors.js';
import type { AfError } from '../../errors.js';
import { isAfError } from '../../errors.js';
import type { Level } from '../schedule/run-grammar.js';

export interface RunRequest {
  readonly kind: 'run';
  readonly job: string;
  readonly level?: Level;
  readonly console: string;
  readonly submitted: string;
}

export interface CancelRequest {
  readonly kind: 'cancel';
  readonly jobid: number;
  readonly console: string;
  readonly submitted: string;
}

export type Request = RunRequest | CancelRequest;

export interface TakenRequest {
  /** The spool file's name without `.req`. */
  readonly id: string;
  readonly request: Request;
}

export interface TakeResult {
  readonly taken: TakenRequest[];
  readonly problems: AfError[];
}

const LEVELS: readonly string[] = ['Full', 'Incremental', 'Differential'];
const VALUE_OK = /^[^\n\r]*$/;
let sequence = 0;

export function spoolDir(varDirectory: string): string {
  return path.join(varDirectory, 'requests');
}

export function formatRequest(r: Request): string {
  const lines = [`kind: ${r.kind}`];
  if (r.kind === 'run') {
    lines.push(`job: ${r.job}`);
    if (r.level) lines.push(`level: ${r.level}`);
  } else {
    lines.push(`jobid: ${r.jobid}`);
  }
  lines.push(`console: ${r.console}`, `submitted: ${r.submitted}`);
  for (const l of lines) if (!VALUE_OK.test(l)) throw new TypeError('request values must not contain line breaks');
  return `${lines.join('\n')}\n`;
}

export function parseRequest(text: string, file: string): Request {
  const fields = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([a-z]+):\s?(.*)$/.exec(line);
    if (!m) throw stateSyntax(file, i + 1, 'expected "key: value"', line);
    if (fields.has(m[1]!)) throw stateSyntax(file, i + 1, `"${m[1]}" given twice`, line);
    fields.set(m[1]!, m[2]!);
  });
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined || v === '') throw stateSyntax(file, 0, `the key "${k}" is missing`, '');
    return v;
  };
  const kind = need('kind');
  const consoleName = need('console');
  const submitted = need('submitted');
  if (kind === 'run') {
    const level = fields.get('level');
    if (level !== undefined && !LEVELS.includes(level)) throw stateSyntax(file, 0, `unknown level "${level}"`, level);
    return { kind, job: need('job'), ...(level ? { level: level as Level } : {}), console: consoleName, submitted };
  }
  if (kind === 'cancel') {
    const id = need('jobid');
    if (!/^[1-9]\d{0,14}$/.test(id)) throw stateSyntax(file, 0, `jobid "${id}" is not a job id`, id);
    return { kind, jobid: Number(id), console: consoleName, submitted };
  }
  throw stateSyntax(file, 0, `unknown kind "${kind}"`, kind);
}

/** Drops a request into the spool; returns its id. */
export async function submitRequest(varDirectory: string, r: Request): Promise<string> {
  const dir = spoolDir(varDirectory);
  try {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o770 });
  } catch (err) {
    throw stateIo('create the directory', dir, err);
  }
  const id = `${Date.now()}-${process.pid}-${sequence++}`;
  await writeAtomic(path.join(dir, `${id}.req`), formatRequest(r), { mode: 0o660 });
  return id;
}

/**
 * Takes every waiting request, oldest first; each is handed out once only. With
 * `kinds`, only requests of those kinds are taken (a director waiting for its jobs
 * takes cancels and leaves runs for its next tick); the others, and files that do not
 * parse, stay where they are.
 */
export async function takeRequests(varDirectory: string, opts: { kinds?: readonly Request['kind'][] } = {}): Promise<TakeResult> {
  const dir = spoolDir(varDirectory);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (err) {
    if (isMissing(err)) return { taken: [], problems: [] };
    throw stateIo('read the directory', dir, err);
  }
  const order = (n: string): number[] => n.replace(/\.req$/, '').split('-').map(Number);
  const waiting = names
    .filter((n) => /^\d+-\d+-\d+\.req$/.test(n))
    .sort((a, b) => {
      const x = order(a);
      const y = order(b);
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  const taken: TakenRequest[] = [];
  const problems: AfError[] = [];
  for (const name of waiting) {
    const file = path.join(dir, name);
    if (opts.kinds !== undefined) {
      const kind = await fs.promises.readFile(file, 'utf8').then((t) => {
        try {
          return parseRequest(t, file).kind;
        } catch {
          return undefined;
        }
      }, () => undefined);
      if (kind === undefined || !opts.kinds.includes(kind)) continue;
    }
    const claimed = `${file}.taken-${process.pid}`;
    try {
      await fs.promises.rename(file, claimed);
    } catch (err) {
      if (isMissing(err)) continue; // another director took it
      throw stateIo('claim', file, err);
    }
    try {
      const text = await fs.promises.readFile(claimed, 'utf8');
      taken.push({ id: name.replace(/\.req$/, ''), request: parseRequest(text, file) });
      await fs.promises.rm(claimed, { force: true });
    } catch (err) {
      if (!isAfError(err)) throw err;
      problems.push(err);
      await fs.promises.rename(claimed, `${file}.bad`).catch(() => undefined);
    }
  }
  return { taken, problems };
}
