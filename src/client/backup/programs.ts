/**
 * The site programs full_backup and incr_backup run through /bin/sh (spec §3.3):
 *
 *   InitProgram         before anything is changed; a non-zero exit stops the backup;
 *   StartupInfoProgram  after a successful run, gets the minimum restore info
 *                       line on stdin;
 *   ExitProgram         at the very end, success or not, with these patterns
 *                       replaced: %l the index file, %r the report file,
 *                       %e the exit status, %i the minimum restore info.
 * Their output goes to our stdout/stderr.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ExitPatterns {
  readonly indexFile: string | undefined;
  readonly reportFile: string | undefined;
  readonly status: number;
  readonly restoreInfo: string | undefined;
}

/** The exit program command with its % patterns replaced (`%%` stays a single %). */
export function exitCommand(template: string, p: ExitPatterns): string {
  return template.replace(/%([lrei%])/g, (_m, letter: string) => {
    switch (letter) {
      case 'l':
        return p.indexFile ?? '<index file not yet determined>';
      case 'r':
        return p.reportFile ?? '';
      case 'e':
        return String(p.status);
      case 'i':
        return p.restoreInfo ?? '';
      default:
        return '%';
    }
  });
}

/** Runs a shell command, optionally with text on stdin; resolves to its exit status (127 when it cannot start). */
export async function runShell(command: string, stdin?: string): Promise<number> {
  const child = spawn('/bin/sh', ['-c', command], { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] });
  const errored = once(child, 'error').then(() => 127);
  if (stdin !== undefined) {
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(stdin);
  }
  const closed = once(child, 'close').then(([code, signal]) => (code ?? (signal ? 128 : 1)) as number);
  return Promise.race([closed, errored]);
}

/** Runs a shell command and returns its stdout (for `| cmd` DirsToBackup). */
export async function shellOutput(command: string): Promise<string> {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  await once(child, 'close');
  return Buffer.concat(out).toString('latin1');
}
