/**
 * Carrying out a restore: for each group, in order, one afclient run with the
 * group's names on stdin (or `-a` for a whole tape file), in the restore root.
 * With -v a line `Going to restore from server <h>, port <p>, cartridge <c>,
 * file <f>` comes first, as afbackup prints it. A name with a `..` component
 * (one that could leave the restore root) is never handed to afclient: it is
 * reported and the result becomes 14 (PACKER_ERRORS); afclient refuses such
 * names on its own as well. A failing group does not stop the others; the result
 * is the first non-zero afclient status (0 when all succeeded).
 */
import { ERRORS } from '../../errors.js';
import { escapeName } from '../escape.js';
import type { TapePosition } from './catalog.js';
import { extractArgs, namesInput, type ExtractSettings } from './client-command.js';
import type { ClientRunner } from './runner.js';
import type { Output } from './output.js';

export interface RestoreJob extends TapePosition {
  /** Names to restore; null = everything of the tape file (-a). */
  readonly names: readonly Buffer[] | null;
}

export interface RestoreContext {
  readonly runner: ClientRunner;
  readonly io: Output;
  /** The restore root: afclient's working directory. */
  readonly cwd: string;
  readonly settings: Omit<ExtractSettings, 'all'>;
}

export function goingToRestore(p: TapePosition): string {
  return `Going to restore from server ${p.host}, port ${p.port}, cartridge ${p.cart}, file ${p.file}\n`;
}

/** True when a component of the name is `..`. */
export function climbsOut(name: Buffer): boolean {
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name[i] === 0x2f) {
      if (i - start === 2 && name[start] === 0x2e && name[start + 1] === 0x2e) return true;
      start = i + 1;
    }
  }
  return false;
}

export async function runRestoreJobs(jobs: readonly RestoreJob[], ctx: RestoreContext): Promise<number> {
  let status = 0;
  for (const original of jobs) {
    let job = original;
    if (job.names !== null) {
      const bad = job.names.filter(climbsOut);
      for (const n of bad) ctx.io.err(`${escapeName(n).toString('latin1')}: not restored: the name contains a ".." component and could leave the restore root`);
      if (bad.length > 0) {
        if (status === 0) status = ERRORS.PACKER_ERRORS.exit;
        job = { ...job, names: job.names.filter((n) => !climbsOut(n)) };
        if (job.names!.length === 0) continue;
      }
    }
    if (ctx.settings.verbose) ctx.io.out(goingToRestore(job));
    const argv = extractArgs(job, { ...ctx.settings, all: job.names === null });
    const code = await ctx.runner.run({
      argv,
      stdin: job.names === null ? null : namesInput(job.names),
      cwd: ctx.cwd,
      out: (b) => ctx.io.out(b),
      err: (b) => ctx.io.passErr(b),
    });
    if (code !== 0) {
      ctx.io.err(`restoring from server ${job.host}, port ${job.port}, cartridge ${job.cart}, file ${job.file} failed: afclient exited with status ${code}`);
      if (status === 0) status = code;
    }
  }
  return status;
}
