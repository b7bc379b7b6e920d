/**
 * One idea: what a Full backup of a local client (Client `Local Backup = yes`) would
 * save, found by running the client's own selection (src/client/backup: its
 * DirsToBackup entries, FilesToSkip, DirsToSkip, ExcludeListFile, FilesystemTypes)
 * over the file system without saving anything. Files are counted with the sizes of
 * regular files; raw and command entries (`/../`, `|||`) are listed as they are, not
 * measured. DirsToBackup produced by a command (`| cmd`) is not run here.
 *
 * The client configuration is the `-c FILE` of the Job's Backup Options, else the
 * first of the client programs' standard places, else the defaults.
 */
import { splitWords } from '../runner/child.js';
import os from 'node:os';
import { defaultInstallPaths } from '../../config/install-paths.js';
import { AfError } from '../../errors.js';
import { runEntries } from '../../client/backup/entries.js';
import { loadBackupConfig } from '../../client/backup/load-config.js';
import { selectEntries, type SelectionRoot } from '../../client/backup/selection.js';
import { selectionOptionsOf } from '../../client/backup/selection-options.js';

export interface LocalEstimate {
  /** The client configuration read, or null for the built-in defaults. */
  readonly configFile: string | null;
  readonly files: number;
  readonly bytes: number;
  /** Selected names (only when asked for), in the order a backup would save them. */
  readonly names: Buffer[] | null;
  /** Raw and command entries, saved as they are. */
  readonly verbatim: string[];
  readonly warnings: string[];
}

/** The `-c FILE` (or `-cFILE`) of a backup command's options, if any. */
export function configFileOf(options: string | undefined): string | undefined {
  let words: string[];
  try {
    words = splitWords(options ?? ''); // the words the backup program will get
  } catch {
    words = (options ?? '').trim().split(/\s+/).filter(Boolean);
  }
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '-c' && words[i + 1] !== undefined) return words[i + 1];
    if (words[i]!.startsWith('-c') && words[i]!.length > 2) return words[i]!.slice(2);
  }
  return undefined;
}

function isAbsolute(p: Buffer): boolean {
  return p[0] === 0x2f;
}

export async function estimateLocal(configFile: string | undefined, opts: { listing: boolean }): Promise<LocalEstimate> {
  const loaded = await loadBackupConfig({ named: configFile, overrides: '', paths: defaultInstallPaths(), hostname: os.hostname() });
  const config = loaded.config;
  const entries = await runEntries({
    config,
    mode: 'full',
    level: 0,
    part: undefined,
    commandLine: [],
    runCommand: async (cmd) => {
      throw new AfError('USAGE', `DirsToBackup comes from the command "${cmd}", which estimate does not run`);
    },
  });
  const root = Buffer.from(config.rootDirectory, 'latin1');
  const roots: SelectionRoot[] = entries.walk.map((w) => {
    const p = Buffer.from(w.entry.path, 'latin1');
    const pattern = isAbsolute(p) ? p : Buffer.concat([root, root[root.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), p]);
    return { pattern, oneFilesystem: w.entry.oneFilesystem, cmpTime: 0 };
  });
  let files = 0;
  let bytes = 0;
  const names: Buffer[] = [];
  const warnings: string[] = [];
  const items = selectEntries(roots, selectionOptionsOf(config));
  for (const item of items) {
    if (item.kind === 'entry') {
      files++;
      bytes += item.size;
      if (opts.listing) names.push(item.name);
    } else if (item.kind === 'warning') {
      warnings.push(`${item.name.toString('latin1')}: ${item.message}`);
    } else {
      warnings.push(`no file matches "${item.pattern.toString('latin1')}"`);
    }
  }
  return { configFile: loaded.file ?? null, files, bytes, names: opts.listing ? names : null, verbatim: [...entries.verbatim], warnings };
}
