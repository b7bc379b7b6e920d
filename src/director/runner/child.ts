/**
 * One idea: run one program for a job as the leader of its own process group, hand
 * its stdout and stderr to the caller line by line, and let the caller stop the
 * whole group (the program and everything it started) — for a cancel, a Max Run
 * Time, or the director's shutdown. SIGTERM first; SIGKILL five seconds later.
 */
import { spawn } from 'node:child_process';

export interface ChildResult {
  /** Exit status, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all. */
  readonly spawnError?: string;
}

export interface ChildRun {
  readonly pid: number | undefined;
  readonly done: Promise<ChildResult>;
  /** Stops the process group. */
  kill(): void;
}

export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
  readonly cwd?: string;
}

const KILL_AFTER_MS = 5000;

export function runChild(argv: readonly string[], onLine: (line: string, stream: 'out' | 'err') => void, opts: ChildOptions = {}): ChildRun {
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: true,
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  let exited = false;
  const split = (stream: 'out' | 'err') => {
    let rest = '';
    return {
      data: (b: Buffer) => {
        rest += b.toString('utf8');
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          onLine(rest.slice(0, nl).replace(/\r$/, ''), stream);
          rest = rest.slice(nl + 1);
        }
      },
      end: () => {
        if (rest !== '') onLine(rest, stream);
        rest = '';
      },
    };
  };
  const out = split('out');
  const err = split('err');
  child.stdout!.on('data', out.data);
  child.stderr!.on('data', err.data);
  if (opts.stdin !== undefined) {
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.stdin);
  }
  const done = new Promise<ChildResult>((resolve) => {
    child.on('error', (e) => {
      exited = true;
      resolve({ code: null, signal: null, spawnError: e.message });
    });
    child.on('close', (code, signal) => {
      exited = true;
      out.end();
      err.end();
      resolve({ code, signal });
    });
  });
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* the group is gone already */
    }
  };
  return {
    pid: child.pid,
    done,
    kill: () => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS).unref();
    },
  };
}

/** Splits a command line into words: blanks separate, '...' and "..." quote, \ escapes (no shell). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}
