/**
 * One idea: how the director and the console start a program — the one place both
 * halves spawn processes. By default the program leads its own process group, its
 * stdout and stderr reach the caller line by line (decoded as UTF-8, or Latin-1 when
 * asked, across chunk boundaries), and the caller can stop the whole group (the
 * program and everything it started) — for a cancel, a Max Run Time, a time limit, or
 * the director's shutdown: SIGTERM first, SIGKILL five seconds later. With `inherit`
 * the program shares the caller's terminal instead (afconsole handing over to
 * afrestore) and stays in the caller's process group so that the terminal's signals
 * reach it. Command lines are split into words by the configuration's shell-like
 * rules (config/words.ts), never by a shell.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { splitWords as configWords } from '../../config/words.js';

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
  /** How output bytes become text (default utf8). */
  readonly encoding?: 'utf8' | 'latin1';
  /** Hand the program this process's stdout and stderr (and stdin when `stdin` is 'inherit'); no lines are reported. */
  readonly inherit?: boolean;
  /** With `inherit`: also hand over stdin. */
  readonly inheritStdin?: boolean;
}

const KILL_AFTER_MS = 5000;

export function runChild(argv: readonly string[], onLine: (line: string, stream: 'out' | 'err') => void, opts: ChildOptions = {}): ChildRun {
  const inherit = opts.inherit === true;
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: !inherit,
    stdio: inherit
      ? [opts.inheritStdin ? 'inherit' : 'ignore', 'inherit', 'inherit']
      : [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  let exited = false;
  const split = (stream: 'out' | 'err') => {
    let rest = '';
    const decoder = new StringDecoder(opts.encoding ?? 'utf8');
    return {
      data: (b: Buffer) => {
        rest += decoder.write(b);
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          onLine(rest.slice(0, nl).replace(/\r$/, ''), stream);
          rest = rest.slice(nl + 1);
        }
      },
      end: () => {
        rest += decoder.end();
        if (rest !== '') onLine(rest, stream);
        rest = '';
      },
    };
  };
  const out = split('out');
  const err = split('err');
  child.stdout?.on('data', out.data);
  child.stderr?.on('data', err.data);
  if (opts.stdin !== undefined && !inherit) {
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
      if (inherit) child.kill(sig);
      else process.kill(-child.pid, sig);
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

/**
 * Splits a command line into words: blanks separate, '...' and "..." quote, a
 * backslash takes the next character literally (no shell). An unterminated quote is
 * a CONFIG_SYNTAX error.
 */
export function splitWords(text: string): string[] {
  return configWords(text).map((w) => w.text);
}
