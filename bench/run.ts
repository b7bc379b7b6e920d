/**
 * `npm run bench`: builds, then measures the afbackup-ng server and prints the
 * figures beside their baselines and targets, as tables and as one final JSON line
 * (starting with {"bench":"afbackup-ng") for scripts. It never fails on a figure:
 * the exit status is non-zero only when a benchmark could not run at all.
 *
 * Knobs (environment):
 *   AF_BENCH_MIB       payload per data-path run in MiB (default 1024)
 *   AF_BENCH_RUNS      data-path runs per block size (default 2; medians are shown)
 *   AF_BENCH_CONNECTS  connections per start mode (default 30)
 *   AF_BENCH_ONLY      "data", "native", "connect" or "client" to run one benchmark
 *   AF_BENCH_CLIENT_MIB, AF_BENCH_TREE_FILES, AF_BENCH_TEXT_MIB  sizes of the client
 *                      benchmark (default 2048 MiB, 100000 files, 256 MiB)
 *   AF_BENCH_DIR       where scratch directories go (default: the system temp dir)
 *   AF_BENCH_NODE_ARGS extra node options for the data path's afserver processes
 *                      (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 *
 * See bench/README.md for what each figure means.
 */
import fs from 'node:fs';
import os from 'node:os';
import { dataPath, COMM_BUF, WINDOW, type DataPathResult } from './data-path.js';
import { connectLatency, type ConnectLatencyResult, type LatencyStats } from './connect-latency.js';
import { nativePath, type NativePathResult } from './native-path.js';
import { clientBench, type ClientBenchResult, type ClientRow } from './client.js';
import { AFSERVER, fmt, freeBytes, installCleanupHandlers, now, num, scratchBase, sleep, table } from './util.js';

const TARGET_MBPS = 400;
const TARGET_DD_RATIO = 0.9;
const TARGET_LISTEN_MS = 20;
const TARGET_INETD_RATIO = 1.3;
/** Client bulk rows: at least this fraction of tar's MB/s, and never below TARGET_MBPS. */
const TARGET_CLIENT_BULK_RATIO = 0.8;
/** Client tree rows: no slower than tar (tar's seconds / ours >= 1). */
const TARGET_CLIENT_TREE_RATIO = 1.0;
/** Compression row: CPU seconds per wall second at least this (both cores busy). */
const TARGET_CLIENT_CPU_PER_WALL = 1.5;

function envInt(name: string, dflt: number, min: number, max: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} wants a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

/** Fraction of CPU time not idle over a short window, from /proc/stat (all CPUs). */
async function machineBusy(ms: number): Promise<number | null> {
  const read = (): [number, number] | null => {
    try {
      const f = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3]! + (f[4] ?? 0);
      return [idle, f.reduce((a, b) => a + b, 0)];
    } catch {
      return null;
    }
  };
  const a = read();
  await sleep(ms);
  const b = read();
  if (!a || !b || b[1] === a[1]) return null;
  return 1 - (b[0] - a[0]) / (b[1] - a[1]);
}

const log = (s: string) => process.stderr.write(s + '\n');
const yesNo = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'yes' : 'NO');

function dataTable(results: DataPathResult[]): string {
  const rows = results.map((r) => {
    const ratio = r.oursMBps / r.ddMBps;
    return [
      `${r.blockSize / 1024} KiB`,
      `${(r.bytes / 2 ** 20).toFixed(0)} MiB x${r.runs}`,
      fmt(r.oursMBps, 0),
      fmt(r.ddMBps, 0),
      fmt(ratio, 2),
      `${yesNo(r.oursMBps >= TARGET_MBPS)}/${yesNo(ratio >= TARGET_DD_RATIO)}`,
      fmt(r.closeTapeMs, 0),
      fmt(r.oursFsyncMBps, 0),
      fmt(r.ddFsyncMBps, 0),
      fmt(r.oursFsyncMBps / r.ddFsyncMBps, 2),
      `${r.startRssKiB === null ? 'n/a' : fmt(r.startRssKiB / 1024, 0)} / ${r.peakRssKiB === null ? 'n/a' : fmt(r.peakRssKiB / 1024, 0)}`,
      fmt(r.serverCpuSecPerGiB, 2),
    ];
  });
  return table(
    ['tape block', 'payload', 'ours MB/s', 'dd MB/s', 'ours/dd', '>=400 / >=0.9', 'CLOSETAPE ms', 'ours+fsync', 'dd fsync', 'ratio', 'RSS start/peak MiB', 'srv CPU s/GiB'],
    rows,
  );
}

