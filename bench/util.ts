/**
 * Shared pieces of the benchmarks: where the built server is, scratch directories,
 * a server configuration over a fresh virtual tape library, bookkeeping of every
 * process we start (so that each is ended even when a benchmark throws), small
 * statistics, and reading /proc.
 *
 * Nothing here decides pass or fail: the benchmarks only print figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** The repository root (bench/ lives directly below it). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built server, as `npm run build` leaves it. */
export const AFSERVER = path.join(REPO, 'dist', 'cli', 'afserver.js');
export const LOOPBACK = '127.0.0.1';
/** The greeting every afserver sends first: "afbackup 3.5.8\n\nAF's backup server ready.\n". */
export const BANNER_BYTES = 42;

export function now(): number {
  return performance.now();
}

// ------------------------------------------------------------------ scratch space

/** The directory the scratch directories go into: $AF_BENCH_DIR, else the system temp dir. */
export function scratchBase(): string {
  return process.env.AF_BENCH_DIR ? path.resolve(process.env.AF_BENCH_DIR) : os.tmpdir();
}

const scratchDirs = new Set<string>();

/** A new empty directory below scratchBase(); removed by removeScratch() or at exit. */
export function makeScratch(tag: string): string {
  const dir = fs.mkdtempSync(path.join(scratchBase(), `afbench-${tag}-`));
  scratchDirs.add(dir);
  return dir;
}

export function removeScratch(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  scratchDirs.delete(dir);
}

/** Free bytes for an unprivileged user on the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

// ------------------------------------------------------------ server configuration

export interface ServerSetup {
  dir: string;
  configPath: string;
  keyFile: string;
  /** The key file's bytes (give them to keyMaterialFromFile). */
  keyBytes: Buffer;
  libraryDir: string;
  logFile: string;
}

export interface SetupOptions {
  blockSize?: number;
  /** Virtual-Cartridge-Capacity as written in the file, e.g. "8G". */
  capacity?: string;
  maxBytesPerFile?: number;
}

/**
 * Writes, below `dir`, an afserver.conf over a virtual tape library that does not
 * exist yet (the server creates it at first use), a fresh random key file with
 * mode 0600, and the var and program directories. DES authentication.
 */
export function writeServerSetup(dir: string, o: SetupOptions = {}): ServerSetup {
  const s: ServerSetup = {
    dir,
    configPath: path.join(dir, 'afserver.conf'),
    keyFile: path.join(dir, 'cryptkey'),
    keyBytes: Buffer.alloc(0),
    libraryDir: path.join(dir, 'vtl'),
    logFile: path.join(dir, 'afserver.log'),
  };
  fs.mkdirSync(path.join(dir, 'var'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rexec'), { recursive: true });
  // 22 characters from a 64-letter alphabet: every one of the 132 key bits is random.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
  const key = Buffer.from(Array.from(crypto.randomBytes(22), (b) => alphabet[b & 63]).join(''), 'latin1');
  fs.writeFileSync(s.keyFile, key, { mode: 0o600 });
  fs.chmodSync(s.keyFile, 0o600); // the umask cannot have widened it, but be explicit
  s.keyBytes = key;
  const lines = [
    '# written by the afbackup-ng benchmarks; removed after the run',
    `Backup-Device:              vtl:${s.libraryDir}`,
    `Virtual-Cartridge-Capacity: ${o.capacity ?? '1G'}`,
    'Number Of Cartridges:       2',
    'Cartridge-Handler:          1',
    `Tape-Blocksize:             ${o.blockSize ?? 262144}`,
    `Max Bytes Per File:         ${o.maxBytesPerFile ?? 1_000_000_000}`,
    `Var-Directory:              ${path.join(dir, 'var')}`,
    'Tape-Pos-File:              %V/tapepos',
    'Lock-file:                  %V/server.lock',
    'Changer-Lockfile:           %V/changer.lock',
    `Logging-file:               ${s.logFile}`,
    `Encryption-Key-File:        ${s.keyFile}`,
    'Authentication-Scheme:      des',
    `Program-Directory:          ${path.join(dir, 'rexec')}`,
    'Device-Unavailable-Give-Up-After-Min: 1',
    'Cart-Insert-Gracetime:      0',
    `Mail-Program:               cat >> ${path.join(dir, 'operator-mail.txt')}`,
  ];
  fs.writeFileSync(s.configPath, lines.join('\n') + '\n');
  return s;
}

// ----------------------------------------------------------------------- processes

const started = new Set<ChildProcess>();

/**
 * Spawns a process in a process group of its own (detached), remembered until it
 * exits, so that stopProcess() and the exit handler can end it and whatever it
 * forked. Output is discarded unless `stdio` says otherwise.
 */
export function startProcess(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true, ...opts });
  started.add(child);
  child.once('exit', () => started.delete(child));
  child.once('error', () => started.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig); // the group we created for it
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited, or after `ms` (false then). */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(t);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM to the child's process group, SIGKILL after a grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  signalGroup(child, 'SIGTERM');
  if (!(await waitExit(child, graceMs))) {
    signalGroup(child, 'SIGKILL');
    await waitExit(child, 2000);
  }
  // The group may still hold session processes that outlived their parent.
  signalGroup(child, 'SIGKILL');
  started.delete(child);
}

