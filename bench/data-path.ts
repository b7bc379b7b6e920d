/**
 * Benchmark 1, the data path: how fast a client can stream a backup through the
 * afbackup protocol over loopback onto a virtual drive, next to what `dd` reaches
 * writing the same number of bytes with the same block size into the same
 * filesystem.
 *
 * One run: a fresh configuration and virtual library (Tape-Blocksize as given,
 * 8 GiB cartridges, tape files of up to 8 GB), an afserver started the inetd way
 * (so we know its pid), the DES handshake, SETCOMMBUFSIZ 65536, then the clock
 * starts: OPENFORWRITE, the payload as pipelined W requests (a window of up to
 * WINDOW requests whose status bytes are not in yet; the replies are read while
 * sending), CLOSETAPE, and the clock stops at the CLOSETAPE reply. Then GOODBYE,
 * whose reply comes after the drive was closed, which fsyncs the data files; the
 * time to that reply is reported too, against `dd conv=fsync`.
 *
 * The session process's peak RSS (VmHWM) and its CPU time are read from /proc
 * before GOODBYE.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Connection } from '../src/client/connection.js';
import { keyMaterialFromFile } from '../src/protocol/auth.js';
import { encodeRequest } from '../src/protocol/request-encoder.js';
import { InetdLauncher } from './inetd-launcher.js';
import {
  AFSERVER,
  LOOPBACK,
  cpuTicks,
  freeBytes,
  makeScratch,
  median,
  now,
  procStatusKiB,
  removeScratch,
  scratchBase,
  minorFaults,
  stopProcess,
  threadCpu,
  waitExit,
  withTimeout,
  writeServerSetup,
} from './util.js';

export const COMM_BUF = 65536;
/** W requests sent whose status byte has not arrived yet, at most. */
export const WINDOW = 128;
const CLK_TCK = 100; // Linux USER_HZ

export interface OursRun {
  /** Payload bytes (W data) moved. */
  bytes: number;
  /** OPENFORWRITE sent → CLOSETAPE reply, ms. */
  closeMs: number;
  /** The OPENFORWRITE round trip alone, ms. */
  openMs: number;
  /** Last W status in → CLOSETAPE reply (padding, filemark, index, rewind), ms. */
  closeTapeMs: number;
  /** OPENFORWRITE sent → GOODBYE reply (drive closed, data fsynced), ms. */
  goodbyeMs: number;
  peakRssKiB: number | null;
  /** Resident set of the session process after the handshake, before any data. */
  startRssKiB: number | null;
  /** CPU seconds the session process used in total. */
  serverCpuSec: number | null;
  /**
   * CPU seconds from OPENFORWRITE sent to the CLOSETAPE reply (the timed part, without
   * the fsync at GOODBYE): the session's main thread and its other threads (libuv's
   * pool, which does the file writes), user and system; and this client process.
   */
  timedCpu: TimedCpu | null;
  /** Minor page faults of the session process in the timed part. */
  timedFaults: number | null;
}

export interface TimedCpu {
  mainUser: number;
  mainSys: number;
  poolUser: number;
  poolSys: number;
  clientUser: number;
  clientSys: number;
}

export interface DdRun {
  bytes: number;
  ms: number;
}

