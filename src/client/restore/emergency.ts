/**
 * The restores that work without index files (spec §6.5):
 *
 *   -e       the minimum restore info (`@@@===--->>> <id> <server> <port> <cart>
 *            <file> <path>`, or the checked tape form) is read from stdin; the
 *            latest one given counts.
 *   -E [c…]  the info is found on tape instead: `afclient -I` lists the header of
 *            every tape file of the cartridges given (cartridge numbers or ranges
 *            as arguments; none: the server's current cartridge), and the newest
 *            header of this client identifier gives the info.
 *   -f       like -e (or -E), but only the index files are restored, not the tree.
 *   -ee      (e counted) goes back one backup number more for each extra e.
 *
 * From the info's position the start-positions copy saved at <path> is
 * extracted into a temporary directory. Its entries of the newest backup number
 * (minus the extra e's) name the tape files of that backup: the full backup and
 * the incrementals written before the copy was made. Each is restored completely
 * (afclient -a) in the order written; with -f only the names of the index files
 * (`<IndexFilePart><n>`, `.z` and the hidden `.<name>.z`, for that number and the
 * one before: a tape file holds the index as it was when the run started) are
 * asked for, relative to RootDirectory as they were saved. When the copy cannot
 * be read, only the given position is used, and a warning says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AfError, ERRORS } from '../../errors.js';
import { findCheckedLines, parseRestoreInfoLine, type CheckedRestoreInfo, type RestoreInfo } from '../files/restore-info.js';
import { parse as parseStartPositions } from '../files/start-positions.js';
import { readRanges } from '../../state/range-list.js';
import { samePosition, type TapePosition } from './catalog.js';
import { runRestoreJobs, type RestoreJob } from './restore-run.js';
import { headerTime } from './time-spec.js';
import type { AfrestoreOptions } from './options.js';
import type { Output } from './output.js';
import type { ClientRunner } from './runner.js';
import type { RestoreSetup } from './setup.js';
import type { ExtractSettings } from './client-command.js';

export interface EmergencyDeps {
  readonly io: Output;
  readonly runner: ClientRunner;
  readonly stdin: Readable;
  readonly root: string;
  readonly settings: Omit<ExtractSettings, 'all'>;
}

async function readAll(input: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string, 'latin1'));
  return Buffer.concat(parts).toString('latin1');
}

/** Every restore info in a text, in order (plain lines and checked tape lines). */
export function restoreInfos(text: string): RestoreInfo[] {
  const out: RestoreInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.includes('<<<---===@@@')) continue; // checked lines are read below
    const info = parseRestoreInfoLine(line);
    if (info) out.push(info);
  }
  for (const c of findCheckedLines(text)) out.push(c.info);
  return out;
}

/** The backup numbers a start_positions text lists, newest first. */
export function backupNumbers(text: string): number[] {
  const sp = parseStartPositions(text, 'start-positions copy');
  return [...new Set(sp.entries.map((e) => e.num))].sort((a, b) => b - a);
}

/** The tape files of backup `num` in a start_positions text (the newest when undefined). */
export function positionsOf(text: string, info: RestoreInfo, num?: number): TapePosition[] {
  const sp = parseStartPositions(text, 'start-positions copy');
  const wanted = num ?? Math.max(...sp.entries.map((e) => e.num));
  const out: TapePosition[] = [];
  for (const e of sp.entries.filter((x) => x.num === wanted)) {
    const p: TapePosition = { host: e.host, port: e.port < 0 ? info.port : e.port, cart: e.cart, file: e.file };
    if (!out.some((x) => samePosition(x, p))) out.push(p);
  }
  return out;
}

/** A client id as it stands in restore info (quoted when it has blanks) compared with the configured one. */
function sameClient(fromTape: string, configured: string): boolean {
  return fromTape === configured || fromTape.replace(/^"(.*)"$/, '$1') === configured;
}

