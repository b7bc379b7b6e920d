/**
 * afverify below the CLI: compare one earlier backup run with the file system by
 * running `afclient -d[v]` over each of its tape files, the run's names on stdin
 * (spec §6.5). `-<run>[.<backup>]` picks the run: <backup> counts back from the
 * current backup number (a full backup and its incrementals share one index
 * file), <run> counts back from the last run in that index; the default is the
 * very last run. -l lists the runs that can be verified, with the argument that
 * selects each; -a lists those of every index file. The start-positions copy a
 * backup run saves first (a file directly in a temporary directory, saved with
 * afbackup's "do not verify" flag and removed after the backup) is left out.
 *
 * Exit status: 0 when everything agrees, 1 when afclient found differences (as
 * afclient -d), else the first other non-zero afclient status or the error's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AfError } from '../../errors.js';
import { escapeName } from '../escape.js';
import { catalogOf, type BackupRun, type CatalogRecord } from './catalog.js';
import { namesInput, verifyArgs } from './client-command.js';
import { groupByTapeFile } from './groups.js';
import { listIndexFiles, readCurrentNumber, readIndexFile } from './index-files.js';
import type { Output } from './output.js';
import type { ClientRunner } from './runner.js';
import { loadSetup, type SetupOverrides } from './setup.js';
import { prepareRoot } from './afrestore.js';

/** Exit status when the backup and the file system differ (the same as afclient -d). */
export const DIFFERENCES_FOUND = 1;

export interface AfverifyOptions extends SetupOverrides {
  list: boolean;
  all: boolean;
  verbose: boolean;
  run: number;
  backup: number;
  help: boolean;
  version: boolean;
}

const WITH_VALUE = new Set(['c', 'h', 'P', 'C', 'S', 'I', 'V', 'k', 'M', 'z']);

export function parseAfverifyArgs(argv: readonly string[]): AfverifyOptions {
  const o: AfverifyOptions = { list: false, all: false, verbose: false, run: 0, backup: 0, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-?') { o.help = true; continue; }
    if (a === '--version') { o.version = true; continue; }
    const m = /^-(\d+)(?:\.(\d+))?$/.exec(a);
    if (m) {
      o.run = Number(m[1]);
      o.backup = Number(m[2] ?? 0);
      continue;
    }
    if (!a.startsWith('-') || a.startsWith('--') || a === '-') throw new AfError('USAGE', `unexpected argument "${a}" (see --help)`);
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (WITH_VALUE.has(letter)) {
        let value = a.slice(j + 1);
        if (value === '') {
          if (++i >= argv.length) throw new AfError('USAGE', `option -${letter} needs a value (see --help)`);
          value = argv[i]!;
        }
        if (letter === 'z' && ++i >= argv.length) throw new AfError('USAGE', 'option -z needs two values (see --help)');
        j = a.length;
        switch (letter) {
          case 'c': o.configFile = value; break;
          case 'h': o.hosts = value; break;
          case 'P': o.ports = value; break;
          case 'C': o.root = value; break;
          case 'I': o.indexFilePart = value; break;
          case 'V': o.varDirectory = value; break;
          case 'k': o.keyFile = value; break;
          default: break; // -S, -M, -z: accepted, not needed for a verify
        }
        continue;
      }
      if (letter === 'l') o.list = true;
      else if (letter === 'a') o.all = true;
      else if (letter === 'v') o.verbose = true;
      else throw new AfError('USAGE', `unknown option -${letter} (see --help)`);
    }
  }
  return o;
}

export const AFVERIFY_HELP = `usage: afverify [-lav] [-<run>[.<backup>]] [-c conf] [-C dir] [-h hosts] [-P ports]
                [-I indexpart] [-V vardir] [-k keyfile]
  (no option)     verify the last backup run (full or incremental) against the file system
  -<run>.<backup> the run-th run before the last one of the backup-th full backup before the current
  -l              list the runs that can be verified (-a: of all index files)
  -v              print every compared name
  -C dir          compare below dir instead of RootDirectory
exit status: 0 no differences, 1 differences found, others: see afverify(8)
environment: AF_AFCLIENT  the afclient command to run (default: node <dir of afverify>/afclient.js)
`;

