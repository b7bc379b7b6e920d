/**
 * full_backup and incr_backup from start to end (spec §6.4), composed from the
 * modules beside this one. The caller (src/cli/full_backup.ts, incr_backup.ts)
 * has loaded the configuration, changed to RootDirectory and holds nothing yet;
 * this takes the client lock, does the run and returns a summary.
 *
 * Order: lock; counters and mode (an incremental without num or oldmark becomes a
 * full backup); entries; InitProgram; marks (oldmark → oldmark.org and a new
 * oldmark for a full backup, newmark for an incremental); server poll and
 * server_ids; erased cartridges; afclient started, its start position read,
 * start_positions written and copied; the INFORMATION header, the copy and the
 * selected names fed; afclient's index lines appended to the index, and for an
 * incremental the `#- <name>` lines of names gone since they were saved
 * (deletions.ts; the walk reports every name it meets). On success:
 * StartupInfoProgram, index_ages, num/part, old indexes pruned, marks rotated,
 * level_timestamps, save_entries, needed_tapes and the PreciousTapes message.
 * ExitProgram runs last in every case.
 *
 * A failed or interrupted run (deps.signal: afclient is stopped) puts the marks
 * back and writes no counters; the start position already recorded stays in
 * start_positions, as in afbackup, and the index is kept only when afclient
 * reported saved entries (they are on tape). afclient exiting with status 14
 * (some entries not saved) still completes the run, with exit status 14.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { AfError, isAfError, toAfError } from '../../errors.js';
import type { ClientConfig } from '../../config/client-config.js';
import { ctime } from '../../state/ctime.js';
import { formatRanges, readRanges, subtract, isEmpty, type RangeList } from '../../state/range-list.js';
import { escapeName } from '../escape.js';
import * as indexAges from '../files/index-ages.js';
import * as levelTimestamps from '../files/level-timestamps.js';
import * as neededTapes from '../files/needed-tapes.js';
import * as saveEntries from '../files/save-entries.js';
import * as serverIds from '../files/server-ids.js';
import * as startPositions from '../files/start-positions.js';
import { FULL_LEVEL } from '../files/level-timestamps.js';
import { parseIndexLine } from '../files/index-file.js';
import { deletionLine, findDeleted, indexedNames } from './deletions.js';
import { withClientLock } from './client-lock.js';
import { ClientVarDir } from './var-dir.js';
import { computeCmpTime, entryCmpTime } from './cmp-time.js';
import { runEntries } from './entries.js';
import { selectEntries, type SelectionRoot, type SelectionOptions } from './selection.js';
import { selectionOptionsOf } from './selection-options.js';
import { pollServers } from './server-poll.js';
import { backupArgs, messageArgs, preciousTapesMessage, processPair, stateQueryArgs, type AfclientProgram } from './afclient-command.js';
import { exitOf, runQuery, startBackupClient } from './afclient-process.js';
import { BackupOutputReader, LineSplitter, usedCartridges } from './afclient-output.js';
import { headerStdinLine, indexRunHeader, minimumRestoreInfo, noVerifyName, type RunHeaderInput } from './header.js';
import { IndexWriter, indexCommands, indexPaths, pruneIndexes, readIndex, writeWholeIndex } from './index-store.js';
import { removeErasedCartridges } from './erased-check.js';
import { crucialTapes, pruneLimit, updateNeededTapes, updateStartPositions } from './var-updates.js';
import { removeErasedFromIndex } from './erased-tapes.js';
import { exitCommand, runShell, shellOutput } from './programs.js';
import { ProgressReporter, entryVolume } from './progress-report.js';
import type { BackupOptions } from './options.js';

export type BackupMode = 'full' | 'incremental';

export interface BackupDeps {
  readonly afclient: AfclientProgram;
  readonly hostname: string;
  /** Milliseconds between server polling rounds (30 000 in production). */
  readonly pollWaitMs: number;
  /** Verbose text (stdout with -v) — the lines afbackup logs. */
  readonly info: (text: string) => void;
  /** Problems (stderr). */
  readonly warn: (text: string) => void;
  readonly now?: () => Date;
  /** Aborted on SIGINT/SIGTERM: afclient is stopped and the run fails cleanly (marks put back). */
  readonly signal?: AbortSignal;
}

