/**
 * What afrestore and afverify take from the client configuration, with their
 * command-line overrides applied: the servers (-h, -P), the client id (-W), the
 * index file prefix (-I), the var directory (-V), the key file (-k, else
 * EncryptionKeyFile, else `<confdir>/cryptkey` when readable) and the restore
 * root (-C, else RootDirectory). The configuration file is -c, else the first of
 * afbackup's usual places that exists; with none, the defaults apply.
 */
import fs from 'node:fs';
import os from 'node:os';
import { AfError } from '../../errors.js';
import { defaultInstallPaths } from '../../config/install-paths.js';
import {
  clientConfigCandidates,
  defaultKeyFile,
  loadClientConfig,
  parseClientConfig,
  DEFAULT_PORT,
  type ClientConfig,
  type ClientInstallPaths,
} from '../../config/client-config.js';
import type { Server } from './catalog.js';

export interface SetupOverrides {
  configFile?: string;
  hosts?: string;
  ports?: string;
  clientId?: string;
  indexFilePart?: string;
  varDirectory?: string;
  keyFile?: string;
  root?: string;
}

export interface RestoreSetup {
  readonly config: ClientConfig;
  /** Where entries without `<server>%<port>!` are: the first host. */
  readonly defaultServer: Server;
  readonly keyFile: string | undefined;
  readonly clientId: string;
  readonly indexFilePart: string;
  readonly varDirectory: string;
  readonly rootDirectory: string;
  /** Problems worth a warning (lines of the configuration nobody understood). */
  readonly warnings: string[];
}

const items = (text: string): string[] => text.split(/[\s,;]+/).filter((w) => w !== '');

export async function loadSetup(o: SetupOverrides, env: NodeJS.ProcessEnv = process.env): Promise<RestoreSetup> {
  const base = defaultInstallPaths(env);
  const paths: ClientInstallPaths = { ...base };
  const hostname = os.hostname();
  let file = o.configFile;
  if (file === undefined) file = clientConfigCandidates(paths).find((p) => fs.existsSync(p));
  const parsed = file !== undefined ? await loadClientConfig(file, { paths, hostname }) : parseClientConfig('', { path: '(defaults)', paths, hostname });
  const config = parsed.config;
  const warnings = parsed.unknownLines.map((l) => `"${file}" line ${l.line}: not understood, ignored: ${l.text}`);

  const hosts = o.hosts !== undefined ? items(o.hosts) : config.servers.map((s) => s.host);
  const ports = o.ports !== undefined ? items(o.ports) : config.servers.map((s) => String(s.port));
  if (hosts.length === 0) throw new AfError('USAGE', '-h names no host');
  const port = ports[0] ?? String(DEFAULT_PORT);
  const defaultServer: Server = { host: hosts[0]!, port: /^\d+$/.test(port) ? Number(port) : port };

  const varDirectory = o.varDirectory ?? config.varDirectory;
  let indexFilePart = o.indexFilePart ?? config.indexFilePart;
  if (o.indexFilePart === undefined && o.varDirectory !== undefined && indexFilePart.startsWith(`${config.varDirectory}/`)) {
    indexFilePart = o.varDirectory + indexFilePart.slice(config.varDirectory.length);
  }
  let keyFile = o.keyFile ?? config.encryptionKeyFile;
  if (keyFile === undefined) {
    const fallback = defaultKeyFile(paths);
    try {
      fs.accessSync(fallback, fs.constants.R_OK);
      keyFile = fallback;
    } catch {
      /* no key file: afclient connects without one */
    }
  }
  return {
    config,
    defaultServer,
    keyFile,
    clientId: o.clientId ?? config.clientIdentifier,
    indexFilePart,
    varDirectory,
    rootDirectory: o.root ?? config.rootDirectory,
    warnings,
  };
}
