/**
 * The single loader of the afnative addon (native/). Loaded lazily so that programs
 * that never touch a device or a lock start without it. The addon decides nothing:
 * every call returns a value or {errno, syscall}; this module turns the latter into
 * an ErrnoResult that callers map to AfError codes at the device edge.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import { AfError } from './errors.js';

export interface ErrnoResult {
  errno: number;
  syscall: string;
}

export interface NativeAddon {
  flock(fd: number, kind: 'sh' | 'ex', nonblocking: boolean): 0 | ErrnoResult;
  unlock(fd: number): 0 | ErrnoResult;
  /** Points fds 1 and 2 at /dev/null (they may be the client's socket). */
  nullStdio(): 0 | ErrnoResult;

  // --- tape devices (native/src/mtio.cc): st node calls, results uninterpreted ---
  /** open(2) with O_CLOEXEC; 'rw' = O_RDWR, nonblock adds O_NONBLOCK. */
  open(path: string, mode: 'r' | 'rw', nonblock: boolean): number | ErrnoResult;
  close(fd: number): 0 | ErrnoResult;
  /** One MTIOCTOP: op is a header name ("MTFSF"), a short name ("fsf") or a number. */
  mtop(fd: number, op: MtOpName | MtShortName | number, count: number): 0 | ErrnoResult;
  /** MTIOCTOP on the thread pool (rewind, spacing, erase, load can take minutes). */
  mtopAsync(fd: number, op: MtOpName | MtShortName | number, count: number): Promise<0 | ErrnoResult>;
  mtget(fd: number): MtGet | ErrnoResult;
  /** MTIOCPOS: the drive's logical block number. */
  mtpos(fd: number): number | ErrnoResult;
  /** One read(2)/write(2) of the whole Buffer (its own memory, no copy). */
  read(fd: number, buf: Buffer): number | ErrnoResult;
  write(fd: number, buf: Buffer): number | ErrnoResult;
  /** The same on the thread pool; the Buffer is referenced until the promise settles. */
  readAsync(fd: number, buf: Buffer): Promise<number | ErrnoResult>;
  writeAsync(fd: number, buf: Buffer): Promise<number | ErrnoResult>;
  /** Operation name → MTIOCTOP code, as compiled in. */
  mtOps: Record<string, number>;

  // --- SCSI generic pass-through (native/src/sgio.cc): one SG_IO ioctl, uninterpreted ---
  /**
   * Sends one CDB (6-16 bytes). dir 'in' fills `data` (its own memory) from the device,
   * 'out' sends it, 'none' moves no data (data may be null). timeoutMs <= 0 means none.
   * senseLen (default 32, max 252) sizes the sense buffer. An errno only when the request
   * could not be submitted; a failed command is a result with status 2 and sense bytes.
   */
  sgio(fd: number, cdb: Buffer, dir: SgDirection, data: Buffer | null, timeoutMs: number, senseLen?: number): SgResult | ErrnoResult;
  /** The same on the thread pool; `data` is referenced until the promise settles. */
  sgioAsync(fd: number, cdb: Buffer, dir: SgDirection, data: Buffer | null, timeoutMs: number, senseLen?: number): Promise<SgResult | ErrnoResult>;
  [name: string]: unknown;
}

export type SgDirection = 'none' | 'in' | 'out';

/** The output fields of struct sg_io_hdr after SG_IO. */
export interface SgResult {
  /** SCSI status: 0 GOOD, 2 CHECK CONDITION, 8 BUSY, 0x18 RESERVATION CONFLICT. */
  status: number;
  maskedStatus: number;
  /** Transport/HBA errors (DID_*); 0 = none. */
  hostStatus: number;
  /** Driver errors (DRIVER_*, low nibble; 8 = sense data follows); 0 = none. */
  driverStatus: number;
  /** Bytes of `data` not transferred. */
  resid: number;
  /** Sense bytes the device wrote (sb_len_wr). */
  senseLen: number;
  /** Those sense bytes (a new Buffer). */
  sense: Buffer;
  /** Milliseconds the command took. */
  duration: number;
  /** SG_INFO_* bits; bit 0 set = something abnormal (check status, hostStatus, driverStatus). */
  info: number;
}