/**
 * The newest restore info of `clientId` in `afclient -I` output (one line per
 * tape file, `<cart>.<file>: <INFORMATION text>`): by the time in the checked
 * line, the later listed one on a tie or when the time cannot be read.
 */
export function newestOnTape(listing: string, clientId: string): CheckedRestoreInfo | undefined {
  let best: { c: CheckedRestoreInfo; t: number; i: number } | undefined;
  findCheckedLines(listing).forEach((c, i) => {
    if (!sameClient(c.info.clientId, clientId)) return;
    const t = headerTime(c.time) ?? -1;
    if (!best || t > best.t || (t === best.t && i > best.i)) best = { c, t, i };
  });
  return best?.c;
}

/** The cartridges given to -E (numbers and ranges), in order; empty for "the current one". */
export function scanCartridges(words: readonly string[]): number[] {
  const out: number[] = [];
  for (const w of words) {
    const r = readRanges(w);
    if (!r.ok) throw new AfError('USAGE', `-E: "${w}" is not a cartridge number or range: ${r.reason}`);
    for (const [from, to] of r.ranges) {
      if (to - from > 10_000) throw new AfError('USAGE', `-E: the range "${w}" is too large`);
      for (let c = from; c <= to; c++) if (!out.includes(c)) out.push(c);
    }
  }
  return out;
}

/** The index file names of backup `num` and the one before, relative to the root they were saved from. */
export function indexNames(indexFilePart: string, rootDirectory: string, num: number): Buffer[] {
  const out: Buffer[] = [];
  for (const n of [num - 1, num]) {
    if (n < 1) continue;
    const plain = `${indexFilePart}${n}`;
    const hidden = path.join(path.dirname(plain), `.${path.basename(plain)}.z`);
    for (const f of [plain, `${plain}.z`, hidden]) {
      const abs = path.resolve(rootDirectory, f);
      const rel = path.relative(path.resolve(rootDirectory), abs);
      out.push(Buffer.from(rel.startsWith('..') ? abs : rel, 'latin1'));
    }
  }
  return out;
}

async function scanForInfo(o: AfrestoreOptions, setup: RestoreSetup, d: EmergencyDeps): Promise<RestoreInfo> {
  const carts = scanCartridges(o.patterns.map((p) => p.text.toString('latin1')));
  const server = setup.defaultServer;
  let listing = '';
  for (const cart of carts.length > 0 ? carts : [undefined]) {
    const out: Buffer[] = [];
    const status = await d.runner.run({
      argv: [
        '-I', '-h', server.host, '-p', String(server.port),
        ...(d.settings.keyFile !== undefined ? ['-k', d.settings.keyFile] : []),
        ...(cart !== undefined ? ['-C', String(cart)] : []),
        '-W', setup.clientId,
      ],
      stdin: null,
      cwd: os.tmpdir(),
      out: (b) => out.push(b),
      err: (b) => d.io.passErr(b),
    });
    if (status !== 0) d.io.err(`warning: scanning ${cart !== undefined ? `cartridge ${cart}` : 'the current cartridge'} failed (afclient status ${status})`);
    listing += Buffer.concat(out).toString('latin1');
    if (o.verbose) d.io.out(Buffer.concat(out));
  }
  const found = newestOnTape(listing, setup.clientId);
  if (!found) {
    throw new AfError('NOT_IN_ARCHIVE', `no backup of client "${setup.clientId}" on ${carts.length > 0 ? `cartridge${carts.length > 1 ? 's' : ''} ${carts.join(', ')}` : 'the current cartridge'} of ${server.host}`);
  }
  d.io.err(`found the backup of ${found.time} on cartridge ${found.info.cart}, file ${found.info.file}`);
  return found.info;
}

