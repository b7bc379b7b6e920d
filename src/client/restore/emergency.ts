/**
 * afrestore -e: the emergency restore, without index files. The minimum restore
 * info (spec §6.3: `@@@===--->>> <id> <server> <port> <cart> <file> <path>`, or
 * the checked tape form) is read from stdin; the latest one given is used. From
 * its position the start-positions copy saved at <path> is extracted into a
 * temporary directory; its lines of the newest backup number name every tape
 * file of that backup (the full backup and the incrementals written before the
 * copy was made), and each is then restored completely (afclient -a) in the
 * order written. When the copy cannot be read, only the given position is
 * restored, and a warning says so. -f (only the index files) is not supported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AfError } from '../../errors.js';
import { findCheckedLines, parseRestoreInfoLine, type RestoreInfo } from '../files/restore-info.js';
import { parse as parseStartPositions } from '../files/start-positions.js';
import { samePosition, type TapePosition } from './catalog.js';
import { runRestoreJobs } from './restore-run.js';
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

/** The tape files of the newest backup listed in a start_positions text. */
export function positionsOfLatest(text: string, info: RestoreInfo): TapePosition[] {
  const sp = parseStartPositions(text, 'start-positions copy');
  const newest = Math.max(...sp.entries.map((e) => e.num));
  const out: TapePosition[] = [];
  for (const e of sp.entries.filter((x) => x.num === newest)) {
    const p: TapePosition = { host: e.host, port: e.port < 0 ? info.port : e.port, cart: e.cart, file: e.file };
    if (!out.some((x) => samePosition(x, p))) out.push(p);
  }
  return out;
}

export async function runEmergency(o: AfrestoreOptions, setup: RestoreSetup, d: EmergencyDeps): Promise<number> {
  if (o.emergencyIndexes) throw new AfError('USAGE', '-f (restore only the index files) is not supported by this afrestore; use -e');
  const infos = restoreInfos(await readAll(d.stdin));
  const info = infos[infos.length - 1];
  if (!info) throw new AfError('USAGE', 'no minimum restore info ("@@@===--->>> <id> <server> <port> <cart> <file> <path>") on stdin');
  if (info.clientId !== setup.clientId) d.io.err(`warning: the restore info belongs to client "${info.clientId}", this is "${setup.clientId}"`);
  const start: TapePosition = { host: info.server, port: info.port, cart: info.cart, file: info.file };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'afrestore-'));
  let positions: TapePosition[] = [start];
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
      const found = positionsOfLatest(fs.readFileSync(copy, 'latin1'), info);
      if (found.length > 0) positions = found;
    } else {
      d.io.err(`warning: the start-positions copy "${info.startPositionsPath}" could not be read from cartridge ${info.cart}, file ${info.file}; restoring that tape file only`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return runRestoreJobs(
    positions.map((p) => ({ ...p, names: null })),
    { runner: d.runner, io: d.io, cwd: d.root, settings: { ...d.settings, clientId: info.clientId } },
  );
}