/** Extra node options for the data path's afserver processes ($AF_BENCH_NODE_ARGS, e.g. --cpu-prof). */
function nodeArgs(): string[] {
  return (process.env.AF_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** The last few messages of a pino log file, on one line. */
function logTail(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(-4);
    return lines
      .map((l) => {
        try {
          const o = JSON.parse(l) as { msg?: string; err?: unknown; error?: unknown };
          return [o.msg, o.error, typeof o.err === 'object' ? (o.err as { message?: string })?.message : o.err].filter(Boolean).join(': ');
        } catch {
          return l;
        }
      })
      .join(' | ');
  } catch {
    return '(no log)';
  }
}

function statusOf(r: unknown, what: string): void {
  const st = (r as { status?: number }).status;
  if (st !== 0) throw new Error(`${what} answered status ${st}`);
}

/** One timed stream of `bytes` payload bytes through afserver with the given tape block size. */
export async function runOurs(blockSize: number, bytes: number): Promise<OursRun> {
  const dir = makeScratch(`data-${blockSize}`);
  const setup = writeServerSetup(dir, { blockSize, capacity: '8G', maxBytesPerFile: 8_000_000_000 });
  const launcher = await InetdLauncher.start([process.execPath, ...nodeArgs(), AFSERVER, setup.configPath]);
  let conn: Connection | undefined;
  let keepLog = true;
  try {
    conn = await Connection.connect({
      host: LOOPBACK,
      port: launcher.port,
      key: keyMaterialFromFile('des', setup.keyBytes),
      scheme: 'des',
      timeoutMs: 15_000,
    });
    const c = conn;
    const server = await launcher.child(0, 5000);
    const startRssKiB = procStatusKiB(server.pid!, 'VmRSS');
    statusOf(await c.call({ name: 'SETCOMMBUFSIZ', size: COMM_BUF }), 'SETCOMMBUFSIZ');
    if (c.commBufSize !== COMM_BUF) throw new Error(`comm buffer size is ${c.commBufSize} after SETCOMMBUFSIZ`);

    // One encoded W frame, written again and again: the client should cost as little as possible.
    const payload = Buffer.alloc(COMM_BUF);
    for (let i = 0; i < COMM_BUF; i++) payload[i] = (i * 131 + (i >> 8)) & 0xff;
    const frame = encodeRequest({ name: 'WRITETOTAPE', data: payload }, { commBufSize: COMM_BUF, authLength: 16 });
    const count = Math.floor(bytes / COMM_BUF);

    const srvCpu0 = threadCpu(server.pid!);
    const faults0 = minorFaults(server.pid!);
    const cliCpu0 = process.cpuUsage();
    const t0 = now();
    statusOf(await c.call({ name: 'OPENFORWRITE' }), 'OPENFORWRITE');
    const openMs = now() - t0;

    // The sender keeps at most WINDOW W requests unanswered; the receiver reads their
    // status bytes meanwhile and wakes the sender when the window opens again.
    const flow = { inFlight: 0, wake: null as (() => void) | null, failed: null as Error | null };
    const wakeSender = () => {
      const w = flow.wake;
      flow.wake = null;
      w?.();
    };
    const receiver = (async () => {
      try {
        for (let i = 0; i < count; i++) {
          statusOf(await c.replyTo('WRITETOTAPE'), `W number ${i + 1}`);
          flow.inFlight--;
          if (flow.inFlight < WINDOW) wakeSender();
        }
      } catch (e) {
        flow.failed = e as Error;
        wakeSender();
      }
    })();
    for (let sent = 0; sent < count && !flow.failed; sent++) {
      while (flow.inFlight >= WINDOW && !flow.failed) await new Promise<void>((resolve) => (flow.wake = resolve));
      if (flow.failed) break;
      c.stream.write(frame);
      flow.inFlight++;
    }
    await receiver;
    if (flow.failed) throw flow.failed;
    const tLast = now();
    statusOf(await c.call({ name: 'CLOSETAPE' }), 'CLOSETAPE');
    const closeMs = now() - t0;
    const closeTapeMs = now() - tLast;
    const cliCpu = process.cpuUsage(cliCpu0);
    const srvCpu1 = threadCpu(server.pid!);
    const faults1 = minorFaults(server.pid!);
    const timedFaults = faults0 !== null && faults1 !== null ? faults1 - faults0 : null;
    const timedCpu: TimedCpu | null =
      srvCpu0 && srvCpu1
        ? {
            mainUser: (srvCpu1.mainUser - srvCpu0.mainUser) / CLK_TCK,
            mainSys: (srvCpu1.mainSys - srvCpu0.mainSys) / CLK_TCK,
            poolUser: (srvCpu1.otherUser - srvCpu0.otherUser) / CLK_TCK,
            poolSys: (srvCpu1.otherSys - srvCpu0.otherSys) / CLK_TCK,
            clientUser: cliCpu.user / 1e6,
            clientSys: cliCpu.system / 1e6,
          }
        : null;

    const pid = server.pid!;
    const peakRssKiB = procStatusKiB(pid, 'VmHWM');
    statusOf(await c.call({ name: 'GOODBYE' }), 'GOODBYE');
    const goodbyeMs = now() - t0;
    const ticks = cpuTicks(pid);
    await c.close();
    await waitExit(server, 10_000);
    keepLog = false;
    return { bytes: count * COMM_BUF, closeMs, openMs, closeTapeMs, goodbyeMs, peakRssKiB, startRssKiB, serverCpuSec: ticks >= 0 ? ticks / CLK_TCK : null, timedCpu, timedFaults };
  } catch (e) {
    // The server's log says why; show its end with the error.
    if (keepLog) (e as Error).message += `\n    afserver log: ${logTail(setup.logFile)}`;
    throw e;
  } finally {
    await conn?.close().catch(() => undefined);
    for (const p of launcher.spawned) await stopProcess(p, 1000);
    await launcher.close();
    removeScratch(dir);
  }
}

/** `dd if=/dev/zero` into the scratch filesystem with the given block size; `fsync` adds conv=fsync. */
export async function runDd(blockSize: number, bytes: number, fsync: boolean): Promise<DdRun> {
  const dir = makeScratch('dd');
  const count = Math.floor(bytes / blockSize);
  const args = ['if=/dev/zero', `of=${path.join(dir, 'out')}`, `bs=${blockSize}`, `count=${count}`];
  if (fsync) args.push('conv=fsync');
  try {
    const t0 = now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const p = spawn('dd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.setEncoding('latin1').on('data', (d: string) => (err += d));
      p.once('error', reject);
      p.once('close', (c) => resolve({ code: c, stderr: err }));
    });
    const wall = now() - t0;
    if (code !== 0) throw new Error(`dd failed: ${stderr.trim()}`);
    // dd's own clock leaves out its process start; take it when it is there.
    const m = /copied, ([\d.]+) s/.exec(stderr);
    return { bytes: count * blockSize, ms: m ? Number(m[1]) * 1000 : wall };
  } finally {
    removeScratch(dir);
  }
}