export interface BackupSummary {
  program: 'full_backup' | 'incr_backup';
  mode: BackupMode;
  level: number;
  number: number;
  part: number;
  parts: number;
  server: string | null;
  port: number | string | null;
  serverId: string | null;
  start: { cartridge: number; file: number } | null;
  /** Names handed to afclient (entries selected plus verbatim entries; not the start-positions copy). */
  files: number;
  /** Bytes of the selected regular files. */
  bytes: number;
  /** Index lines afclient reported (one per saved entry, start-positions copy included). */
  saved: number;
  /** Cartridges the run wrote to, as a range list (`Used Cartridges:` of the report). */
  cartridges: string | null;
  /** Tape files (`cart.file`) the run's entries are in. */
  tapeFiles: string[];
  /** Names recorded as deleted (`#- ` lines) by an incremental run. */
  deleted: number;
  indexFile: string | null;
  erasedCartridges: { serverId: string; cartridges: string }[];
  warnings: number;
  status: number;
}

function tmpName(prefix: string): string {
  return path.join(os.tmpdir(), `${prefix}${crypto.randomBytes(6).toString('base64url')}`);
}

function logTo(file: string, text: string): void {
  try {
    fs.appendFileSync(file, `${ctime()}, ${text}\n`);
  } catch {
    /* the log is best effort, like afbackup's */
  }
}

