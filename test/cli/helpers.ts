/**
 * Test plumbing for the server-side CLIs: a throw-away "site" (a temporary root
 * with an afserver.conf, a var directory and a directory or vtl: device, and its
 * own installation prefix so that the cartridge-ready flag is private to it), and
 * runners that start a program as a child process, with stdin a pipe or, through
 * util-linux script(1), a terminal that answers the program's questions.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Program = 'cartis' | 'cartready' | 'label_tape' | 'cart_ctl';

export interface Site {
  root: string;
  conf: string;
  varDir: string;
  /** Backup-Device as written in the configuration. */
  device: string;
  lockFile: string;
  /** The cartridge-ready flag of this site's installation prefix. */
  flag: string;
  env: NodeJS.ProcessEnv;
  /** A file of the var directory. */
  state(name: string): string;
  /** Its text, or null when it does not exist. */
  read(name: string): string | null;
  write(name: string, text: string): void;
  remove(): void;
}

export interface SiteOptions {
  /** 'dir': Backup-Device is <root>/tape/vol (created); 'vtl': vtl:lib under the var directory. */
  kind?: 'dir' | 'vtl';
  blockSize?: number;
  cartridges?: number;
  /** Extra configuration lines. */
  extra?: string;
  /** Do not create the directory device. */
  noDeviceDir?: boolean;
}

export function makeSite(opts: SiteOptions = {}): Site {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'af-cli-'));
  const varDir = path.join(root, 'var');
  fs.mkdirSync(varDir);
  const kind = opts.kind ?? 'dir';
  const device = kind === 'dir' ? path.join(root, 'tape', 'vol') : 'vtl:lib';
  if (kind === 'dir') fs.mkdirSync(opts.noDeviceDir ? path.dirname(device) : device, { recursive: true });
  const lockFile = path.join(varDir, 'server.lock');
  const conf = path.join(root, 'server.conf');
  // Shaped like /work/shared/vectors/config/server.conf, moved under the temporary root.
  const lines = [
    `Backup-Device:\t\t${device}`,
    `Tape-Blocksize:\t\t${opts.blockSize ?? 1024}`,
    'Cartridge-Handler:\t1',
    `Number Of Cartridges:\t${opts.cartridges ?? 10}`,
    'Max Bytes Per File:\t1048576',
    'Full Append Mode:\t1',
    'Cart-Insert-Gracetime:\t0',
    'SetFile-Command:\texit 0',
    'SkipFiles-Command:\texit 0',
    'Change-Cart-Command:\texit 0',
    'User To Inform:\t\troot',
    `Var-Directory:\t\t${varDir}`,
    'Tape-Pos-File:\t\t%V/tapepos',
    'Status-file:\t\t%V/status',
    'Lock-file:\t\t%V/server.lock',
    'Changer-Lockfile:\t%V/changer.lock',
    'Virtual-Cartridge-Capacity:\t4M',
    opts.extra ?? '',
  ];
  fs.writeFileSync(conf, lines.join('\n') + '\n');
  const prefix = path.join(root, 'prefix');
  const flag = `/tmp/afbu_cartready.${prefix.replace(/\//g, '^')}`;
  const state = (name: string) => path.join(varDir, name);
  return {
    root,
    conf,
    varDir,
    device,
    lockFile,
    flag,
    env: { AF_INSTALL_PREFIX: prefix },
    state,
    read: (name) => (fs.existsSync(state(name)) ? fs.readFileSync(state(name), 'latin1') : null),
    write: (name, text) => fs.writeFileSync(state(name), text, 'latin1'),
    remove: () => {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(flag, { force: true });
    },
  };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes. */
  raw: Buffer;
}

function programPath(prog: Program): string {
  return path.join(repoRoot, 'src', 'cli', `${prog}.ts`);
}

/** Runs a program with stdin a pipe (never a terminal) fed with `input`. */
export function run(prog: Program, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', programPath(prog), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const raw = Buffer.concat(out);
      resolve({ status, stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
  });
}

/** True when util-linux script(1) is there to give a child a terminal. */
export const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a program on a pseudo-terminal (script -qec) and answers its questions in
 * order: each time a new "[y/N]" prompt shows, the next answer is typed (an
 * answer given as a function is called then, to act before answering). The
 * terminal's output (prompts, echo, messages) comes back as `stdout`.
 */
export function runOnTerminal(prog: Program, args: string[], answers: (string | (() => string))[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<RunResult & { prompts: number }> {
  const env = { ...process.env, ...opts.env };
  const envPart = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${shellQuote(String(v))}`)
    .join(' ');
  const cmd = `env ${envPart} ${shellQuote(process.execPath)} --import tsx ${[programPath(prog), ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = '';
  let prompts = 0;
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => {
    seen += d.toString('utf8');
    const count = seen.split('[y/N]').length - 1;
    while (prompts < count) {
      const given = answers[prompts] ?? '';
      const answer = typeof given === 'function' ? given() : given;
      prompts++;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.on('data', (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      child.stdin.destroy();
      resolve({ status, stdout: seen, stderr: Buffer.concat(err).toString('utf8'), raw: Buffer.from(seen), prompts });
    });
  });
}

/** The files of a directory, sorted. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
