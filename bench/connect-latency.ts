/**
 * Benchmark 2, connect-to-banner latency: the time from the start of a TCP
 * connect() to 127.0.0.1 until the 42-byte afbackup banner has arrived, for each
 * way afserver can be started, next to two baselines for what a bare Node start
 * costs on this machine.
 *
 *   listen       afserver --listen 127.0.0.1:PORT --pool 2 (forked session processes kept ready)
 *   sd-accept-no systemd-socket-activate -l ... afserver --listen-fd   (Accept=no, same pool)
 *   sd-inetd     systemd-socket-activate -l ... -a --inetd afserver    (Accept=yes: a process per connection)
 *   inetd        our own inetd (bench/inetd-launcher.ts) starting `node afserver.js CONF` per connection
 *   node-e       spawn of `node -e ''` until it exits (no socket at all)
 *   bare-inetd   our inetd starting a bare Node program that writes 42 bytes to fd 0 and exits
 *   afserver-V   spawn of `node afserver.js --version` until it exits (bare start + loading afserver's modules)
 *
 * Between two connections we wait until what the previous one set going has
 * finished starting (the per-connection process has served and only waits to exit;
 * in the pool modes the pool is topped up and idle), so each sample measures one
 * start on a quiet server, not a queue.
 * After the banner the client closes; the session sees end of input during the
 * handshake and exits.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { InetdLauncher } from './inetd-launcher.js';
import {
  AFSERVER,
  BANNER_BYTES,
  LOOPBACK,
  commandExists,
  freePort,
  makeScratch,
  median,
  now,
  quantile,
  removeScratch,
  sleep,
  startProcess,
  stopProcess,
  childPids,
  waitExit,
  waitQuiet,
  writeServerSetup,
} from './util.js';

export interface LatencyStats {
  mode: string;
  what: string;
  samples: number[];
  median: number;
  p95: number;
  min: number;
  /** The first connection after starting the service, when it is a cold start worth showing. */
  first?: number;
  note?: string;
}

const EXPECTED_BANNER = Buffer.from("afbackup 3.5.8\n\nAF's backup server ready.\n", 'latin1');

/**
 * Connects and waits for the banner; resolves with the milliseconds from before
 * connect() to the 42nd byte. Rejects on refusal, early close, a wrong banner or timeout.
 */
export function connectToBanner(port: number, timeoutMs = 10_000, expect: Buffer | null = EXPECTED_BANNER): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const sock = net.connect({ host: LOOPBACK, port });
    const parts: Buffer[] = [];
    let got = 0;
    let done = false;
    const finish = (err: Error | null, ms?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(ms!);
    };
    const timer = setTimeout(() => finish(new Error(`no banner within ${timeoutMs} ms`)), timeoutMs);
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got < BANNER_BYTES) return;
      const ms = now() - t0;
      const banner = Buffer.concat(parts).subarray(0, BANNER_BYTES);
      if (expect && !banner.equals(expect)) finish(new Error(`unexpected greeting ${JSON.stringify(banner.toString('latin1'))}`));
      else finish(null, ms);
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`connection closed after ${got} bytes`)));
  });
}

/** Connects until a banner comes (the service may still be starting); returns that first latency. */
async function firstBanner(port: number, maxMs: number): Promise<number> {
  const end = now() + maxMs;
  let last: unknown;
  while (now() < end) {
    try {
      return await connectToBanner(port, Math.max(1000, end - now()));
    } catch (e) {
      last = e;
      await sleep(25);
    }
  }
  throw new Error(`the service on port ${port} never greeted: ${(last as Error)?.message ?? 'timeout'}`);
}

function stats(mode: string, what: string, samples: number[], extra: Partial<LatencyStats> = {}): LatencyStats {
  return { mode, what, samples, median: median(samples), p95: quantile(samples, 0.95), min: Math.min(...samples), ...extra };
}

/** `count` samples, with `between()` run after each to let the machine settle. */
async function sample(count: number, port: number, between: () => Promise<unknown>, expect?: Buffer | null): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await connectToBanner(port, 10_000, expect));
    await between();
  }
  return out;
}

/** Mode listen / sd-accept-no: a listener with a pool of 2 started by `argv`; its pid is the listener's. */
async function pooled(mode: string, what: string, argv: string[], port: number, count: number, showFirst: boolean): Promise<LatencyStats> {
  const listener = startProcess(argv[0]!, argv.slice(1));
  try {
    const pid = listener.pid!;
    const first = await firstBanner(port, 15_000);
    const settle = () => waitQuiet(() => childPids(pid), 2, 5000);
    await settle();
    const samples = await sample(count, port, settle);
    return stats(mode, what, samples, showFirst ? { first } : {});
  } finally {
    await stopProcess(listener);
  }
}