async function writeAll(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  if (!stream.write(data)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
}

export async function runBackup(requested: BackupMode, opts: BackupOptions, config: ClientConfig, deps: BackupDeps): Promise<BackupSummary> {
  return withClientLock(config.lockFile, () => backupLocked(requested, opts, config, deps));
}

async function backupLocked(requested: BackupMode, opts: BackupOptions, config: ClientConfig, deps: BackupDeps): Promise<BackupSummary> {
  const now = deps.now ?? (() => new Date());
  const vars = new ClientVarDir(config.varDirectory);
  vars.ensure();
  const program = requested === 'full' ? 'full_backup' : 'incr_backup';
  const log = (text: string): void => {
    logTo(config.loggingFile, text);
    deps.info(text);
  };
  let warnings = 0;
  const warn = (text: string): void => {
    warnings++;
    logTo(config.loggingFile, text);
    deps.warn(text);
  };

  // --- mode and counters
  let mode = requested;
  const lastNum = vars.readCounter(vars.num);
  if (mode === 'incremental' && (lastNum === undefined || !vars.exists(vars.oldmark))) {
    warn(`Warning: Cannot read file "${lastNum === undefined ? vars.num : vars.oldmark}", switching to full backup.`);
    mode = 'full';
  }
  const numParts = opts.names.length > 0 ? 1 : config.numBackupParts;
  let part = 1;
  if (numParts > 1) {
    part = vars.readCounter(vars.part) ?? 0;
    if (mode === 'full') {
      part++;
      if (part > numParts) part = 1;
    }
    if (part < 1) part = 1;
  }
  let num = lastNum ?? 0;
  if (mode === 'full') {
    if (lastNum === undefined) part = 1;
    if (part === 1 && !opts.keepCounter) num++;
  }
  const level = mode === 'full' ? FULL_LEVEL : (opts.level ?? 0);

  // DaysToStoreIndexes: keep at least the indexes written within that many days.
  let numIndexesToStore = config.numIndexesToStore;
  if (config.daysToStoreIndexes !== undefined) {
    const cutoff = now().getTime() / 1000 - config.daysToStoreIndexes * 86400;
    const ages = vars.read(vars.indexAges, indexAges.codec);
    for (let i = num - 1; ; i--) {
      const t = ages.entries.find((e) => e.num === i)?.epoch ?? 0;
      if (t < cutoff || i <= 0) {
        numIndexesToStore = Math.max(numIndexesToStore, num - 1 - i);
        break;
      }
    }
  }

  const noDefault = opts.names.length > 0;
  const entries = await runEntries({
    config,
    mode,
    level,
    part: numParts > 1 ? part : undefined,
    commandLine: opts.names,
    runCommand: shellOutput,
  });
  const kindText = mode === 'full' ? (numParts > 1 ? `full backup part ${part}` : 'full backup') : 'incremental backup';
  log(`Starting ${noDefault ? 'customized ' : ''}${kindText}.`);

  let keepTimestamp = noDefault || (mode === 'incremental' && opts.keepCounter);
  if (mode === 'full' && numParts > 1 && !keepTimestamp) keepTimestamp = vars.exists(vars.oldmark);

  const summary: BackupSummary = {
    program,
    mode,
    level,
    number: num,
    part,
    parts: numParts,
    server: null,
    port: null,
    serverId: null,
    start: null,
    files: 0,
    bytes: 0,
    saved: 0,
    cartridges: null,
    tapeFiles: [],
    deleted: 0,
    indexFile: null,
    erasedCartridges: [],
    warnings: 0,
    status: 0,
  };

  let reportFile: string | undefined;
  let restoreInfoLine: string | undefined;
  let indexFileForExit: string | undefined;
  let marksTouched = false;
  let clientStatus = 0;
  let spCopy: string | undefined;
  try {
    if (config.initProgram) {
      const st = await runShell(config.initProgram);
      if (st !== 0) throw new AfError('SUBPROCESS_FAILED', `the InitProgram returned exit status ${st}; stopping here`);
    }
    if (deps.signal?.aborted) throw new AfError('SUBPROCESS_FAILED', `interrupted by ${String(deps.signal.reason)} before the backup started`);
    const startTime = now();

    // --- marks
    const oldmarkBefore = vars.mtime(vars.oldmark);
    if (part === 1 && mode === 'full' && !keepTimestamp) {
      if (vars.exists(vars.oldmark)) {
        fs.rmSync(vars.oldmarkOrg, { force: true });
        fs.renameSync(vars.oldmark, vars.oldmarkOrg);
      }
      fs.writeFileSync(vars.oldmark, '');
      marksTouched = true;
    }
    if (mode === 'incremental' && !keepTimestamp) {
      fs.writeFileSync(vars.newmark, '');
      marksTouched = true;
    }

    // --- servers
    const polled = await pollServers(config.servers, {
      query: (server) => runQuery(deps.afclient, stateQueryArgs({ server, keyFile: config.encryptionKeyFile, clientId: config.clientIdentifier })),
      sleep: () =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, deps.pollWaitMs);
          deps.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new AfError('SUBPROCESS_FAILED', `interrupted by ${String(deps.signal?.reason)} while waiting for a server`));
          }, { once: true });
        }),
      note: (t) => warn(t),
    });
    let ids = vars.read(vars.serverIds, serverIds.codec);
    for (const p of polled.answered) {
      if (!p.state.serverId) continue;
      const port = p.server.defaultPort ? -1 : typeof p.server.port === 'number' ? p.server.port : -1;
      ids = serverIds.set(ids, { host: p.server.host, port, serverId: p.state.serverId });
    }
    if (polled.answered.some((p) => p.state.serverId)) await vars.write(vars.serverIds, serverIds.codec, ids);
    const idxCommands = indexCommands(config);
    const erased = await removeErasedCartridges({
      vars,
      polled: polled.answered,
      indexFilePart: config.indexFilePart,
      lastNum,
      indexCommands: idxCommands,
      unprocessDefault: config.indexUnprocessCmd,
      note: log,
    });
    summary.erasedCartridges = erased.erased.map((e) => ({ serverId: e.serverId, cartridges: formatRanges(e.tapes) }));

    const server = polled.chosen.server;
    const usedPort = server.port;
    summary.server = server.host;
    summary.port = usedPort;

    // --- the index: old content first
    const paths = indexPaths(config.indexFilePart, num);
    const existing = await readIndex(config.indexFilePart, num, config.indexUnprocessCmd);
    const writer = new IndexWriter(paths, idxCommands);
    indexFileForExit = writer.target;
    let committed = false;
    const oldLines = existing ? existing.data.toString('latin1').split('\n').length : 0;
    try {
      if (existing && existing.data.length > 0) {
        await writer.write(existing.data);
        if (existing.data[existing.data.length - 1] !== 0x0a) {
          await writer.write(Buffer.from('\n'));
          warn(`Warning: the old index file "${existing.file}" did not end with a newline.`);
        }
      }

      // --- afclient
      reportFile = tmpName('afbrep_');
      const child = startBackupClient(
        deps.afclient,
        backupArgs({
          server,
          keyFile: config.encryptionKeyFile,
          clientId: config.clientIdentifier,
          newCartridge: opts.newCartridge,
          process: processPair(config),
          doNotProcess: config.doNotProcess,
          reportFile,
          checksums: config.writeChecksums,
          useCTime: config.useCTime,
        }),
      );
      const clientExit = exitOf(child);
      const stopClient = (): void => void child.kill('SIGTERM');
      deps.signal?.addEventListener('abort', stopClient, { once: true });
      if (deps.signal?.aborted) stopClient();
      const stderrLines = new LineSplitter();
      let lastStderr = '';
      child.stderr!.on('data', (b: Buffer) => {
        for (const l of stderrLines.push(b)) {
          const t = l.toString('latin1').replace(/\.+$/, '');
          if (t.trim() === '') continue;
          lastStderr = t;
          warn(t);
        }
      });

      const reader = new BackupOutputReader();
      const splitter = new LineSplitter();
      const preamble: string[] = [];
      let chain: Promise<void> = Promise.resolve();
      const tapeFiles = new Set<string>();
      let started: (() => void) | undefined;
      const startedP = new Promise<void>((r) => (started = r));
      const handle = (line: Buffer): void => {
        for (const item of reader.read(line)) {
          if (item.kind === 'position') started!();
          else if (item.kind === 'preamble') preamble.push(line.toString('latin1'));
          else if (item.kind === 'index') {
            summary.saved++;
            const parsed = parseIndexLine(item.line.toString('latin1'));
            if (parsed.kind === 'entry') tapeFiles.add(`${parsed.cart}.${parsed.file}`);
            const data = Buffer.concat([item.line, Buffer.of(0x0a)]);
            chain = chain.then(() => writer.write(data));
          } else warn(`afclient: ${item.text}`);
        }
      };
      child.stdout!.on('data', (b: Buffer) => {
        for (const l of splitter.push(b)) handle(l);
      });
      const stdoutDone = once(child.stdout!, 'end').then(() => {
        for (const l of splitter.end()) handle(l);
      });

      const ended = clientExit.then(() => 'ended' as const);
      if ((await Promise.race([startedP.then(() => 'started' as const), ended])) !== 'started') {
        await stdoutDone;
        if (!reader.started) {
          const status = await clientExit;
          throw new AfError(
            'SUBPROCESS_FAILED',
            `afclient (status ${status}) did not report the writing position${lastStderr ? `: ${lastStderr}` : ''}${preamble.length ? `; its output was: ${preamble.join(' | ')}` : ''}`,
          );
        }
      }
      const pos = reader.position!;
      summary.serverId = pos.serverId ?? polled.chosen.state.serverId ?? null;
      summary.start = { cartridge: pos.cart, file: pos.file };

      // start_positions and its copy on tape
      const sp = updateStartPositions(vars.read(vars.startPositions, startPositions.codec), num, numIndexesToStore, {
        num,
        part,
        numParts,
        host: server.host,
        port: typeof usedPort === 'number' ? usedPort : -1,
        cart: pos.cart,
        file: pos.file,
      });
      await vars.write(vars.startPositions, startPositions.codec, sp);
      let copy = tmpName('afbsp_');
      try {
        fs.copyFileSync(vars.startPositions, copy);
        spCopy = copy;
      } catch {
        warn(`Warning: cannot copy "${vars.startPositions}"; saving the original.`);
        copy = vars.startPositions;
      }

      const h: RunHeaderInput = {
        mode,
        time: ctime(now()),
        number: num,
        hostname: deps.hostname,
        clientId: config.clientIdentifier,
        host: server.host,
        port: usedPort,
        cart: pos.cart,
        file: pos.file,
      };
      restoreInfoLine = minimumRestoreInfo(h, copy);
      const leadingEmpty = mode === 'incremental' || part > 1 || (existing !== undefined && existing.data.length > 0);
      chain = chain.then(() => writer.write(Buffer.from(indexRunHeader(h, leadingEmpty), 'latin1')));

      // --- feed afclient
      const stdin = child.stdin!;
      let fedOk = true;
      const feed = async (name: Buffer): Promise<void> => {
        if (!fedOk || stdin.destroyed || deps.signal?.aborted) {
          fedOk = false;
          return;
        }
        await writeAll(stdin, Buffer.concat([escapeName(name), Buffer.of(0x0a)]));
      };
      await writeAll(stdin, headerStdinLine(h, copy));
      await feed(noVerifyName(copy));

      const saved = mode === 'incremental' && !noDefault ? vars.read(vars.saveEntries, saveEntries.codec).entries : undefined;
      const runCmp = computeCmpTime({
        mode,
        level,
        oldmarkMtime: oldmarkBefore,
        levelTimestamps: vars.read(vars.levelTimestamps, levelTimestamps.codec),
      });
      const incrementalCmp = oldmarkBefore ?? 0;
      const roots: SelectionRoot[] = [];
      for (const w of entries.walk) {
        let cmp = w.full ? 0 : mode === 'full' ? incrementalCmp : runCmp;
        if (saved !== undefined) {
          const c = entryCmpTime(cmp, mode, w.text, saved);
          if (c !== cmp) log(`Info: New entry, making full backup of "${w.text}".`);
          cmp = c;
        }
        roots.push({ pattern: Buffer.from(w.entry.path, 'latin1'), oneFilesystem: w.entry.oneFilesystem, cmpTime: cmp });
      }
      // Deletion tracking (an incremental only): what the walk finds, against what the index holds.
      const seen = new Set<string>();
      const walkedRoots: Buffer[] = entries.walk.filter((w) => !w.entry.glob).map((w) => Buffer.from(w.entry.path, 'latin1'));
      const previousIndex = mode === 'incremental' && existing ? existing.data : undefined;
      const selOpts: SelectionOptions = selectionOptionsOf(config);
      const walkOpts: SelectionOptions = previousIndex
        ? {
            ...selOpts,
            onVisit: (name, isRoot) => {
              seen.add(name.toString('latin1'));
              if (isRoot) walkedRoots.push(name);
            },
          }
        : selOpts;
      let progress: ProgressReporter | undefined;
      if (config.reportProgress) {
        let total = 0;
        for (const item of selectEntries(roots, selOpts)) if (item.kind === 'entry') total += entryVolume(item.name.length, item.size);
        progress = new ProgressReporter(vars.progress, total > 0 ? total : 1);
        progress.start();
      }
      let walkComplete = true;
      for (const item of selectEntries(roots, walkOpts)) {
        if (deps.signal?.aborted) {
          walkComplete = false;
          break;
        }
        if (item.kind === 'noMatch') {
          log(`Warning: Entry "${item.pattern.toString('latin1')}" did not resolve any filename.`);
          continue;
        }
        if (item.kind === 'warning') {
          warn(`Warning: ${escapeName(item.name).toString('latin1')}: ${item.message}`);
          continue;
        }
        summary.files++;
        summary.bytes += item.size;
        progress?.add(entryVolume(item.name.length, item.size));
        await feed(item.name);
      }
      for (const v of entries.verbatim) {
        summary.files++;
        await feed(Buffer.from(v, 'latin1'));
      }
      stdin.end();
      const status = await clientExit;
      await stdoutDone;
      await chain;
      progress?.finish();
      summary.tapeFiles = [...tapeFiles];
      if (!fedOk) warn('Warning: afclient stopped reading names before all were given.');

      deps.signal?.removeEventListener('abort', stopClient);
      if (deps.signal?.aborted) throw new AfError('SUBPROCESS_FAILED', `interrupted by ${String(deps.signal.reason)}; the backup is incomplete`);
      const written = writer.lineCount > oldLines;
      if (status !== 0 && status !== 14) {
        if (written) {
          summary.indexFile = await writer.commit();
          committed = true;
        }
        throw new AfError('SUBPROCESS_FAILED', `afclient exited with status ${status}${lastStderr ? ` (${lastStderr})` : ''}`);
      }
      clientStatus = status;
      if (previousIndex && walkComplete) {
        const gone = findDeleted({
          indexed: indexedNames(previousIndex),
          seen,
          roots: walkedRoots,
          exists: (name) => {
            try {
              fs.lstatSync(name);
              return true;
            } catch (e) {
              const code = (e as NodeJS.ErrnoException).code;
              return code !== 'ENOENT' && code !== 'ENOTDIR';
            }
          },
        });
        for (const name of gone) await writer.write(deletionLine(name));
        summary.deleted = gone.length;
        if (gone.length > 0) log(`Info: ${gone.length} name${gone.length === 1 ? '' : 's'} deleted since the previous backup recorded in the index.`);
      }
      summary.indexFile = await writer.commit();
      indexFileForExit = summary.indexFile;
      committed = true;
    } finally {
      if (!committed) await writer.discard();
    }

    // --- success: the var files
    if (config.startupInfoProgram && restoreInfoLine) {
      const st = await runShell(config.startupInfoProgram, `${restoreInfoLine}\n`);
      if (st !== 0) warn(`Warning: the StartupInfoProgram returned exit status ${st}.`);
    }
    await vars.write(vars.indexAges, indexAges.codec, indexAges.set(vars.read(vars.indexAges, indexAges.codec), num, Math.floor(now().getTime() / 1000)));
    if (mode === 'full') {
      if (numParts > 1) fs.writeFileSync(vars.part, `${part}\n`);
      if (part === 1) fs.writeFileSync(vars.num, `${num}\n`);
      if (!keepTimestamp) fs.rmSync(vars.oldmarkOrg, { force: true });
      const limit = pruneLimit(num, numIndexesToStore);
      if (limit > 0) {
        pruneIndexes(config.indexFilePart, limit);
        let ages = vars.read(vars.indexAges, indexAges.codec);
        const before = ages;
        for (const e of before.entries) if (e.num <= limit) ages = indexAges.remove(ages, e.num);
        if (ages !== before) await vars.write(vars.indexAges, indexAges.codec, ages);
      }
      log(numParts > 1 ? `Full backup part ${part} finished.` : `Full backup ${noDefault ? '(customized) ' : ''}finished.`);
    } else {
      if (!keepTimestamp) {
        fs.rmSync(vars.oldmark, { force: true });
        fs.renameSync(vars.newmark, vars.oldmark);
      }
      log(`Incremental backup ${noDefault ? '(customized) ' : ''}finished.`);
    }
    marksTouched = false;
    if (!keepTimestamp && level > 0) {
      await vars.write(vars.levelTimestamps, levelTimestamps.codec, levelTimestamps.set(vars.read(vars.levelTimestamps, levelTimestamps.codec), level, ctime(startTime)));
    }
    if (!noDefault) await vars.write(vars.saveEntries, saveEntries.codec, saveEntries.of(entries.all));

    // needed_tapes and PreciousTapes
    const report = reportFile && fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'latin1') : '';
    const used = usedCartridges(report);
    const ranges = used !== undefined ? readRanges(used) : undefined;
    if (!ranges || !ranges.ok) {
      warn('Error: Evaluating report output to obtain crucial tapes failed.');
    } else {
      summary.cartridges = formatRanges(ranges.ranges);
      const serverId = summary.serverId ?? undefined;
      const oldNeeded = vars.read(vars.neededTapes, neededTapes.codec);
      const removeLower = opts.removeLowerLevels && mode === 'incremental' && !noDefault;
      const newNeeded = updateNeededTapes(oldNeeded, {
        num,
        numIndexesToStore,
        level: noDefault ? FULL_LEVEL : level,
        tapes: ranges.ranges,
        serverId,
        removeLowerLevels: removeLower,
        removePreviousEqualLevel: removeLower && keepTimestamp,
      });
      const all = crucialTapes(newNeeded, serverId);
      const msg = preciousTapesMessage(config.clientIdentifier, formatRanges(all));
      const r = await runQuery(deps.afclient, messageArgs({ server, keyFile: config.encryptionKeyFile, clientId: config.clientIdentifier }, msg));
      if (r.status !== 0) {
        warn(`Error: informing the server about the crucial tapes failed (afclient status ${r.status}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}).`);
      } else {
        await vars.write(vars.neededTapes, neededTapes.codec, newNeeded);
        if (removeLower && serverId) {
          const gone: RangeList = subtract(crucialTapes(oldNeeded, serverId), all);
          if (!isEmpty(gone)) {
            const cur = await readIndex(config.indexFilePart, num, config.indexUnprocessCmd);
            if (cur) {
              const f = removeErasedFromIndex(cur.data, vars.read(vars.serverIds, serverIds.codec), [{ serverId, tapes: gone }]);
              if (f.removed > 0) {
                await writeWholeIndex(indexPaths(config.indexFilePart, num), idxCommands, f.data);
              }
            }
          }
        }
      }
    }
    summary.warnings = warnings;
    summary.status = clientStatus === 14 ? 14 : 0;
    return summary;
  } catch (e) {
    const err = toAfError(e);
    summary.status = err.exitCode;
    if (marksTouched) {
      if (mode === 'full') {
        // Put the previous mark back; without one, none (the next incremental then makes a full backup).
        fs.rmSync(vars.oldmark, { force: true });
        if (fs.existsSync(vars.oldmarkOrg)) fs.renameSync(vars.oldmarkOrg, vars.oldmark);
      } else fs.rmSync(vars.newmark, { force: true });
    }
    logTo(config.loggingFile, `${mode === 'full' ? (numParts > 1 ? `Full backup part ${part}` : 'Full backup') : 'Incremental backup'} failed: ${err.message}`);
    throw isAfError(e) ? e : err;
  } finally {
    if (config.exitProgram) {
      await runShell(exitCommand(config.exitProgram, { indexFile: indexFileForExit, reportFile, status: summary.status, restoreInfo: restoreInfoLine }));
    }
    if (reportFile) fs.rmSync(reportFile, { force: true });
    if (spCopy) fs.rmSync(spCopy, { force: true });
  }
}
