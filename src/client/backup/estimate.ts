/**
 * `full_backup --estimate` and `incr_backup --estimate`: the dry run of a backup.
 * It settles the run's mode, level, part and comparison times from the var
 * directory exactly as run-backup.ts does, then walks the selection
 * (entries.ts, selection.ts, cmp-time.ts) and reports what a real run would hand
 * to afclient — without the client lock, without contacting a server and without
 * writing any var file, mark or index. The InitProgram and ExitProgram are not run;
 * a DirsToBackup given as a command (`| cmd`) is run, since its output is the list.
 *
 * Names are escaped as afclient gets them and as the index keeps them
 * (escape.ts), as Latin-1 strings (one character per byte).
 */
import { escapeName } from '../escape.js';
import type { ClientConfig } from '../../config/client-config.js';
import * as levelTimestamps from '../files/level-timestamps.js';
import * as saveEntries from '../files/save-entries.js';
import { FULL_LEVEL } from '../files/level-timestamps.js';
import { ClientVarDir } from './var-dir.js';
import { computeCmpTime, entryCmpTime } from './cmp-time.js';
import { runEntries, type EntryCommandRunner } from './entries.js';
import { selectEntries, type SelectionRoot } from './selection.js';
import { selectionOptionsOf } from './selection-options.js';
import type { BackupMode } from './run-backup.js';
import type { BackupOptions } from './options.js';

export interface BackupEstimate {
  readonly estimate: true;
  readonly level: 'Full' | 'Incremental';
  /** Names a run would hand to afclient (selected entries and raw/command entries). */
  readonly files: number;
  /** Bytes of the selected regular files. */
  readonly bytes: number;
  /** The names, escaped as in the index, one Latin-1 character per byte. */
  readonly names: string[];
}

export interface EstimateDeps {
  /** Notes a real run would log (mode switches, new entries, names that match nothing). */
  readonly warn: (text: string) => void;
  /** Runs a `| cmd` DirsToBackup; the real run's shellOutput by default. */
  readonly runCommand: EntryCommandRunner;
}

/** What `requested` would save now. The caller has changed to RootDirectory, as for a real run. */
export async function estimateBackup(requested: BackupMode, opts: BackupOptions, config: ClientConfig, deps: EstimateDeps): Promise<BackupEstimate> {
  const vars = new ClientVarDir(config.varDirectory);
  let mode = requested;
  const lastNum = vars.readCounter(vars.num);
  if (mode === 'incremental' && (lastNum === undefined || !vars.exists(vars.oldmark))) {
    deps.warn(`Warning: Cannot read file "${lastNum === undefined ? vars.num : vars.oldmark}", a real run would switch to full backup.`);
    mode = 'full';
  }
  const noDefault = opts.names.length > 0;
  const numParts = noDefault ? 1 : config.numBackupParts;
  let part = 1;
  if (numParts > 1) {
    part = vars.readCounter(vars.part) ?? 0;
    if (mode === 'full') {
      part++;
      if (part > numParts) part = 1;
    }
    if (part < 1) part = 1;
    if (mode === 'full' && lastNum === undefined) part = 1;
  }
  const level = mode === 'full' ? FULL_LEVEL : (opts.level ?? 0);
  const entries = await runEntries({
    config,
    mode,
    level,
    part: numParts > 1 ? part : undefined,
    commandLine: opts.names,
    runCommand: deps.runCommand,
  });

  const oldmark = vars.mtime(vars.oldmark);
  const saved = mode === 'incremental' && !noDefault ? vars.read(vars.saveEntries, saveEntries.codec).entries : undefined;
  const runCmp = computeCmpTime({ mode, level, oldmarkMtime: oldmark, levelTimestamps: vars.read(vars.levelTimestamps, levelTimestamps.codec) });
  const roots: SelectionRoot[] = entries.walk.map((w) => {
    let cmp = w.full ? 0 : mode === 'full' ? (oldmark ?? 0) : runCmp;
    if (saved !== undefined) cmp = entryCmpTime(cmp, mode, w.text, saved);
    return { pattern: Buffer.from(w.entry.path, 'latin1'), oneFilesystem: w.entry.oneFilesystem, cmpTime: cmp };
  });
  let files = 0;
  let bytes = 0;
  const names: string[] = [];
  const items = selectEntries(roots, selectionOptionsOf(config));
  for (const item of items) {
    if (item.kind === 'noMatch') deps.warn(`Warning: Entry "${item.pattern.toString('latin1')}" did not resolve any filename.`);
    else if (item.kind === 'warning') deps.warn(`Warning: ${escapeName(item.name).toString('latin1')}: ${item.message}`);
    else {
      files++;
      bytes += item.size;
      names.push(escapeName(item.name).toString('latin1'));
    }
  }
  for (const v of entries.verbatim) {
    files++;
    names.push(escapeName(Buffer.from(v, 'latin1')).toString('latin1'));
  }
  return { estimate: true, level: mode === 'full' ? 'Full' : 'Incremental', files, bytes, names };
}

/** The text form: one name a line, then `Estimate: <files> files, <bytes> bytes`. */
export function estimateText(e: BackupEstimate): string {
  return `${e.names.map((n) => `${n}\n`).join('')}Estimate: ${e.files} files, ${e.bytes} bytes\n`;
}