/** Flushes dirty pages left by the previous run so that each run starts alike. */
export async function settleDisk(): Promise<void> {
  await withTimeout('sync', 60_000, () => new Promise<void>((resolve) => spawn('sync', [], { stdio: 'ignore' }).once('close', () => resolve())));
}

export interface DataPathResult {
  blockSize: number;
  bytes: number;
  runs: number;
  /** Medians over the runs, MB/s = 10^6 bytes per second. */
  oursMBps: number;
  ddMBps: number;
  oursFsyncMBps: number;
  ddFsyncMBps: number;
  /** Median time from the last W status to the CLOSETAPE reply, ms. */
  closeTapeMs: number;
  peakRssKiB: number | null;
  startRssKiB: number | null;
  serverCpuSecPerGiB: number | null;
  /** ours/dd of each run (each run's afserver figure against the dd run right after it). */
  runRatios: number[];
  /** ours+fsync / dd conv=fsync of each run. */
  runFsyncRatios: number[];
  /** Medians of the timed-part CPU seconds per GiB of payload (see OursRun.timedCpu). */
  timedCpuPerGiB: TimedCpu | null;
}

const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

const med = median;
const known = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

/**
 * Runs ours / dd / dd conv=fsync in turns `runs` times for one block size. The
 * payload shrinks when the scratch filesystem has less than three times it free.
 */
