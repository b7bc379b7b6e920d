/**
 * What a backup run saves, from the configuration (spec §3.3 DirsToBackup, §6.4):
 * the entries as text (what `save_entries` records), the path entries for the
 * selection walk, and the names passed to afclient as they are (raw contents
 * `/../`, processed raw contents `//../`, command output `||| cmd ||| restore`).
 *
 * Split full backups (NumBackupParts > 1) draw their entries from
 * DirsToBackup1..N; a full backup saves its own part fully and the other parts
 * incrementally. Entry texts are cleaned the way afbackup cleans paths (repeated
 * slashes, `./` components and a trailing slash removed) and duplicates dropped.
 */
import type { BackupEntries, BackupEntry, ClientConfig } from '../../config/client-config.js';
import { parseBackupEntries } from '../../config/client-config.js';

/** Removes `//`, `/./`, a leading `./` and a trailing `/` (but keeps `/` and `.`). */
export function cleanPath(p: string): string {
  let s = p.replace(/\/{2,}/g, '/');
  while (s.includes('/./')) s = s.replace('/./', '/');
  while (s.startsWith('./') && s.length > 2) s = s.slice(2);
  if (s.endsWith('/.') && s.length > 2) s = s.slice(0, -2);
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** The text of an entry as afbackup writes it to save_entries and hands it to afclient. */
export function entryText(e: BackupEntry): string {
  switch (e.kind) {
    case 'path':
      return (e.oneFilesystem ? './/.' : '') + cleanPath(e.path);
    case 'raw': {
      const p = cleanPath(e.path);
      const prefix = e.processed ? '//..' : '/..';
      return p.startsWith('/') ? prefix + p : `${prefix}/${p}`;
    }
    case 'command':
      return `||| ${e.command} ||| ${e.restoreCommand}${e.comment !== undefined ? ` ### ${e.comment}` : ''}`;
  }
}

/** Runs a `| cmd` entry list (with `%T` replaced) and returns its output; supplied by the caller. */
export type EntryCommandRunner = (command: string) => Promise<string>;

/** `%T`: F (full), F<part> (split full), I (incremental), L<level> (level-Q incremental). */
export function typeLetters(mode: 'full' | 'incremental', level: number, part: number | undefined): string {
  if (mode === 'full') return part !== undefined && part > 0 ? `F${part}` : 'F';
  return level > 0 ? `L${level}` : 'I';
}

async function resolve(entries: BackupEntries, run: EntryCommandRunner, letters: string): Promise<BackupEntry[]> {
  if (entries.kind === 'entries') return [...entries.entries];
  const out = await run(entries.command.replace(/%T/g, letters));
  const joined = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  const parsed = parseBackupEntries(joined);
  return parsed.kind === 'entries' ? [...parsed.entries] : [];
}

function unique(list: BackupEntry[]): BackupEntry[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const t = entryText(e);
    if (seen.has(t)) return false;
    seen.add(t);
    return true;
  });
}

export interface RunEntries {
  /** Every entry of the configuration, as text (written to save_entries). */
  readonly all: readonly string[];
  /** Entries walked in this run; `full` marks those saved fully whatever the mode. */
  readonly walk: readonly { readonly entry: BackupEntry & { kind: 'path' }; readonly text: string; readonly full: boolean }[];
  /** Names passed to afclient unchanged after the walk (raw and command entries). */
  readonly verbatim: readonly string[];
}

export interface RunEntriesInput {
  readonly config: ClientConfig;
  readonly mode: 'full' | 'incremental';
  readonly level: number;
  /** Part of a split full backup (1..N), or undefined. */
  readonly part: number | undefined;
  /** Names from the command line: they replace the configured entries. */
  readonly commandLine: readonly string[];
  readonly runCommand: EntryCommandRunner;
}

export async function runEntries(input: RunEntriesInput): Promise<RunEntries> {
  const { config, mode } = input;
  const letters = typeLetters(mode, input.level, input.part);
  let all: BackupEntry[];
  let thisPart: BackupEntry[] | undefined;
  if (input.commandLine.length > 0) {
    all = input.commandLine.flatMap((n) => {
      const r = parseBackupEntries(`"${n.replace(/(["\\])/g, '\\$1')}"`);
      return r.kind === 'entries' ? [...r.entries] : [];
    });
  } else if (config.numBackupParts > 1) {
    all = [];
    for (let i = 1; i <= config.numBackupParts; i++) {
      const p = config.dirsToBackupParts.get(i);
      if (!p) continue;
      const list = await resolve(p, input.runCommand, letters);
      all.push(...list);
      if (i === input.part && mode === 'full') thisPart = list;
    }
  } else {
    all = await resolve(config.dirsToBackup, input.runCommand, letters);
  }
  all = unique(all);
  const partTexts = thisPart ? new Set(thisPart.map(entryText)) : undefined;
  const walk: RunEntries['walk'][number][] = [];
  const verbatim: string[] = [];
  for (const e of all) {
    const text = entryText(e);
    if (e.kind === 'path') {
      const full = mode === 'full' && (partTexts === undefined || partTexts.has(text));
      walk.push({ entry: { ...e, path: cleanPath(e.path) }, text, full });
    } else if (partTexts === undefined || partTexts.has(text) || mode === 'incremental') {
      verbatim.push(text);
    }
  }
  return { all: all.map(entryText), walk, verbatim };
}
