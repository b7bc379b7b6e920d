/**
 * Benchmark 4, the client programs, each figure beside what an administrator would
 * otherwise run on the same data in the same minute:
 *
 *  bulk   one large incompressible file (AF_BENCH_CLIENT_MIB, default 2048 MiB):
 *         `afclient -c` to an afserver over loopback, and `afclient -x` back into an
 *         empty directory, against `tar -cf - FILE | dd of=ARCHIVE bs=1M` and
 *         `tar -xf ARCHIVE`.
 *  tree   a tree of small files (AF_BENCH_TREE_FILES, default 100000; 1–8 KiB each
 *         in about one directory per 100 files): a full backup, an incremental after
 *         touching 1 % of the files, and a full restore into an empty directory,
 *         against GNU `tar --listed-incremental` (full, then incremental) and
 *         `tar -xf`. It uses full_backup / incr_backup / afrestore when they are
 *         built; otherwise afclient -c -R, afclient -c -N and afclient -x -a (the
 *         table says which).
 *  gzip   builtin compression level 1 of a tree of text files
 *         (AF_BENCH_TEXT_MIB, default 256 MiB) into an archive file (`afclient -c
 *         -R -z '. 1' '' -f ARCHIVE`), against `tar -cf - TREE | gzip -1 >
 *         ARCHIVE`: MB/s of input, compression ratio, and CPU seconds per wall
 *         second (above 1.0 means more than one core was busy).
 *
 * Every command runs as a child process under bash, whose `times` builtin gives the
 * children's CPU time; the clock is the wall time from spawn to exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { InetdLauncher } from './inetd-launcher.js';
import { AFSERVER, REPO, LOOPBACK, commandExists, freeBytes, makeScratch, now, removeScratch, stopProcess, writeServerSetup } from './util.js';

const DIST = path.join(REPO, 'dist', 'cli');
const prog = (name: string): string => path.join(DIST, `${name}.js`);

export interface Timed {
  /** Wall seconds from spawn to exit. */
  seconds: number;
  /** User + system CPU seconds of the command and its children. */
  cpu: number;
}

export interface ClientRow {
  what: string;
  bytes: number;
  ours: Timed;
  /** The baseline command's figures, or null when it could not run. */
  theirs: Timed | null;
  oursLabel: string;
  theirsLabel: string;
  /** Output size / input size, for the compression rows. */
  oursRatio?: number;
  theirsRatio?: number;
}

export interface ClientBenchResult {
  rows: ClientRow[];
  notes: string[];
}

function parseTimes(stderr: string): number {
  // bash `times`: two lines "XmY.YYYs XmY.YYYs": the shell, then its children.
  const lines = stderr.trim().split('\n').slice(-2);
  const child = lines[1] ?? '';
  let total = 0;
  for (const m of child.matchAll(/(\d+)m([\d.]+)s/g)) total += Number(m[1]) * 60 + Number(m[2]);
  return total;
}

