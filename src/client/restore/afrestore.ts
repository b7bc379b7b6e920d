/**
 * afrestore below the CLI: from the options to the listing, the count, the
 * needed cartridges, the interactive shell or the afclient runs of a restore
 * (spec §6.5). Everything that talks to the outside is passed in (output,
 * afclient runner, stdin, clock), so that tests can run it in-process.
 *
 * Selection: without -A/-B only the index of the wanted backup number is read
 * (the current one, or -<n> before it) and each name counts once, its latest
 * version winning. With -A/-B older indexes are scanned too (within -N/-O), the
 * limits apply to each version, -l lists every version that passes and a restore
 * takes the latest that passes. -a restores every run of the wanted backup in
 * the order it was written, each tape file with afclient -a.
 *
 * --exact (ours): versions followed by a deletion line of their name are left
 * out of the selection, and after -a the names whose last event is a deletion are
 * removed again below the restore root (remove-deleted.ts), so the result is the
 * state as of the chosen backup. Without it everything is as in afbackup.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { AfError, ERRORS } from '../../errors.js';
import { escapeName } from '../escape.js';
import { readRanges, type RangeList } from '../../state/range-list.js';
import { latestOnly, samePosition, select, type CatalogRecord, type TapePosition } from './catalog.js';
import { groupByTapeFile } from './groups.js';
import { formatListing, type UserName } from './list-format.js';
import { loadCatalog } from './load-catalog.js';
import { formatNeededTapes, neededTapes } from './needed-tapes.js';
import { parseAfrestoreArgs, AFRESTORE_HELP, type AfrestoreOptions } from './options.js';
import type { Output } from './output.js';
import { runRestoreJobs, type RestoreJob } from './restore-run.js';
import type { ClientRunner } from './runner.js';
import { loadSetup, type RestoreSetup } from './setup.js';
import { parseTimeLimit, type TimeLimit } from './time-spec.js';
import { runEmergency } from './emergency.js';
import { runRestoreShell } from './shell/session.js';
import { passwdUserNames } from './user-names.js';
import { deletedAtEnd, latestDeletions, withoutDeleted } from './deletions.js';
import { removeDeleted, shown } from './remove-deleted.js';

export interface AfrestoreDeps {
  readonly io: Output;
  readonly runner: ClientRunner;
  readonly stdin: Readable;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
  readonly userName?: UserName;
  /** Write a `$ ` prompt in the shell (when stdin is a terminal). */
  readonly prompt?: boolean;
}

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new AfError('USAGE', `${what} wants a whole number, not "${text}"`);
  return Number(text);
}

function days(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new AfError('USAGE', `-O wants a number of days, not "${text}"`);
  return Number(text);
}

function tapeList(text: string | undefined): RangeList | undefined {
  if (text === undefined) return undefined;
  const r = readRanges(text);
  if (!r.ok) throw new AfError('USAGE', `-T "${text}" is not a list of cartridges: ${r.reason}`);
  return r.ranges;
}

