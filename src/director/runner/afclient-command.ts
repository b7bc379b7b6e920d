/**
 * One idea: the afclient command lines the director runs — remote start of a program
 * on a client (`-X`), the "does the client answer" probe (`-w`), and server messages
 * (`-M`) — and where afclient is: `node <directory of afdirector.js>/afclient.js`,
 * or the command in AF_AFCLIENT (split into words, e.g. "/usr/bin/afclient").
 */
import path from 'node:path';
import type { ClientResource } from '../conf/model.js';
import { splitWords } from './child.js';

export interface AfclientTarget {
  readonly address: string;
  readonly port: number;
  readonly keyFile?: string;
}

/** The words that start afclient; `scriptDir` is the directory of the running afdirector.js. */
export function afclientBase(scriptDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env.AF_AFCLIENT;
  if (override !== undefined && override.trim() !== '') return splitWords(override);
  return [process.execPath, path.join(scriptDir, 'afclient.js')];
}

function target(t: AfclientTarget): string[] {
  return ['-h', t.address, '-p', String(t.port), ...(t.keyFile !== undefined ? ['-k', t.keyFile] : [])];
}

/** `afclient -X '<command>' -h HOST -p PORT [-k KEY]`: start a program from the client's Program-Directory. */
export function remoteStartArgv(base: readonly string[], client: ClientResource, command: string): string[] {
  return [...base, '-X', command, ...target(client)];
}

/** `afclient -w -h HOST ...`: asks for the streamer state; exit status 0 = the host answers. */
export function probeArgv(base: readonly string[], t: AfclientTarget): string[] {
  return [...base, '-w', ...target(t)];
}

/** `afclient -M '<lines>' -h SERVER ...`: server messages, one per line (a real newline in the argument). */
export function messageArgv(base: readonly string[], t: AfclientTarget, lines: readonly string[]): string[] {
  return [...base, '-M', lines.join('\n'), ...target(t)];
}
