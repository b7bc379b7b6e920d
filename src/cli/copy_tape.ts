#!/usr/bin/env node
/**
 * copy_tape: duplicate a cartridge (copy_tape(8)). Source options come first,
 * target options after -D:
 *
 *   copy_tape [-v] [-c conf] [-l logfile] [-T tmpdir] [-M msgconf]
 *             [-h srchost] [-P srcport] [-F file] [-C srccart] [-k srckey]
 *             [-D [-h dsthost] [-P dstport] [-C dstcart] [-k dstkey]]
 *
 * Defaults for the source come from the client configuration (the first of
 * BackupHosts with its BackupPorts entry, EncryptionKeyFile); a target value
 * not given is the source's. The copying itself is afclient -D's
 * (src/client/afclient/duplicate.ts): straight from one server to the other,
 * or through a temporary directory when both cartridges are on one server.
 */
import fs from 'node:fs';
import os from 'node:os';
import { AfError } from '../errors.js';
import { runCli, say, usage, versionLine } from './common.js';
import { copyTape, type CopyPlan } from '../client/afclient/duplicate.js';
import { clientConfigCandidates, defaultKeyFile, loadClientConfig } from '../config/client-config.js';
import { defaultInstallPaths } from '../config/install-paths.js';
import { ctimeOf } from '../client/afclient/report.js';

const HELP = `usage: copy_tape [-v] [-c <client config>] [-l <logfile>] [-T <tmpdir>] [-M <msgconf>]
                 [-h <source host>] [-P <source port>] [-F <tape file>] [-C <source cartridge>] [-k <source key file>]
                 [-D [-h <target host>] [-P <target port>] [-C <target cartridge>] [-k <target key file>]]
Copies a cartridge (from tape file -F on) to another cartridge, on the same or another server.
Options before -D describe the source, options after it the target; a target value not given is the source's.
  -v            tell what is being copied
  -c <file>     client configuration with the defaults (BackupHosts, BackupPorts, EncryptionKeyFile)
  -l <file>     also append what is printed, with time stamps, to this file
  -T <dir>      temporary directory for copies on one server (default: the system's)
  -M <conf>     accepted for compatibility; server messages are not shown
  --help, --version
`;

interface Side {
  host?: string;
  port?: string;
  cartridge?: number;
  keyFile?: string;
}

interface Parsed {
  help: boolean;
  version: boolean;
  verbose: boolean;
  config?: string;
  logFile?: string;
  tmpDir?: string;
  messages?: string;
  file?: number;
  source: Side;
  target: Side;
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < 1) throw usage(`${what} wants a number from 1 up, not "${text}"`);
  return Number(text);
}

export function parseCopyTapeArgs(argv: string[]): Parsed {
  const p: Parsed = { help: false, version: false, verbose: false, source: {}, target: {} };
  let side = p.source;
  let onTarget = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-?') {
      p.help = true;
      continue;
    }
    if (a === '--version') {
      p.version = true;
      continue;
    }
    const m = /^-([vcltTMhPpFCkD])(.*)$/.exec(a);
    if (!m) throw usage(`unexpected argument "${a}"`);
    const letter = m[1]!;
    if (letter === 'v') {
      if (m[2]) throw usage(`unknown option ${a}`);
      p.verbose = true;
      continue;
    }
    if (letter === 'D') {
      if (m[2]) throw usage(`unknown option ${a}`);
      if (onTarget) throw usage('-D may be given once');
      onTarget = true;
      side = p.target;
      continue;
    }
    const value = m[2] !== '' ? m[2]! : argv[++i];
    if (value === undefined) throw usage(`option -${letter} needs a value`);
    const sourceOnly = (): void => {
      if (onTarget) throw usage(`-${letter} belongs before -D`);
    };
    switch (letter) {
      case 'c': sourceOnly(); p.config = value; break;
      case 'l': sourceOnly(); p.logFile = value; break;
      case 'T': case 't': sourceOnly(); p.tmpDir = value; break;
      case 'M': sourceOnly(); p.messages = value; break;
      case 'F': sourceOnly(); p.file = wholeNumber(value, '-F'); break;
      case 'h': side.host = value; break;
      case 'P': case 'p': side.port = value; break;
      case 'k': side.keyFile = value; break;
      case 'C': side.cartridge = wholeNumber(value, '-C'); break;
    }
  }
  return p;
}

async function defaults(configFile: string | undefined): Promise<{ host: string; port: string; keyFile: string | undefined }> {
  const paths = defaultInstallPaths();
  const candidates = configFile !== undefined ? [configFile] : clientConfigCandidates(paths).filter((f) => fs.existsSync(f));
  if (candidates.length === 0) return { host: 'backuphost', port: 'afbackup', keyFile: undefined };
  const parsed = await loadClientConfig(candidates[0]!, { paths, hostname: os.hostname() });
  const c = parsed.config;
  const first = c.servers[0];
  let keyFile = c.encryptionKeyFile;
  if (keyFile === undefined && fs.existsSync(defaultKeyFile(paths))) keyFile = defaultKeyFile(paths);
  return {
    host: first?.host ?? 'backuphost',
    port: first && !first.defaultPort ? String(first.port) : 'afbackup',
    keyFile,
  };
}

async function main(argv: string[]): Promise<number> {
  const p = parseCopyTapeArgs(argv);
  if (p.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (p.version) {
    process.stdout.write(versionLine('copy_tape'));
    return 0;
  }
  const d = await defaults(p.config);
  const log = (text: string): void => {
    if (p.logFile === undefined) return;
    try {
      fs.appendFileSync(p.logFile, `${ctimeOf(new Date())}, ${text.replace(/\n$/, '')}\n`);
    } catch (e) {
      throw new AfError('USAGE', `cannot write the log file ${p.logFile}: ${(e as Error).message}`);
    }
  };
  if (p.messages !== undefined) say('copy_tape', 'warning: -M is accepted, but server messages are not shown');
  const source = { host: p.source.host ?? d.host, port: p.source.port ?? d.port, keyFile: p.source.keyFile ?? d.keyFile };
  const plan: CopyPlan = {
    source: { ...source, cartridge: p.source.cartridge, cartSet: 1 },
    target: {
      host: p.target.host ?? source.host,
      port: p.target.port ?? source.port,
      keyFile: p.target.keyFile ?? source.keyFile,
      cartridge: p.target.cartridge,
    },
    file: p.file,
    tmpDir: p.tmpDir,
    clientId: 'copy_tape',
    verbose: p.verbose,
    noQueue: false,
  };
  try {
    await copyTape(plan, {
      out: (b) => {
        process.stdout.write(b);
        log(b.toString());
      },
      err: (line) => {
        say('copy_tape', line);
        log(line);
      },
    });
  } catch (e) {
    log(`copy failed: ${(e as Error).message}`);
    throw e;
  }
  return 0;
}

runCli('copy_tape', main);