/** The restore root: -C is created when missing; RootDirectory must exist. */
export function prepareRoot(setup: RestoreSetup, fromOption: boolean): string {
  const root = setup.rootDirectory;
  if (fromOption) fs.mkdirSync(root, { recursive: true });
  const st = fs.statSync(root, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new AfError('USAGE', `the restore root "${root}" is not a directory`);
  return root;
}

/** A name for JSON: escaped as in the index, and bytes from 0x80 up as `\ooo` too, so JSON stays ASCII. */
export function jsonName(name: Buffer): string {
  return [...escapeName(name)].map((b) => (b >= 0x80 ? `\\${b.toString(8)}` : String.fromCharCode(b))).join('');
}

/** A record for --json. */
export function recordJson(r: CatalogRecord): Record<string, unknown> {
  return {
    name: jsonName(r.name),
    server: r.host,
    port: r.port,
    cartridge: r.cart,
    file: r.file,
    ...(r.uid !== undefined ? { uid: r.uid } : {}),
    ...(r.mtime !== undefined ? { mtime: r.mtime } : {}),
    ...(r.backupTime !== undefined ? { backupTime: r.backupTime } : {}),
    index: r.indexNum,
  };
}

export async function runAfrestore(argv: string[], d: AfrestoreDeps): Promise<number> {
  const o = parseAfrestoreArgs(argv);
  if (o.help) {
    d.io.out(AFRESTORE_HELP);
    return 0;
  }
  const now = d.now ?? new Date();
  const setup = await loadSetup(o, d.env);
  for (const w of setup.warnings) d.io.err(`warning: ${w}`);
  const settings = {
    ...(setup.keyFile !== undefined ? { keyFile: setup.keyFile } : {}),
    clientId: setup.clientId,
    verbose: o.verbose,
    overwrite: !o.merge,
  };
  if (o.emergency > 0 || o.emergencyIndexes || o.scan > 0) {
    return runEmergency(o, setup, { ...d, settings, root: prepareRoot(setup, o.root !== undefined) });
  }
  const after = o.after !== undefined ? parseTimeLimit(o.after, now) : undefined;
  const before = o.before !== undefined ? parseTimeLimit(o.before, now) : undefined;
  const timeLimited = !o.all && (after !== undefined || before !== undefined);
  const maxCount = wholeNumber(o.maxIndexes, '-N') ?? setup.config.numIndexesToScan;
  const maxDays = days(o.maxDays) ?? setup.config.daysToScanIndexes;
  const tapes = tapeList(o.tapeList);
  if (!o.all && !o.shell && o.patterns.length === 0) throw new AfError('USAGE', 'give the patterns of what to restore, or -a for a whole backup (see --help)');

  const { runs } = await loadCatalog(setup, {
    back: o.back,
    timeLimited,
    ...(maxCount !== undefined ? { maxCount } : {}),
    ...(maxDays !== undefined ? { maxDays } : {}),
    now: now.getTime(),
  });
  const criteria = {
    patterns: o.patterns,
    all: o.all || (o.shell && o.patterns.length === 0),
    ignoreCase: o.ignoreCase,
    ...(after ? { after } : {}),
    ...(before ? { before } : {}),
    ...(tapes ? { tapes } : {}),
  };
  const deletions = o.exact ? latestDeletions(runs, before?.backup) : new Map<string, number>();
  const selected = withoutDeleted(select(runs, criteria), deletions);
  const records: CatalogRecord[] = o.all || (o.list && timeLimited) ? selected : latestOnly(selected);
  const format = o.format !== undefined ? Buffer.from(o.format, 'latin1') : undefined;

  if (o.shell) {
    return runRestoreShell(latestOnly(selected), {
      io: d.io,
      stdin: d.stdin,
      ...(d.prompt ? { prompt: true } : {}),
      restore: (jobs) => runRestoreJobs(jobs, { runner: d.runner, io: d.io, cwd: prepareRoot(setup, o.root !== undefined), settings }),
    });
  }
  if (o.count) {
    d.io.out(o.json ? `${JSON.stringify({ count: records.length })}\n` : `${records.length}\n`);
    return 0;
  }
  if (o.json && records.length === 0) {
    d.io.out('[]\n');
    return 0;
  }
  if (records.length === 0) {
    throw new AfError('NOT_IN_ARCHIVE', o.all ? 'the index holds no entries' : 'no entry of the scanned index files matches');
  }
  if (o.list) {
    d.io.out(o.json ? `${JSON.stringify(records.map(recordJson))}\n` : formatListing(records, format, d.userName ?? passwdUserNames()));
    return 0;
  }
  if (o.tapes) {
    const tapes = neededTapes(records);
    d.io.out(o.json ? `${JSON.stringify(tapes)}\n` : formatNeededTapes(tapes));
    return 0;
  }
  const root = prepareRoot(setup, o.root !== undefined);
  let jobs: RestoreJob[];
  if (o.all) {
    const starts: TapePosition[] = [];
    for (const run of runs) {
      if (run.start && run.records.length > 0 && !starts.some((s) => samePosition(s, run.start!))) starts.push(run.start);
    }
    jobs = starts.map((s) => ({ ...s, names: null }));
    const status = await runRestoreJobs(jobs, { runner: d.runner, io: d.io, cwd: root, settings });
    if (!o.exact) return status;
    const r = removeDeleted(root, deletedAtEnd(runs), {
      removed: (n) => {
        if (o.verbose) d.io.out(`Removed ${shown(n)} (deleted before the backup)\n`);
      },
      problem: (n, why) => d.io.err(`${shown(n)}: ${why}`),
      kept: (n, why) => d.io.err(`warning: ${shown(n)}: ${why}`),
    });
    return status !== 0 ? status : r.problems > 0 ? ERRORS.PACKER_ERRORS.exit : 0;
  } else {
    jobs = groupByTapeFile(records).map((g) => ({ host: g.host, port: g.port, cart: g.cart, file: g.file, names: g.records.map((r) => r.name) }));
  }
  const fileTimes = {
    ...(after?.file !== undefined ? { after: after.file } : {}),
    ...(before?.file !== undefined ? { before: before.file } : {}),
  };
  return runRestoreJobs(jobs, { runner: d.runner, io: d.io, cwd: root, settings: { ...settings, ...(o.all ? {} : fileTimes) } });
}