export async function dataPath(blockSize: number, wantBytes: number, runs: number, log: (s: string) => void): Promise<DataPathResult> {
  const free = freeBytes(scratchBase());
  let bytes = wantBytes;
  if (free < bytes * 3) {
    bytes = Math.max(COMM_BUF * 16, Math.floor(free / 3 / (1 << 20)) * (1 << 20));
    log(`  only ${(free / 2 ** 30).toFixed(1)} GiB free in ${scratchBase()}: ${(bytes / 2 ** 20).toFixed(0)} MiB per run instead`);
  }
  bytes = Math.floor(bytes / Math.max(COMM_BUF, blockSize)) * Math.max(COMM_BUF, blockSize);
  const ours: OursRun[] = [];
  const dd: DdRun[] = [];
  const ddSync: DdRun[] = [];
  for (let i = 0; i < runs; i++) {
    await settleDisk();
    const o = await withTimeout('afserver data path run', 120_000, () => runOurs(blockSize, bytes));
    ours.push(o);
    await settleDisk();
    const d = await withTimeout('dd run', 120_000, () => runDd(blockSize, bytes, false));
    dd.push(d);
    await settleDisk();
    const ds = await withTimeout('dd conv=fsync run', 120_000, () => runDd(blockSize, bytes, true));
    ddSync.push(ds);
    const tc = o.timedCpu;
    const cpuNote = tc
      ? `; CPU s during it: server main ${tc.mainUser.toFixed(2)}u+${tc.mainSys.toFixed(2)}s, pool ${tc.poolUser.toFixed(2)}u+${tc.poolSys.toFixed(2)}s, client ${tc.clientUser.toFixed(2)}u+${tc.clientSys.toFixed(2)}s`
      : '';
    const faultNote = o.timedFaults === null ? '' : `; server page faults ${o.timedFaults}`;
    log(
      `  ${blockSize / 1024} KiB run ${i + 1}/${runs}: afserver ${mbps(o.bytes, o.closeMs).toFixed(0)} MB/s ` +
        `(CLOSETAPE ${o.closeTapeMs.toFixed(0)} ms; ${mbps(o.bytes, o.goodbyeMs).toFixed(0)} with fsync), dd ${mbps(d.bytes, d.ms).toFixed(0)} MB/s ` +
        `(${mbps(ds.bytes, ds.ms).toFixed(0)} conv=fsync), ours/dd ${(mbps(o.bytes, o.closeMs) / mbps(d.bytes, d.ms)).toFixed(2)}${cpuNote}${faultNote}`,
    );
  }
  const rss = known(ours.map((o) => o.peakRssKiB));
  const cpu = known(ours.map((o) => o.serverCpuSec));
  return {
    blockSize,
    bytes,
    runs,
    oursMBps: med(ours.map((o) => mbps(o.bytes, o.closeMs))),
    ddMBps: med(dd.map((d) => mbps(d.bytes, d.ms))),
    oursFsyncMBps: med(ours.map((o) => mbps(o.bytes, o.goodbyeMs))),
    ddFsyncMBps: med(ddSync.map((d) => mbps(d.bytes, d.ms))),
    closeTapeMs: med(ours.map((o) => o.closeTapeMs)),
    peakRssKiB: rss.length ? Math.max(...rss) : null,
    startRssKiB: known(ours.map((o) => o.startRssKiB)).length ? med(known(ours.map((o) => o.startRssKiB))) : null,
    serverCpuSecPerGiB: cpu.length ? med(cpu) / (bytes / 2 ** 30) : null,
    runRatios: ours.map((o, i) => mbps(o.bytes, o.closeMs) / mbps(dd[i]!.bytes, dd[i]!.ms)),
    runFsyncRatios: ours.map((o, i) => mbps(o.bytes, o.goodbyeMs) / mbps(ddSync[i]!.bytes, ddSync[i]!.ms)),
    timedCpuPerGiB: perGiB(ours, bytes),
  };
}

/** Median of each timed CPU figure over the runs, per GiB of payload. */
function perGiB(ours: OursRun[], bytes: number): TimedCpu | null {
  const t = ours.map((o) => o.timedCpu).filter((x): x is TimedCpu => x !== null);
  if (t.length === 0) return null;
  const g = bytes / 2 ** 30;
  const m = (k: keyof TimedCpu) => med(t.map((x) => x[k])) / g;
  return {
    mainUser: m('mainUser'),
    mainSys: m('mainSys'),
    poolUser: m('poolUser'),
    poolSys: m('poolSys'),
    clientUser: m('clientUser'),
    clientSys: m('clientSys'),
  };
}