/** Runs a shell command line (bash -c), returns wall and CPU seconds; throws on failure. */
export function timed(command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn('bash', ['-c', `${command}\nrc=$?; times >&2; exit $rc`], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      if (err.length > 65536) err = err.slice(-32768);
    });
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = (now() - t0) / 1000;
      if (code !== 0) {
        reject(new Error(`"${command.slice(0, 120)}" exited with ${code}: ${err.trim().split('\n').slice(-4, -2).join(' / ')}`));
        return;
      }
      resolve({ seconds, cpu: parseTimes(err) });
    });
  });
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes `mib` MiB of random bytes (a random 64 MiB pattern repeated: no compressor finds the repeat). */
function makeBigFile(file: string, mib: number): void {
  const pattern = crypto.randomBytes(64 << 20);
  const fd = fs.openSync(file, 'w');
  try {
    let left = mib << 20;
    while (left > 0) {
      const n = Math.min(left, pattern.length);
      fs.writeSync(fd, pattern, 0, n);
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A tree of `files` small files (1–8 KiB) in directories of 100; returns the bytes written. */
function makeTree(root: string, files: number): number {
  const pool = crypto.randomBytes(1 << 20);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    const size = 1024 + ((i * 2654435761) % 7169);
    const off = (i * 4099) % (pool.length - size);
    fs.writeFileSync(path.join(dir, `f${i}.dat`), pool.subarray(off, off + size));
    bytes += size;
  }
  return bytes;
}

/** Text files (~64 KiB each) of plausible log-like lines; returns the bytes written. */
function makeTextTree(root: string, mib: number): number {
  const words = 'backup tape cartridge server client index restore verify level full incremental drive changer slot label block file error ok'.split(' ');
  let bytes = 0;
  let n = 0;
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  while (bytes < mib << 20) {
    const dir = path.join(root, `t${Math.floor(n / 50)}`);
    if (n % 50 === 0) fs.mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    let size = 0;
    while (size < 65536) {
      const w = Array.from({ length: 6 + (rnd() % 8) }, () => words[rnd() % words.length]);
      const line = `2026-11-25 ${String(rnd() % 24).padStart(2, '0')}:${String(rnd() % 60).padStart(2, '0')} job ${rnd() % 10000} ${w.join(' ')}\n`;
      lines.push(line);
      size += line.length;
    }
    fs.writeFileSync(path.join(dir, `log${n}.txt`), lines.join(''));
    bytes += size;
    n++;
  }
  return bytes;
}

function dirBytes(p: string): number {
  return fs.statSync(p).size;
}

function clientConf(dir: string, o: { port: number; key: string; tree: string; id: string }): string {
  const file = path.join(dir, 'afclient.conf');
  fs.mkdirSync(path.join(dir, 'cvar'), { recursive: true });
  fs.writeFileSync(
    file,
    [
      `BackupHosts: ${LOOPBACK}`,
      `BackupPorts: ${o.port}`,
      `EncryptionKeyFile: ${o.key}`,
      `ClientIdentifier: ${o.id}`,
      `VarDirectory: ${path.join(dir, 'cvar')}`,
      `IndexFilePart: ${path.join(dir, 'cvar', 'backup_log.')}`,
      `LockFile: ${path.join(dir, 'cvar', 'lock')}`,
      `LoggingFile: ${path.join(dir, 'cvar', 'backup.log')}`,
      `RootDirectory: /`,
      `DirsToBackup: ${o.tree}`,
      'NumIndexesToStore: 3',
      '',
    ].join('\n'),
  );
  return file;
}

/** Touches `fraction` of the regular files below root (spread evenly) with a fresh mtime. */
function touchSome(root: string, fraction: number): number {
  let seen = 0;
  let touched = 0;
  const step = Math.round(1 / fraction);
  const later = new Date(Date.now() + 5000);
  for (const d of fs.readdirSync(root).sort()) {
    for (const f of fs.readdirSync(path.join(root, d)).sort()) {
      if (seen++ % step === 0) {
        fs.utimesSync(path.join(root, d, f), later, later);
        touched++;
      }
    }
  }
  return touched;
}

export async function clientBench(log: (s: string) => void): Promise<ClientBenchResult> {
  const rows: ClientRow[] = [];
  const notes: string[] = [];
  const envInt = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
  const bulkMiB = envInt('AF_BENCH_CLIENT_MIB', 2048);
  const treeFiles = envInt('AF_BENCH_TREE_FILES', 100000);
  const textMiB = envInt('AF_BENCH_TEXT_MIB', 256);
  const tar = commandExists('tar');
  if (!tar) notes.push('tar is not installed: the baseline columns are empty');

  const work = makeScratch('client');
  const setup = writeServerSetup(path.join(work, 'srv'), { blockSize: 1048576, capacity: `${Math.ceil((bulkMiB * 3 + 2048) / 1024)}G`, maxBytesPerFile: 64e9 });
  const launcher = await InetdLauncher.start([process.execPath, AFSERVER, setup.configPath]);
  const A = `-h ${LOOPBACK} -p ${launcher.port} -k ${q(setup.keyFile)}`;
  const afclient = `${q(process.execPath)} ${q(prog('afclient'))}`;
  try {
    // ---------------------------------------------------------------- bulk
    if (freeBytes(work) < (bulkMiB << 20) * 4.2) {
      notes.push(`bulk: less than 4x ${bulkMiB} MiB free below ${work}; skipped`);
    } else {
      log(`  bulk: writing a ${bulkMiB} MiB incompressible file`);
      const data = path.join(work, 'bulk');
      fs.mkdirSync(data);
      const big = path.join(data, 'big.bin');
      makeBigFile(big, bulkMiB);
      const bytes = bulkMiB << 20;
      log('  bulk: afclient -c over loopback');
      const oursC = await timed(`${afclient} -c ${A} big.bin`, { cwd: data });
      log('  bulk: tar -cf - | dd');
      const archive = path.join(work, 'bulk.tar');
      const theirsC = tar ? await timed(`tar -cf - big.bin | dd of=${q(archive)} bs=1M status=none`, { cwd: data }) : null;
      rows.push({ what: `bulk backup ${bulkMiB} MiB`, bytes, ours: oursC, theirs: theirsC, oursLabel: 'afclient -c', theirsLabel: 'tar -cf - | dd' });
      fs.rmSync(big);
      const outA = path.join(work, 'bulk-ours');
      const outB = path.join(work, 'bulk-tar');
      fs.mkdirSync(outA);
      fs.mkdirSync(outB);
      log('  bulk: afclient -x over loopback');
      const oursX = await timed(`${afclient} -x -a ${A} -C 1 -F 1`, { cwd: outA });
      log('  bulk: tar -xf');
      const theirsX = tar ? await timed(`tar -xf ${q(archive)}`, { cwd: outB }) : null;
      const restored = path.join(outA, 'big.bin');
      if (!fs.existsSync(restored) || dirBytes(restored) !== bytes) notes.push('bulk: the restored file is missing or has the wrong size');
      rows.push({ what: `bulk restore ${bulkMiB} MiB`, bytes, ours: oursX, theirs: theirsX, oursLabel: 'afclient -x', theirsLabel: 'tar -xf' });
      for (const p of [outA, outB, archive, data]) fs.rmSync(p, { recursive: true, force: true });
    }

    // ---------------------------------------------------------------- tree
    log(`  tree: writing ${treeFiles} small files`);
    const tree = path.join(work, 'tree');
    const treeBytes = makeTree(tree, treeFiles);
    const programs = ['full_backup', 'incr_backup', 'afrestore'].every((p) => fs.existsSync(prog(p)));
    const conf = clientConf(work, { port: launcher.port, key: setup.keyFile, tree, id: 'benchclient' });
    const snap = path.join(work, 'tar.snar');
    const fullTar = path.join(work, 'full.tar');
    const incrTar = path.join(work, 'incr.tar');
    let oursFull: Timed;
    if (programs) {
      log('  tree: full_backup');
      oursFull = await timed(`${q(process.execPath)} ${q(prog('full_backup'))} -c ${q(conf)}`);
    } else {
      log('  tree: afclient -c -R (full_backup is not built)');
      oursFull = await timed(`${afclient} -c -R ${A} ${q(tree)}`);
    }
    const marker = path.join(work, 'marker');
    fs.writeFileSync(marker, '');
    const theirsFull = tar ? await timed(`tar --listed-incremental=${q(snap)} -cf ${q(fullTar)} ${q(tree)}`) : null;
    rows.push({ what: `tree full ${treeFiles} files`, bytes: treeBytes, ours: oursFull, theirs: theirsFull, oursLabel: programs ? 'full_backup' : 'afclient -c -R', theirsLabel: 'tar --listed-incremental' });

    const touched = touchSome(tree, 0.01);
    let oursIncr: Timed;
    if (programs) {
      log('  tree: incr_backup');
      oursIncr = await timed(`${q(process.execPath)} ${q(prog('incr_backup'))} -c ${q(conf)}`);
    } else {
      log('  tree: afclient -c -N (incr_backup is not built)');
      oursIncr = await timed(`find ${q(tree)} -newer ${q(marker)} | ${afclient} -c ${A}`);
    }
    const theirsIncr = tar ? await timed(`tar --listed-incremental=${q(snap)} -cf ${q(incrTar)} ${q(tree)}`) : null;
    rows.push({ what: `tree incremental (${touched} touched)`, bytes: treeBytes, ours: oursIncr, theirs: theirsIncr, oursLabel: programs ? 'incr_backup' : 'find -newer | afclient -c', theirsLabel: 'tar --listed-incremental' });

    const restA = path.join(work, 'rest-ours');
    const restB = path.join(work, 'rest-tar');
    fs.mkdirSync(restA);
    fs.mkdirSync(restB);
    let oursRest: Timed;
    if (programs) {
      log('  tree: afrestore -a');
      oursRest = await timed(`${q(process.execPath)} ${q(prog('afrestore'))} -c ${q(conf)} -a -C ${q(restA)}`);
    } else {
      log('  tree: afclient -x -a');
      oursRest = await timed(`${afclient} -x -a -r ${A} -C 1 -F 2`, { cwd: restA });
    }
    const theirsRest = tar ? await timed(`tar -xf ${q(fullTar)}`, { cwd: restB }) : null;
    rows.push({ what: `tree restore ${treeFiles} files`, bytes: treeBytes, ours: oursRest, theirs: theirsRest, oursLabel: programs ? 'afrestore -a' : 'afclient -x -a', theirsLabel: 'tar -xf' });
    if (!programs) notes.push('tree: full_backup/incr_backup/afrestore are not built; afclient stood in for them');
    for (const p of [tree, restA, restB, fullTar, incrTar, snap]) fs.rmSync(p, { recursive: true, force: true });

    // ---------------------------------------------------------------- gzip
    log(`  gzip: writing ${textMiB} MiB of text files`);
    const text = path.join(work, 'text');
    const textBytes = makeTextTree(text, textMiB);
    const oursZ = path.join(work, 'ours.af');
    const theirsZ = path.join(work, 'theirs.tar.gz');
    log("  gzip: afclient -c -R -z '. 1' -f");
    const oursComp = await timed(`${afclient} -c -R -z '. 1' '' -f ${q(oursZ)} text`, { cwd: work });
    log('  gzip: tar | gzip -1');
    const theirsComp = tar && commandExists('gzip') ? await timed(`tar -cf - text | gzip -1 > ${q(theirsZ)}`, { cwd: work }) : null;
    rows.push({
      what: `compress level 1, ${textMiB} MiB text`,
      bytes: textBytes,
      ours: oursComp,
      theirs: theirsComp,
      oursLabel: "afclient -z '. 1'",
      theirsLabel: 'tar | gzip -1',
      oursRatio: dirBytes(oursZ) / textBytes,
      ...(theirsComp ? { theirsRatio: dirBytes(theirsZ) / textBytes } : {}),
    });
  } finally {
    for (const c of launcher.spawned) await stopProcess(c, 500);
    await launcher.close();
    removeScratch(work);
  }
  return { rows, notes };
}