/** The bare program of the bare-inetd baseline: writes the banner to the socket on fd 0 and ends. */
function writeBareProgram(dir: string): string {
  const file = path.join(dir, 'bare-banner.mjs');
  fs.writeFileSync(
    file,
    [
      "import net from 'node:net';",
      "const s = new net.Socket({ fd: 0, readable: true, writable: true });",
      "s.on('error', () => process.exit(0));",
      `s.end(Buffer.from(${JSON.stringify(EXPECTED_BANNER.toString('latin1'))}, 'latin1'));`,
      "s.resume();",
      '',
    ].join('\n'),
  );
  return file;
}

/** Samples through our inetd; after each connection waits for its process to exit. */
async function viaInetd(mode: string, what: string, argv: [string, ...string[]], count: number): Promise<LatencyStats> {
  const launcher = await InetdLauncher.start(argv);
  try {
    let n = 0;
    const samples = await sample(count + 1, launcher.port, async () => {
      const child = await launcher.child(n++, 5000);
      if (child.pid !== undefined) await waitQuiet(() => [child.pid!], 1, 5000);
    });
    // The first start pays for cold file caches; keep it out of the figures.
    return stats(mode, what, samples.slice(1), { first: samples[0] });
  } finally {
    for (const c of launcher.spawned) await stopProcess(c, 500);
    await launcher.close();
  }
}

/** Spawn-to-exit of `argv`, `count` times after one warm-up. */
async function spawnToExit(mode: string, what: string, argv: [string, ...string[]], count: number): Promise<LatencyStats> {
  const samples: number[] = [];
  for (let i = 0; i <= count; i++) {
    const t0 = now();
    const child: ChildProcess = startProcess(argv[0], argv.slice(1));
    if (!(await waitExit(child, 10_000))) {
      await stopProcess(child, 100);
      throw new Error(`${argv.join(' ')} did not exit within 10 s`);
    }
    if (i > 0) samples.push(now() - t0);
  }
  return stats(mode, what, samples);
}

export interface ConnectLatencyResult {
  rows: LatencyStats[];
  unavailable: { mode: string; what: string; reason: string }[];
}

export async function connectLatency(count: number, log: (s: string) => void): Promise<ConnectLatencyResult> {
  const dir = makeScratch('connect');
  const setup = writeServerSetup(dir);
  const node = process.execPath;
  const rows: LatencyStats[] = [];
  const unavailable: ConnectLatencyResult['unavailable'] = [];
  const ssa = commandExists('systemd-socket-activate');
  const run = async (label: string, f: () => Promise<LatencyStats>) => {
    const t0 = now();
    const r = await f();
    rows.push(r);
    log(`  ${label}: median ${r.median.toFixed(1)} ms (${((now() - t0) / 1000).toFixed(1)} s)`);
  };
  try {
    await run('node -e', () => spawnToExit('node-e', "spawn `node -e ''` → exit", [node, '-e', ''], count));
    await run('bare inetd', () =>
      viaInetd('bare-inetd', 'our inetd → bare Node writes 42 B', [node, writeBareProgram(dir)], count),
    );
    await run('afserver --version', () =>
      spawnToExit('afserver-V', 'spawn `afserver --version` → exit', [node, AFSERVER, '--version'], count),
    );
    await run('inetd', () => viaInetd('inetd', 'our inetd → afserver CONF', [node, AFSERVER, setup.configPath], count));
    if (ssa) {
      await run('systemd Accept=yes --inetd', async () => {
        const port = await freePort();
        const sa = startProcess(ssa, ['-l', `${LOOPBACK}:${port}`, '-a', '--inetd', node, AFSERVER, setup.configPath]);
        try {
          const pid = sa.pid!;
          const idle = () => waitQuiet(() => childPids(pid), 0, 5000);
          const first = await firstBanner(port, 15_000);
          await idle();
          return stats('sd-inetd', 'socket-activate -a --inetd afserver', await sample(count, port, idle), { first });
        } finally {
          await stopProcess(sa);
        }
      });
    } else unavailable.push({ mode: 'sd-inetd', what: 'socket-activate -a --inetd afserver', reason: 'systemd-socket-activate not found' });
    {
      const port = await freePort();
      await run('listen (pool 2)', () =>
        pooled('listen', '--listen --pool 2', [node, AFSERVER, '--listen', `${LOOPBACK}:${port}`, '--pool', '2', setup.configPath], port, count, false),
      );
    }
    if (ssa) {
      const port = await freePort();
      await run('systemd Accept=no', () =>
        pooled('sd-accept-no', 'socket-activate afserver --listen-fd', [ssa, '-l', `${LOOPBACK}:${port}`, node, AFSERVER, '--listen-fd', setup.configPath], port, count, true),
      );
    } else unavailable.push({ mode: 'sd-accept-no', what: 'socket-activate afserver --listen-fd', reason: 'systemd-socket-activate not found' });
  } finally {
    removeScratch(dir);
  }
  return { rows, unavailable };
}