export interface AfverifyDeps {
  readonly io: Output;
  readonly runner: ClientRunner;
  readonly env?: NodeJS.ProcessEnv;
}

const TEMP_DIRS = new Set(['/tmp', '/var/tmp', os.tmpdir().replace(/\/+$/, '')]);

/**
 * The records of a run to compare, without the start-positions copy: the run's
 * first entry when it lies directly in a temporary directory and is gone (the
 * backup removes it after saving it with the "do not verify" flag).
 */
export function recordsToVerify(run: BackupRun, exists: (name: Buffer) => boolean = (n) => fs.existsSync(n)): CatalogRecord[] {
  const [first, ...rest] = run.records;
  if (first && TEMP_DIRS.has(path.dirname(first.name.toString('latin1'))) && !exists(first.name)) return rest;
  return [...run.records];
}

function describe(run: BackupRun, runBack: number, backupBack: number): string {
  const what = run.kind === 'full' ? 'Full backup' : run.kind === 'incremental' ? 'Incremental backup' : 'Backup';
  const when = run.backupText ?? 'unknown time';
  const at = run.start ? `${run.start.host}%${run.start.port}!${run.start.cart}.${run.start.file}` : '-';
  return `-${runBack}.${backupBack}: ${what} at ${when}, ${at}, ${run.records.length} entries\n`;
}

export async function runAfverify(argv: string[], d: AfverifyDeps): Promise<number> {
  const o = parseAfverifyArgs(argv);
  if (o.help) {
    d.io.out(AFVERIFY_HELP);
    return 0;
  }
  const setup = await loadSetup(o, d.env);
  const available = listIndexFiles(setup.indexFilePart);
  const current = readCurrentNumber(setup.varDirectory) ?? available[available.length - 1]?.num;
  if (current === undefined) throw new AfError('STATE_IO', `There is no index file "${setup.indexFilePart}<n>[.z]"`);
  const runsOfBackup = async (back: number): Promise<BackupRun[] | undefined> => {
    const ref = available.find((f) => f.num === current - back);
    if (!ref) return undefined;
    const runs = catalogOf([{ num: ref.num, index: await readIndexFile(ref, setup.config.indexUnprocessCmd) }], setup.defaultServer);
    return runs.filter((r) => r.records.length > 0);
  };
  if (o.list) {
    const backs = o.all ? available.map((f) => current - f.num).filter((b) => b >= 0).sort((a, b) => a - b) : [o.backup];
    for (const back of backs) {
      const runs = await runsOfBackup(back);
      if (!runs) continue;
      runs.forEach((run, i) => d.io.out(describe(run, runs.length - 1 - i, back)));
    }
    return 0;
  }
  const runs = await runsOfBackup(o.backup);
  if (!runs) throw new AfError('STATE_IO', `There is no index file for backup number ${current - o.backup}`);
  const run = runs[runs.length - 1 - o.run];
  if (!run) throw new AfError('USAGE', `backup number ${current - o.backup} has ${runs.length} runs; -${o.run}.${o.backup} names none (afverify -l lists them)`);
  const root = prepareRoot(setup, false);
  let status = 0;
  let differ = false;
  for (const g of groupByTapeFile(recordsToVerify(run))) {
    if (o.verbose) d.io.out(`Going to verify from server ${g.host}, port ${g.port}, cartridge ${g.cart}, file ${g.file}\n`);
    const code = await d.runner.run({
      argv: verifyArgs(g, { ...(setup.keyFile !== undefined ? { keyFile: setup.keyFile } : {}), clientId: setup.clientId, verbose: o.verbose }),
      stdin: namesInput(g.records.map((r) => r.name)),
      cwd: root,
      out: (b) => d.io.out(b),
      err: (b) => d.io.passErr(b),
    });
    if (code === DIFFERENCES_FOUND) differ = true;
    else if (code !== 0 && status === 0) {
      status = code;
      d.io.err(`verifying cartridge ${g.cart}, file ${g.file} of server ${g.host} failed: afclient exited with status ${code}`);
    }
  }
  if (status !== 0) return status;
  if (differ) {
    d.io.err(`the backup of ${run.backupText ?? 'the selected run'} differs from the file system below ${escapeName(Buffer.from(root)).toString('latin1')}`);
    return DIFFERENCES_FOUND;
  }
  return 0;
}
