/**
 * The afclient command lines full_backup, incr_backup and update_indexes run,
 * argument for argument as the original programs run them (client/<variant>/execve-trace.txt
 * in the vectors):
 *
 *   state poll     afclient -wv -h H [-p P] [-k K] -W ID
 *   the backup     afclient -QwjcvnlOUE [-G] -h H -H- [-p P] [-z P U] [-k K] [-s pat]...
 *                           [-S set] [-W ID] [-V report] [-Z] [-K]
 *   precious tapes afclient -h H [-p P] [-k K] [-S set] -W ID -M "PreciousTapes:ID ranges"
 *
 * `-p` is left out when BackupPorts gave no port for the host, `-S` when the set is 1.
 * The program itself is `node <dist/cli>/afclient.js` unless AF_AFCLIENT names
 * another (for instance the original afbackup binary); see afclientProgram().
 */
import type { BackupServer } from '../../config/client-config.js';

export interface AfclientProgram {
  /** What to execute. */
  readonly file: string;
  /** Arguments before afclient's own (e.g. the script path for node). */
  readonly prefix: readonly string[];
}

/** AF_AFCLIENT (a path, run directly) or node with the afclient.js beside the calling program. */
export function afclientProgram(env: NodeJS.ProcessEnv, besideScript: string, nodePath: string): AfclientProgram {
  const named = env.AF_AFCLIENT;
  if (named !== undefined && named.trim() !== '') return { file: named, prefix: [] };
  return { file: nodePath, prefix: [besideScript] };
}

export interface ConnectionArgs {
  readonly server: BackupServer;
  readonly keyFile: string | undefined;
  readonly clientId: string;
}

function portArgs(s: BackupServer): string[] {
  return s.defaultPort ? [] : ['-p', String(s.port)];
}

function setArgs(s: BackupServer): string[] {
  return s.cartridgeSet > 1 ? ['-S', String(s.cartridgeSet)] : [];
}

export function stateQueryArgs(c: ConnectionArgs): string[] {
  return ['-wv', '-h', c.server.host, ...portArgs(c.server), ...(c.keyFile ? ['-k', c.keyFile] : []), '-W', c.clientId];
}

export interface BackupArgsInput extends ConnectionArgs {
  readonly newCartridge: boolean;
  /** `-z <process> <unprocess>`, or undefined when files are not processed. */
  readonly process: { readonly cmd: string; readonly uncmd: string } | undefined;
  readonly doNotProcess: readonly string[];
  readonly reportFile: string | undefined;
  readonly checksums: boolean;
  readonly useCTime: boolean;
}

export function backupArgs(b: BackupArgsInput): string[] {
  const args = ['-QwjcvnlOUE'];
  if (b.newCartridge) args.push('-G');
  args.push('-h', b.server.host, '-H-', ...portArgs(b.server));
  if (b.process) args.push('-z', b.process.cmd, b.process.uncmd);
  if (b.keyFile) args.push('-k', b.keyFile);
  for (const p of b.doNotProcess) args.push('-s', p);
  args.push(...setArgs(b.server));
  args.push('-W', b.clientId);
  if (b.reportFile) args.push('-V', b.reportFile);
  if (b.checksums) args.push('-Z');
  if (b.useCTime) args.push('-K');
  return args;
}

/** The client id as it stands in the message: in escaped double quotes when it has blanks. */
export function preciousTapesMessage(clientId: string, ranges: string): string {
  const id = /\s/.test(clientId) ? `"${clientId}"` : clientId;
  return `PreciousTapes:${id} ${ranges}`;
}

export function messageArgs(c: ConnectionArgs, message: string): string[] {
  return ['-h', c.server.host, ...portArgs(c.server), ...(c.keyFile ? ['-k', c.keyFile] : []), ...setArgs(c.server), '-W', c.clientId, '-M', message];
}

/** The `-z` pair from the configuration (spec §3.3), or undefined when files are not processed. */
export function processPair(cfg: {
  processCmd: string | undefined;
  unprocessCmd: string | undefined;
  builtinCompressionLevel: number;
  processBackupedFiles: boolean;
}): { cmd: string; uncmd: string } | undefined {
  if (!cfg.processBackupedFiles) return undefined;
  const cmd = cfg.processCmd ?? '';
  const uncmd = cfg.unprocessCmd ?? '';
  const external = cmd !== '' && uncmd !== '';
  if (cfg.builtinCompressionLevel > 0) {
    const level = String(cfg.builtinCompressionLevel);
    return external ? { cmd: `. ${level} ${cmd}`, uncmd } : { cmd: `. ${level}`, uncmd: '.' };
  }
  return external ? { cmd, uncmd } : undefined;
}