function cpuTable(results: DataPathResult[]): string {
  const range = (xs: number[]) => (xs.length ? `${fmt(Math.min(...xs), 2)}-${fmt(Math.max(...xs), 2)}` : 'n/a');
  const rows = results.map((r) => {
    const c = r.timedCpuPerGiB;
    const us = (u?: number, k?: number) => (u === undefined || k === undefined ? 'n/a' : `${fmt(u, 2)} + ${fmt(k, 2)}`);
    return [
      `${r.blockSize / 1024} KiB`,
      r.runRatios.map((x) => fmt(x, 2)).join(' '),
      range(r.runRatios),
      range(r.runFsyncRatios),
      us(c?.mainUser, c?.mainSys),
      us(c?.poolUser, c?.poolSys),
      c ? fmt(c.mainUser + c.mainSys + c.poolUser + c.poolSys, 2) : 'n/a',
      us(c?.clientUser, c?.clientSys),
    ];
  });
  return table(['tape block', 'ours/dd per run', 'ours/dd range', '+fsync range', 'main user+sys', 'other threads', 'server total', 'client user+sys'], rows);
}

function latencyTable(c: ConnectLatencyResult): string {
  const rows = c.rows.map((r: LatencyStats) => [r.mode, r.what, fmt(r.median), fmt(r.p95), fmt(r.min), r.first === undefined ? '' : fmt(r.first), String(r.samples.length)]);
  for (const u of c.unavailable) rows.push([u.mode, u.what, 'n/a', 'n/a', 'n/a', '', `0 (${u.reason})`]);
  return table(['mode', 'what is timed', 'median ms', 'p95 ms', 'min ms', '1st ms', 'n'], rows);
}

interface JudgedRow {
  row: ClientRow;
  oursText: string;
  theirsText: string;
  /** Speed ratio, ours / theirs (NaN without a baseline). */
  ratio: number;
  target: string;
  met: boolean | null;
}

/** The figures, ratio and target verdict of one client row (its kind is told by its name). */
function judgeClientRow(row: ClientRow): JudgedRow {
  const mbps = (t: { seconds: number }) => row.bytes / t.seconds / 1e6;
  const theirs = row.theirs;
  if (row.what.startsWith('bulk')) {
    const ratio = theirs ? mbps(row.ours) / mbps(theirs) : NaN;
    return {
      row,
      oursText: `${fmt(mbps(row.ours), 0)} MB/s`,
      theirsText: theirs ? `${fmt(mbps(theirs), 0)} MB/s` : 'n/a',
      ratio,
      target: `>= ${TARGET_CLIENT_BULK_RATIO} and >= ${TARGET_MBPS} MB/s`,
      met: theirs ? ratio >= TARGET_CLIENT_BULK_RATIO && mbps(row.ours) >= TARGET_MBPS : null,
    };
  }
  if (row.what.startsWith('tree')) {
    const ratio = theirs ? theirs.seconds / row.ours.seconds : NaN;
    return {
      row,
      oursText: `${fmt(row.ours.seconds, 2)} s`,
      theirsText: theirs ? `${fmt(theirs.seconds, 2)} s` : 'n/a',
      ratio,
      target: `>= ${TARGET_CLIENT_TREE_RATIO} (no slower)`,
      met: theirs ? ratio >= TARGET_CLIENT_TREE_RATIO : null,
    };
  }
  // Compression: MB/s of input for information; the target is using both cores.
  const cpuPerWall = row.ours.cpu / row.ours.seconds;
  return {
    row,
    oursText: `${fmt(mbps(row.ours), 0)} MB/s`,
    theirsText: theirs ? `${fmt(mbps(theirs), 0)} MB/s` : 'n/a',
    ratio: theirs ? mbps(row.ours) / mbps(theirs) : NaN,
    target: `CPU/wall >= ${TARGET_CLIENT_CPU_PER_WALL}`,
    met: cpuPerWall >= TARGET_CLIENT_CPU_PER_WALL,
  };
}

