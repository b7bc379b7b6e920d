/**
 * Shared pieces of the device tests: deterministic block contents, digests, scratch
 * directories, assertions on AfError codes, and a runner for drive-child.ts, the
 * second process that the contract suites use to check locks and saved state.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, isAfError } from '../../src/errors.js';
import type { OpenDeviceSpec } from '../../src/device/open-device.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

/** A block of `size` bytes whose content depends on seed and position. */
export function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function digest(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex').slice(0, 16);
}

export function scratchDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `af-${tag}-`));
}

/** Asserts that fn rejects with an AfError of this code. */
export async function rejectsWith(fn: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isAfError(e), `expected AfError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return true;
  });
}

/** One step for drive-child.ts: [operation, ...arguments]. */
export type ChildStep =
  | ['open']
  | ['close']
  | ['status']
  | ['rewind']
  | ['seekFile', number]
  | ['seekEod']
  | ['eject']
  | ['read', number]
  | ['readAll', number]
  | ['write', number, number]
  | ['filemarks', number]
  | ['inventory']
  | ['load', number, number]
  | ['unload', number]
  | ['lock', string]
  | ['say', string]
  | ['wait'];

export interface ChildReport {
  step: number;
  op: string;
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}

const CHILD = path.join(here, 'drive-child.ts');

/** A running drive-child.ts: reports arrive one per step; `wait` steps wait for go(). */
export class Child {
  private readonly reports: ChildReport[] = [];
  private waiters: (() => void)[] = [];
  private readonly exited: Promise<number>;
  private stderr = '';
  private readonly proc;

  constructor(spec: OpenDeviceSpec, steps: ChildStep[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ spec, steps })], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buf = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        this.reports.push(JSON.parse(line) as ChildReport);
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.proc.on('close', (code) => {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
        resolve(code ?? -1);
      });
    });
  }

  /** Waits until the child has reported `n` steps (or ended), and returns the reports so far. */
  async reported(n: number, timeoutMs = 60000): Promise<ChildReport[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.reports.length < n) {
      if (this.proc.exitCode !== null) break;
      if (Date.now() > deadline) throw new Error(`child reported ${this.reports.length} of ${n} steps; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (this.reports.length < n) throw new Error(`child ended after ${this.reports.length} of ${n} steps; stderr: ${this.stderr}`);
    return this.reports.slice();
  }

  /** Lets a `wait` step go on. */
  go(): void {
    this.proc.stdin.write('go\n');
  }

  /** Ends the child if it still runs (after a failed test, so that nothing waits for it). */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /** Waits for the end and returns all reports. */
  async done(): Promise<ChildReport[]> {
    this.proc.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new Error(`child exited with ${code}; stderr: ${this.stderr}`);
    return this.reports.slice();
  }
}

/** Runs steps in a child process to the end. */
export async function inChild(spec: OpenDeviceSpec, steps: ChildStep[]): Promise<ChildReport[]> {
  return new Child(spec, steps).done();
}
