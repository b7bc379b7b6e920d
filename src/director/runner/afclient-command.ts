/**
 * One idea: the afbackup programs the director and the console start, and the
 * afclient command lines they build — remote start of a program on a client (`-X`),
 * the "does it answer" probe (`-w`, `-w -v` for the console's status), and server
 * messages (`-M`).
 *
 * Where a program is (the one rule for afdirector and afconsole): the command in
 * AF_AFCLIENT or AF_AFRESTORE when set, split into words by the shell-like rules
 * (e.g. "/usr/bin/afclient" or "node /opt/af/afclient.js"); else `node <dir>/<prog>.js`
 * when that file sits next to the running script; else the bare name, found on PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClientResource } from '../conf/model.js';
import { splitWords } from './child.js';

export type AfProgram = 'afclient' | 'afrestore';

const ENV_NAME: Record<AfProgram, string> = { afclient: 'AF_AFCLIENT', afrestore: 'AF_AFRESTORE' };

/** The words that start `prog`; `scriptDir` defaults to the directory of the running script. */
export function programCommand(prog: AfProgram, env: NodeJS.ProcessEnv = process.env, scriptDir?: string): string[] {
  const override = env[ENV_NAME[prog]];
  if (override !== undefined && override.trim() !== '') return splitWords(override);
  const dir = scriptDir ?? (process.argv[1] ? path.dirname(process.argv[1]) : undefined);
  if (dir !== undefined) {
    const js = path.join(dir, `${prog}.js`);
    if (fs.existsSync(js)) return [process.execPath, js];
  }
  return [prog];
}

export interface AfclientTarget {
  readonly address: string;
  readonly port: number;
  readonly keyFile?: string;
}

/** The words that start afclient; `scriptDir` is the directory of the running afdirector.js. */
export function afclientBase(scriptDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return programCommand('afclient', env, scriptDir);
}

/** `-h HOST -p PORT [-k KEY]`: the afclient words that name a client or tape server. */
export function targetArgs(t: AfclientTarget): string[] {
  return ['-h', t.address, '-p', String(t.port), ...(t.keyFile !== undefined ? ['-k', t.keyFile] : [])];
}

/** `afclient -X '<command>' -h HOST -p PORT [-k KEY]`: start a program from the client's Program-Directory. */
export function remoteStartArgv(base: readonly string[], client: ClientResource, command: string): string[] {
  return [...base, '-X', command, ...targetArgs(client)];
}

/** `afclient -w -h HOST ...`: asks for the streamer state; exit status 0 = the host answers. */
export function probeArgv(base: readonly string[], t: AfclientTarget): string[] {
  return [...base, '-w', ...targetArgs(t)];
}

/** `-w -v -h HOST ...` (without the afclient words): the state query the console shows. */
export function stateQueryArgs(t: AfclientTarget): string[] {
  return ['-w', '-v', ...targetArgs(t)];
}

/** `afclient -M '<lines>' -h SERVER ...`: server messages, one per line (a real newline in the argument). */
export function messageArgv(base: readonly string[], t: AfclientTarget, lines: readonly string[]): string[] {
  return [...base, '-M', lines.join('\n'), ...targetArgs(t)];
}
