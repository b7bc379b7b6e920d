/**
 * Finding and reading the client configuration for full_backup, incr_backup and
 * update_indexes, with the command-line options laid over it.
 *
 * Without -c the first existing file of: /etc/afbackup/afclient.conf, then the
 * names afbackup's client programs try (…/backup.conf, /etc/buclient.conf,
 * /etc/afbuclient.conf, /etc/afclient.conf, /etc/afbackup/client.conf). With none
 * found the defaults are used (afbackup does the same, with a warning). Options
 * become `Key: value` lines parsed like the file; a key given on the command line
 * replaces the file's value.
 */
import fs from 'node:fs';
import {
  clientConfigCandidates,
  loadClientConfig,
  parseClientConfig,
  type BackupServer,
  type ClientConfig,
  type ClientInstallPaths,
  type ParsedClientConfig,
  DEFAULT_PORT,
} from '../../config/client-config.js';
import { findClientKey } from '../../config/client-keys.js';

export const DEFAULT_CLIENT_CONFIG = '/etc/afbackup/afclient.conf';

export function configCandidates(paths: ClientInstallPaths): string[] {
  return [DEFAULT_CLIENT_CONFIG, ...clientConfigCandidates(paths).filter((p) => p !== DEFAULT_CLIENT_CONFIG)];
}

export interface LoadedBackupConfig {
  readonly config: ClientConfig;
  /** The file read, or undefined when the defaults are used. */
  readonly file: string | undefined;
  readonly parsed: ParsedClientConfig | undefined;
}

function serversOf(c: ClientConfig): BackupServer[] {
  return c.backupHosts.map((host, i) => ({
    host,
    port: c.backupPorts[i] ?? DEFAULT_PORT,
    defaultPort: c.backupPorts[i] === undefined,
    cartridgeSet: c.cartridgeSets[i] ?? 1,
  }));
}

export async function loadBackupConfig(opts: {
  named: string | undefined;
  overrides: string;
  paths: ClientInstallPaths;
  hostname: string;
}): Promise<LoadedBackupConfig> {
  let file = opts.named;
  if (file === undefined) file = configCandidates(opts.paths).find((p) => fs.existsSync(p));
  const parsed = file !== undefined ? await loadClientConfig(file, { paths: opts.paths, hostname: opts.hostname }) : undefined;
  const base = parsed?.config ?? parseClientConfig('', { path: '<defaults>', paths: opts.paths, hostname: opts.hostname }).config;
  if (opts.overrides === '') return { config: base, file, parsed };

  const overrideLines = opts.overrides.split('\n').filter((l) => l !== '');
  const fields = new Set(overrideLines.map((l) => findClientKey(l)?.key.field).filter((f) => f !== undefined));
  // %V in an option means the var directory in effect.
  const text = fields.has('varDirectory') ? opts.overrides : `${opts.overrides}VarDirectory: ${base.varDirectory}\n`;
  const over = parseClientConfig(text, { path: '<command line>', paths: opts.paths, hostname: opts.hostname }).config;
  const merged: Record<string, unknown> = { ...base };
  for (const f of fields) merged[f] = over[f];
  if (fields.has('processCmd') && !fields.has('indexProcessCmd') && base.indexProcessCmd === base.processCmd) merged.indexProcessCmd = over.processCmd;
  if (fields.has('unprocessCmd') && !fields.has('indexUnprocessCmd') && base.indexUnprocessCmd === base.unprocessCmd) merged.indexUnprocessCmd = over.unprocessCmd;
  const config = merged as unknown as ClientConfig;
  return { config: { ...config, servers: serversOf(config) }, file, parsed };
}