export async function runEmergency(o: AfrestoreOptions, setup: RestoreSetup, d: EmergencyDeps): Promise<number> {
  let info: RestoreInfo | undefined;
  if (o.scan > 0) info = await scanForInfo(o, setup, d);
  else {
    if (o.patterns.length > 0) throw new AfError('USAGE', '-e and -f take no patterns: they restore a whole backup (or its index files)');
    const infos = restoreInfos(await readAll(d.stdin));
    info = infos[infos.length - 1];
  }
  if (!info) throw new AfError('USAGE', 'no minimum restore info ("@@@===--->>> <id> <server> <port> <cart> <file> <path>") on stdin');
  if (!sameClient(info.clientId, setup.clientId)) d.io.err(`warning: the restore info belongs to client "${info.clientId}", this is "${setup.clientId}"`);
  const back = Math.max(o.emergency, 1) - 1;
  const start: TapePosition = { host: info.server, port: info.port, cart: info.cart, file: info.file };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'afrestore-'));
  let positions: TapePosition[] = [start];
  let num: number | undefined;
  try {
    const got = await d.runner.run({
      argv: [
        '-xgu', '-h', info.server, '-p', String(info.port),
        ...(d.settings.keyFile !== undefined ? ['-k', d.settings.keyFile] : []),
        '-C', String(info.cart), '-F', String(info.file), '-W', info.clientId, '-r',
      ],
      stdin: Buffer.from(`${info.startPositionsPath}\n`, 'latin1'),
      cwd: tmp,
      out: () => undefined,
      err: (b) => d.io.passErr(b),
    });
    const copy = path.join(tmp, info.startPositionsPath.replace(/^\/+/, ''));
    if (got === 0 && fs.existsSync(copy)) {
      const text = fs.readFileSync(copy, 'latin1');
      const nums = backupNumbers(text);
      if (back >= nums.length) {
        throw new AfError('NOT_IN_ARCHIVE', `the start-positions copy lists ${nums.length} backup${nums.length === 1 ? '' : 's'} (${nums.join(', ')}); going back ${back} is not possible`);
      }
      num = nums[back];
      const found = positionsOf(text, info, num);
      if (found.length > 0) positions = found;
    } else if (back > 0) {
      throw new AfError('NOT_IN_ARCHIVE', `the start-positions copy "${info.startPositionsPath}" could not be read from cartridge ${info.cart}, file ${info.file}, so an earlier backup cannot be found`);
    } else {
      d.io.err(`warning: the start-positions copy "${info.startPositionsPath}" could not be read from cartridge ${info.cart}, file ${info.file}; restoring that tape file only`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const settings = { ...d.settings, clientId: info.clientId };
  if (!o.emergencyIndexes) {
    return runRestoreJobs(positions.map((p) => ({ ...p, names: null })), { runner: d.runner, io: d.io, cwd: d.root, settings });
  }

  // -f: the index files only. A tape file lacks some of the names asked for (status 5): that is expected.
  if (num === undefined) throw new AfError('NOT_IN_ARCHIVE', 'without the start-positions copy the backup number, and so the index file names, are unknown');
  const names = indexNames(setup.indexFilePart, setup.config.rootDirectory, num);
  const jobs: RestoreJob[] = positions.map((p) => ({ ...p, names }));
  let status = 0;
  for (const job of jobs) {
    const s = await runRestoreJobs([job], {
      runner: d.runner,
      io: { ...d.io, err: (line) => (/exited with status 5$/.test(line) ? undefined : d.io.err(line)), passErr: (b) => d.io.passErr(b) },
      cwd: d.root,
      settings,
    });
    if (s !== 0 && s !== ERRORS.NOT_IN_ARCHIVE.exit && status === 0) status = s;
  }
  const restored = names.filter((n) => fs.existsSync(path.join(d.root, n.toString('latin1'))));
  if (restored.length === 0) {
    throw new AfError('NOT_IN_ARCHIVE', `no index file of backup ${num} (${names[names.length - 3]!.toString('latin1')}[.z]) is on its tape files; is the var directory among DirsToBackup?`);
  }
  for (const n of restored) d.io.out(`Restored index file ${n.toString('latin1')}\n`);
  return status;
}
