/**
 * Logging with pino, never to stdout: under inetd, fds 0-2 are the client's socket.
 * A destination is a file path (synchronous, so nothing is lost at exit), "@ident"
 * style syslog (written through the logger program's socket is not available in
 * pure Node, so we append to the file given after the ident, or discard), or
 * nothing (a silent logger).
 */
import pino, { type Logger } from 'pino';
import fs from 'node:fs';
import path from 'node:path';

export type { Logger };

export interface LogOptions {
  /** Log file path; undefined or empty means no log. The special value "stderr" is for interactive tools only. */
  file?: string;
  level?: string;
  name?: string;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.AF_LOG_LEVEL ?? 'info';
  const base = { name: opts.name ?? 'afbackup', pid: process.pid };
  if (!opts.file) return pino({ level: 'silent', base });
  if (opts.file === 'stderr') return pino({ level, base }, pino.destination({ dest: 2, sync: true }));
  try {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  } catch {
    /* the open below reports the real problem */
  }
  return pino({ level, base }, pino.destination({ dest: opts.file, sync: true, mkdir: true }));
}

/** A logger that discards everything (tests, tools run without a log file). */
export const silentLogger: Logger = pino({ level: 'silent' });
