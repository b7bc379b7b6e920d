/**
 * Remote start ('|' CLIENTBACKUP, spec §1.8): run a program from Program-Directory
 * on the client's request. Unlike afbackup 3.5.8, which compared string prefixes
 * (so "<dir>/../../bin/sh" passed), the program's real path, after resolving
 * symlinks and "..", must lie inside the real Program-Directory. No shell is
 * involved: the request is split into words (double and single quotes honoured).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

export type RemoteStartOutcome =
  | { kind: 'denied'; reason: string }
  | { kind: 'not-executable'; reason: string }
  | { kind: 'ran'; exitCode: number; output: Buffer };

/** Splits a command line into words: blanks separate, quotes group, backslash escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Resolves the program of a request, or says why it may not run. */
export function resolveProgram(programDirectory: string, program: string): { path: string } | { denied: string } | { notExecutable: string } {
  if (!programDirectory || programDirectory === 'nowhere') return { denied: 'no Program-Directory is configured' };
  let realDir: string;
  try {
    realDir = fs.realpathSync(programDirectory);
  } catch {
    return { denied: `Program-Directory "${programDirectory}" does not exist` };
  }
  const candidate = program.includes('/') ? program : path.join(programDirectory, program);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    // A missing program under the directory is "not executable"; anything else is outside.
    const lexical = path.resolve(candidate);
    if (lexical.startsWith(path.resolve(programDirectory) + path.sep) && !program.split('/').includes('..')) {
      return { notExecutable: `"${candidate}" does not exist` };
    }
    return { denied: `"${program}" is not in Program-Directory` };
  }
  if (!real.startsWith(realDir + path.sep)) return { denied: `"${program}" resolves to "${real}", outside Program-Directory` };
  try {
    fs.accessSync(real, fs.constants.X_OK);
    if (!fs.statSync(real).isFile()) return { notExecutable: `"${real}" is not a regular file` };
  } catch {
    return { notExecutable: `"${real}" is not executable` };
  }
  return { path: real };
}

export function remoteStart(
  programDirectory: string,
  commandLine: Buffer,
  env: Record<string, string | undefined>,
): Promise<RemoteStartOutcome> {
  const words = splitWords(commandLine.toString('latin1'));
  if (words.length === 0) return Promise.resolve({ kind: 'denied', reason: 'empty command' });
  const resolved = resolveProgram(programDirectory, words[0]!);
  if ('denied' in resolved) return Promise.resolve({ kind: 'denied', reason: resolved.denied });
  if ('notExecutable' in resolved) return Promise.resolve({ kind: 'not-executable', reason: resolved.notExecutable });
  return new Promise((resolve) => {
    const args = words.slice(1).map((w) => Buffer.from(w, 'latin1').toString());
    const child = spawn(resolved.path, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', (e) => resolve({ kind: 'ran', exitCode: 127, output: Buffer.from(`cannot start "${resolved.path}": ${e.message}\n`) }));
    child.on('close', (code, signal) => resolve({ kind: 'ran', exitCode: code ?? (signal ? 128 : 1), output: Buffer.concat(out) }));
  });
}