async function main(): Promise<number> {
  installCleanupHandlers();
  if (!fs.existsSync(AFSERVER)) {
    log(`bench: ${AFSERVER} is missing; run "npm run build" first (npm run bench does)`);
    return 1;
  }
  const mib = envInt('AF_BENCH_MIB', 1024, 16, 65536);
  const runs = envInt('AF_BENCH_RUNS', 2, 1, 20);
  const connects = envInt('AF_BENCH_CONNECTS', 30, 3, 1000);
  const only = process.env.AF_BENCH_ONLY ?? '';
  if (only && only !== 'data' && only !== 'connect' && only !== 'native' && only !== 'client') {
    throw new Error(`AF_BENCH_ONLY is "data", "native", "connect" or "client", not "${only}"`);
  }

  const started = now();
  const busy = await machineBusy(500);
  const cpus = os.cpus().length;
  const header = [
    `afbackup-ng benchmarks  node ${process.version}  ${cpus} CPU  ${os.cpus()[0]?.model.trim() ?? ''}`,
    `scratch ${scratchBase()} (${(freeBytes(scratchBase()) / 2 ** 30).toFixed(1)} GiB free)  CPU busy before start: ${busy === null ? 'n/a' : (busy * 100).toFixed(0) + '%'}`,
  ];
  if (busy !== null && busy > 0.25) header.push('WARNING: other work is using the CPUs; the figures below will be noisy and pessimistic.');
  log(header.join('\n'));

  const json: Record<string, unknown> = { bench: 'afbackup-ng', node: process.version, cpus, cpuBusyBefore: num(busy, 2) };
  const errors: string[] = [];

  const data: DataPathResult[] = [];
  if (!only || only === 'data') {
    log(`\n[1/2] data path: ${mib} MiB per run, ${runs} run(s) per block size, W requests of ${COMM_BUF} B, up to ${WINDOW} in flight`);
    for (const bs of [256 * 1024, 1024 * 1024]) {
      try {
        data.push(await dataPath(bs, mib * 2 ** 20, runs, log));
      } catch (e) {
        errors.push(`data path ${bs / 1024} KiB: ${(e as Error).message}`);
        log(`  FAILED: ${(e as Error).message}`);
      }
    }
  }

  const native: NativePathResult[] = [];
  if (!only || only === 'native') {
    log(`\n[native] st drive under the emulator: ${mib} MiB per block size`);
    for (const bs of [256 * 1024, 1024 * 1024]) {
      try {
        native.push(await nativePath(bs, mib * 2 ** 20));
      } catch (e) {
        errors.push(`native path ${bs / 1024} KiB: ${(e as Error).message}`);
        log(`  FAILED: ${(e as Error).message}`);
      }
    }
  }

  let conn: ConnectLatencyResult | null = null;
  if (!only || only === 'connect') {
    log(`\n[2/2] connect-to-banner latency: ${connects} connections per mode`);
    try {
      conn = await connectLatency(connects, log);
    } catch (e) {
      errors.push(`connect latency: ${(e as Error).message}`);
      log(`  FAILED: ${(e as Error).message}`);
    }
  }

  let client: ClientBenchResult | null = null;
  if (!only || only === 'client') {
    log('\n[client] afclient and the backup programs against tar on the same data');
    try {
      client = await clientBench(log);
    } catch (e) {
      errors.push(`client: ${(e as Error).message}`);
      log(`  FAILED: ${(e as Error).message}`);
    }
  }

  // ---- report (stdout)
  const out: string[] = ['', ...header, ''];
  if (data.length) {
    out.push('Data path: OPENFORWRITE sent -> CLOSETAPE reply, loopback, virtual drive; MB/s = 10^6 B/s, medians of the runs');
    out.push('(dd: if=/dev/zero, same block size, same filesystem, no sync flags. "+fsync": to the GOODBYE reply, after the');
    out.push(' drive was closed and its files fsynced, against dd conv=fsync.)');
    out.push(dataTable(data), '');
    out.push('Per run (each afserver run against the dd runs right after it) and where the CPU went during the timed part,');
    out.push('in CPU seconds per GiB of payload (medians): the session\'s main thread (JavaScript, socket reads, and the file');
    out.push('writes when they are made there), its other threads (libuv\'s pool, V8 helpers), and this client process.');
    out.push(cpuTable(data), '');
    json.dataPath = data.map((r) => ({
      blockSize: r.blockSize,
      bytes: r.bytes,
      runs: r.runs,
      oursMBps: num(r.oursMBps, 1),
      ddMBps: num(r.ddMBps, 1),
      ratio: num(r.oursMBps / r.ddMBps, 3),
      closeTapeMs: num(r.closeTapeMs, 0),
      oursFsyncMBps: num(r.oursFsyncMBps, 1),
      ddFsyncMBps: num(r.ddFsyncMBps, 1),
      fsyncRatio: num(r.oursFsyncMBps / r.ddFsyncMBps, 3),
      peakRssKiB: r.peakRssKiB,
      startRssKiB: r.startRssKiB,
      serverCpuSecPerGiB: num(r.serverCpuSecPerGiB, 3),
      runRatios: r.runRatios.map((x) => num(x, 3)),
      runFsyncRatios: r.runFsyncRatios.map((x) => num(x, 3)),
      timedCpuSecPerGiB: r.timedCpuPerGiB && Object.fromEntries(Object.entries(r.timedCpuPerGiB).map(([k, v]) => [k, num(v, 3)])),
      targetMBps: TARGET_MBPS,
      targetRatio: TARGET_DD_RATIO,
      meetsTargets: r.oursMBps >= TARGET_MBPS && r.oursMBps / r.ddMBps >= TARGET_DD_RATIO,
    }));
  }
  if (native.length) {
    out.push('Native data path: NativeDrive -> /dev/nst0 emulated on a file (LD_PRELOAD libafstemu.so), against dd to a file');
    out.push(
      table(
        ['tape block', 'payload', 'blocks/s', 'ours MB/s', 'dd MB/s', 'ours/dd'],
        native.map((r) => [`${r.blockSize / 1024} KiB`, `${(r.bytes / 2 ** 20).toFixed(0)} MiB`, fmt(r.oursBlocksPerSec, 0), fmt(r.oursMBps, 0), fmt(r.ddMBps, 0), fmt(r.oursMBps / r.ddMBps, 2)]),
      ),
      '',
    );
    json.nativePath = native.map((r) => ({ blockSize: r.blockSize, bytes: r.bytes, blocksPerSec: num(r.oursBlocksPerSec, 0), oursMBps: num(r.oursMBps, 1), ddMBps: num(r.ddMBps, 1), ratio: num(r.oursMBps / r.ddMBps, 3) }));
  }
  if (conn) {
    const by = (m: string) => conn!.rows.find((r) => r.mode === m);
    out.push('Connect-to-banner latency: connect() start -> 42-byte banner received (spawn -> exit for node-e and afserver-V)');
    out.push(latencyTable(conn));
    const ratio = (a?: LatencyStats, b?: LatencyStats) => (a && b ? a.median / b.median : NaN);
    const inetdBare = ratio(by('inetd'), by('bare-inetd'));
    const sdInetdBare = ratio(by('sd-inetd'), by('bare-inetd'));
    const inetdNode = ratio(by('inetd'), by('node-e'));
    const listenMs = by('listen')?.median ?? NaN;
    const sdMs = by('sd-accept-no')?.median ?? NaN;
    const check = (x: number, ok: (v: number) => boolean) => (Number.isFinite(x) ? yesNo(ok(x)) : 'n/a');
    out.push('');
    out.push(
      table(
        ['figure', 'value', 'target', 'met'],
        [
          ['listen median', `${fmt(listenMs)} ms`, `< ${TARGET_LISTEN_MS} ms`, check(listenMs, (v) => v < TARGET_LISTEN_MS)],
          ['socket activation (Accept=no) median', `${fmt(sdMs)} ms`, `< ${TARGET_LISTEN_MS} ms`, check(sdMs, (v) => v < TARGET_LISTEN_MS)],
          ['inetd / bare-inetd (medians)', `${fmt(inetdBare, 2)}x`, `<= ${TARGET_INETD_RATIO}x`, check(inetdBare, (v) => v <= TARGET_INETD_RATIO)],
          ['sd-inetd / bare-inetd (medians)', `${fmt(sdInetdBare, 2)}x`, `<= ${TARGET_INETD_RATIO}x`, check(sdInetdBare, (v) => v <= TARGET_INETD_RATIO)],
          ['inetd / node-e (medians)', `${fmt(inetdNode, 2)}x`, '(for reference)', ''],
        ],
      ),
    );
    out.push('');
    json.connect = Object.fromEntries(
      conn.rows.map((r) => [r.mode, { median: num(r.median), p95: num(r.p95), min: num(r.min), first: num(r.first), n: r.samples.length }]),
    );
    for (const u of conn.unavailable) (json.connect as Record<string, unknown>)[u.mode] = null;
    json.connectRatios = { inetdOverBare: num(inetdBare, 3), sdInetdOverBare: num(sdInetdBare, 3), inetdOverNodeE: num(inetdNode, 3) };
    json.connectTargets = {
      listenMedianMs: TARGET_LISTEN_MS,
      inetdOverBare: TARGET_INETD_RATIO,
      listenMet: Number.isFinite(listenMs) ? listenMs < TARGET_LISTEN_MS : null,
      socketActivationMet: Number.isFinite(sdMs) ? sdMs < TARGET_LISTEN_MS : null,
      inetdMet: Number.isFinite(inetdBare) ? inetdBare <= TARGET_INETD_RATIO : null,
    };
  }
  if (client) {
    out.push('Client programs against tar on the same data, in the same minute (MB/s = 10^6 B/s of the payload; tree rows in seconds).');
    out.push('"ours/theirs" is the speed ratio: above 1 means ours was faster. CPU/wall: user+system CPU seconds of the command and');
    out.push('its children per wall second (above 1.0: more than one core busy).');
    const judged = client.rows.map(judgeClientRow);
    out.push(
      table(
        ['what', 'ours (command)', 'theirs (command)', 'ours', 'theirs', 'ours/theirs', 'target', 'met', 'CPU/wall ours', 'CPU/wall theirs', 'size ratio ours/theirs'],
        judged.map((j) => [
          j.row.what,
          j.row.oursLabel,
          j.row.theirsLabel,
          j.oursText,
          j.theirsText,
          fmt(j.ratio, 2),
          j.target,
          yesNo(j.met),
          fmt(j.row.ours.cpu / j.row.ours.seconds, 2),
          j.row.theirs ? fmt(j.row.theirs.cpu / j.row.theirs.seconds, 2) : 'n/a',
          j.row.oursRatio !== undefined ? `${fmt(j.row.oursRatio, 3)} / ${j.row.theirsRatio === undefined ? 'n/a' : fmt(j.row.theirsRatio, 3)}` : '',
        ]),
      ),
    );
    for (const n of client.notes) out.push(`note: ${n}`);
    out.push('');
    json.client = judged.map((j) => ({
      what: j.row.what,
      ours: j.row.oursLabel,
      theirs: j.row.theirsLabel,
      bytes: j.row.bytes,
      oursSeconds: num(j.row.ours.seconds, 3),
      oursCpu: num(j.row.ours.cpu, 3),
      theirsSeconds: j.row.theirs ? num(j.row.theirs.seconds, 3) : null,
      theirsCpu: j.row.theirs ? num(j.row.theirs.cpu, 3) : null,
      ratio: num(j.ratio, 3),
      target: j.target,
      met: j.met,
      ...(j.row.oursRatio !== undefined ? { oursSizeRatio: num(j.row.oursRatio, 4), theirsSizeRatio: num(j.row.theirsRatio ?? null, 4) } : {}),
    }));
    if (client.notes.length) json.clientNotes = client.notes;
  }
  if (errors.length) {
    out.push('Benchmarks that could not run:', ...errors.map((e) => `  ${e}`), '');
    json.errors = errors;
  }
  const total = (now() - started) / 1000;
  out.push(`total ${total.toFixed(0)} s (without the build)`);
  json.seconds = num(total, 1);
  process.stdout.write(out.join('\n') + '\n' + JSON.stringify(json) + '\n');
  return errors.length && !data.length && !conn && !native.length && !client ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`bench: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