/** The MTIOCTOP operations of <linux/mtio.h>. */
export type MtOpName =
  | 'MTRESET' | 'MTFSF' | 'MTBSF' | 'MTFSR' | 'MTBSR' | 'MTWEOF' | 'MTREW' | 'MTOFFL' | 'MTNOP'
  | 'MTRETEN' | 'MTBSFM' | 'MTFSFM' | 'MTEOM' | 'MTERASE' | 'MTRAS1' | 'MTRAS2' | 'MTRAS3'
  | 'MTSETBLK' | 'MTSETDENSITY' | 'MTSEEK' | 'MTTELL' | 'MTSETDRVBUFFER' | 'MTFSS' | 'MTBSS'
  | 'MTWSM' | 'MTLOCK' | 'MTUNLOCK' | 'MTLOAD' | 'MTUNLOAD' | 'MTCOMPRESSION' | 'MTSETPART'
  | 'MTMKPART' | 'MTWEOFI';

/** The same without "MT", in lower case, as mt(1) spells them: "fsf", "rew", "eom". */
export type MtShortName = MtOpName extends `MT${infer R}` ? Lowercase<R> : never;

/** A GMT_* status bit of mt_gstat, without the prefix. */
export type GmtFlag =
  | 'EOF' | 'BOT' | 'EOT' | 'SM' | 'EOD' | 'WR_PROT' | 'ONLINE' | 'D_6250' | 'D_1600' | 'D_800'
  | 'DR_OPEN' | 'IM_REP_EN' | 'CLN';

/** struct mtget, decoded. */
export interface MtGet {
  /** mt_type (st: MT_ISSCSI1 0x71 or MT_ISSCSI2 0x72). */
  type: number;
  /** mt_resid: st reports the current partition here. */
  resid: number;
  dsreg: number;
  /** Low 24 bits of mt_dsreg; 0 = variable-block mode. */
  blockSize: number;
  /** High 8 bits of mt_dsreg. */
  density: number;
  gstat: number;
  flags: GmtFlag[];
  erreg: number;
  /** -1 when unknown. */
  fileno: number;
  /** -1 when unknown. */
  blkno: number;
}

let cached: NativeAddon | undefined;

/** Directory of the repository (works from src/ under tsx and from dist/ after the build). */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..');
}

export function native(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = process.env.AF_NATIVE_ADDON ?? path.join(packageRoot(), 'native', 'build', 'Release', 'afnative.node');
  try {
    cached = require(file) as NativeAddon;
  } catch (e) {
    throw new AfError('NATIVE_MISSING', `cannot load "${file}" (run "npm run build:addon"): ${(e as Error).message}`);
  }
  return cached;
}

export function isErrno(r: unknown): r is ErrnoResult {
  return typeof r === 'object' && r !== null && typeof (r as ErrnoResult).errno === 'number';
}

const WOULD_BLOCK = new Set([os.constants.errno.EWOULDBLOCK, os.constants.errno.EAGAIN, os.constants.errno.EINTR]);

/**
 * flock() without waiting: 'locked' when taken, 'busy' when another open file
 * description holds a conflicting lock (or a signal interrupted the call), else
 * the {errno, syscall} of the real failure. Every lock of the system goes through here.
 */
export function tryFlock(fd: number, kind: 'sh' | 'ex'): 'locked' | 'busy' | ErrnoResult {
  const r = native().flock(fd, kind, true);
  if (r === 0) return 'locked';
  if (isErrno(r) && WOULD_BLOCK.has(r.errno)) return 'busy';
  return isErrno(r) ? r : { errno: 0, syscall: `flock returned ${String(r)}` };
}

/** A readable name for an errno value (EAGAIN, ENOENT, ...). */
export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(os.constants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}