/** Ends everything still running and removes the scratch directories (synchronous: used at exit). */
export function cleanupNow(): void {
  for (const c of started) signalGroup(c, 'SIGKILL');
  started.clear();
  for (const d of scratchDirs) fs.rmSync(d, { recursive: true, force: true });
  scratchDirs.clear();
}

let hooked = false;
/** Makes sure cleanupNow() runs however the process ends. */
export function installCleanupHandlers(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      cleanupNow();
      process.exit(130);
    });
  }
}

/** The direct children of a process, from /proc (empty when it is gone). */
export function childPids(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** User and system CPU time of a process in clock ticks, or null when it is gone. */
export function cpuTimes(pid: number): { user: number; system: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(rest[11]), system: Number(rest[12]) };
  } catch {
    return null;
  }
}

/**
 * CPU time of a process split by thread, in clock ticks: its main thread (the event
 * loop, where the JavaScript runs) and all other threads together (libuv's thread
 * pool doing file writes, V8's helpers). Null when the process is gone.
 */
export function threadCpu(pid: number): { mainUser: number; mainSys: number; otherUser: number; otherSys: number } | null {
  try {
    const out = { mainUser: 0, mainSys: 0, otherUser: 0, otherSys: 0 };
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      } catch {
        continue; // the thread ended meanwhile
      }
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const u = Number(rest[11]);
      const k = Number(rest[12]);
      if (Number(tid) === pid) {
        out.mainUser += u;
        out.mainSys += k;
      } else {
        out.otherUser += u;
        out.otherSys += k;
      }
    }
    return out;
  } catch {
    return null;
  }
}

/** Minor page faults of a process so far (each a fresh page of memory touched), or null. */
export function minorFaults(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return null;
  }
}

/** User + system CPU time of a process in clock ticks, or -1 when it is gone. */
export function cpuTicks(pid: number): number {
  const t = cpuTimes(pid);
  return t ? t.user + t.system : -1;
}

/** A field of /proc/<pid>/status in KiB (VmHWM = peak resident set), or null. */
export function procStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Waits (at most `maxMs`) until the processes `pids()` names number at least
 * `minCount` and none of them used CPU during a 50 ms window: whatever the last
 * connection started has finished starting (a pool is topped up and idle; a session
 * process has served its connection and only waits to exit). Returns false on timeout.
 */
export async function waitQuiet(pids: () => number[], minCount: number, maxMs: number): Promise<boolean> {
  const end = now() + maxMs;
  while (now() < end) {
    const list = pids();
    if (list.length < minCount) {
      await sleep(10);
      continue;
    }
    const before = list.map(cpuTicks);
    await sleep(50);
    const after = list.map(cpuTicks);
    // A process that exited in the window (-1) is quiet too.
    if (pids().length >= minCount && before.every((t, i) => after[i] === -1 || t === after[i])) return true;
  }
  return false;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

// ----------------------------------------------------------------------- statistics

/** The value at quantile q (0..1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const rank = Math.min(v.length, Math.max(1, Math.ceil(q * v.length)));
  return v[rank - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** A number for a table cell: fixed decimals, "n/a" for NaN or null. */
export function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/** Rounds for the JSON line (null for what could not be measured). */
export function num(x: number | null | undefined, digits = 2): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Left-aligned first column, right-aligned others; a rule under the header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Runs `fn`, giving up with an Error after `ms` (every wait in the benchmarks is bounded). */
export async function withTimeout<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

export function commandExists(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}
