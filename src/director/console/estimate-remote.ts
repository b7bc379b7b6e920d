/**
 * One idea: what a Full backup of a remote client would save, asked of the client
 * itself through remote start — `afclient -X '<Full Backup Command> --estimate
 * --json [Backup Options]' -h ADDRESS -p PORT [-k KEY]`. The client's afserver
 * runs the program from its Program-Directory; full_backup --estimate walks the
 * selection a real run would save, saves nothing, and prints one JSON line that
 * afserver relays (together with the program's stderr) to afclient's stdout.
 *
 * The JSON line is UTF-8 text whose names are index-escaped Latin-1 strings (one
 * character per byte); they come back here as the name bytes.
 */
import { AfError } from '../../errors.js';
import { unescapeName } from '../../client/escape.js';
import type { ClientResource, JobResource } from '../conf/model.js';
import { remoteStartArgv } from '../runner/afclient-command.js';
import type { ProgramResult } from './programs.js';

export interface RemoteEstimate {
  /** The remote-start command line given to the client's afserver. */
  readonly command: string;
  readonly files: number;
  readonly bytes: number;
  /** Selected names (raw and command entries included), in the order a backup would hand them over. */
  readonly names: Buffer[];
  /** Other lines the client printed (its warnings). */
  readonly warnings: string[];
}

/** `<Full Backup Command> --estimate --json [Backup Options]`, as the client's afserver gets it. */
export function estimateCommand(client: ClientResource, job: Pick<JobResource, 'backupOptions'>): string {
  const parts = [client.fullBackupCommand, '--estimate', '--json'];
  if (job.backupOptions !== undefined && job.backupOptions.trim() !== '') parts.push(job.backupOptions.trim());
  return parts.join(' ');
}

/** The afclient arguments (without the afclient words themselves) for the remote estimate. */
export function estimateArgs(client: ClientResource, job: Pick<JobResource, 'backupOptions'>): string[] {
  return remoteStartArgv([], client, estimateCommand(client, job));
}

interface EstimateLine {
  estimate: true;
  files: number;
  bytes: number;
  names: string[];
}

function isEstimateLine(v: unknown): v is EstimateLine {
  const o = v as Record<string, unknown> | null;
  return (
    typeof o === 'object' && o !== null && o.estimate === true && Number.isInteger(o.files) && Number.isInteger(o.bytes) &&
    Array.isArray(o.names) && o.names.every((n) => typeof n === 'string')
  );
}

/**
 * Reads afclient's captured output (Latin-1 decoded, so the bytes are intact): the
 * estimate's JSON line, the rest as warnings. Throws when the client gave no estimate.
 */
export function parseRemoteEstimate(command: string, r: ProgramResult, where: string): RemoteEstimate {
  let found: EstimateLine | undefined;
  const warnings: string[] = [];
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    if (found === undefined && line.startsWith('{')) {
      try {
        const v: unknown = JSON.parse(Buffer.from(line, 'latin1').toString('utf8'));
        if (isEstimateLine(v)) {
          found = v;
          continue;
        }
      } catch {
        /* not the estimate line: reported below */
      }
    }
    warnings.push(line);
  }
  if (r.startError !== undefined) throw new AfError('SUBPROCESS_FAILED', r.startError);
  if (found === undefined) {
    const last = warnings[warnings.length - 1];
    throw new AfError(
      'SUBPROCESS_FAILED',
      `the client ${where} gave no estimate for "${command}" (afclient exit status ${r.exit}${last ? `: ${last}` : ''})`,
    );
  }
  return {
    command,
    files: found.files,
    bytes: found.bytes,
    names: found.names.map((n) => unescapeName(Buffer.from(n, 'latin1'))),
    warnings,
  };
}
