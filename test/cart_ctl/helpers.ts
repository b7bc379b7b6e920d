/**
 * Test helper for cart_ctl: running it against a site (see test/cli/helpers.ts),
 * asserting success, the usual two-drive virtual library site, and for manual moves
 * the site's changer-ready flag, changerready, polling and the operator's hand.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeSite, repoRoot, run, type RunResult, type Site } from '../cli/helpers.js';

export function cc(site: Site, ...args: string[]): Promise<RunResult> {
  return run('cart_ctl', ['-s', site.conf, ...args], { env: site.env });
}

export function ok(r: RunResult): RunResult {
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return r;
}

export function vtlSite(): Site {
  return makeSite({ kind: 'vtl', cartridges: 6, extra: 'Virtual-Drives:\t2' });
}

/** The changer-ready flag of a site (its own installation prefix). */
export function changerFlag(site: Site): string {
  return `/tmp/afbu_changerready.${site.env.AF_INSTALL_PREFIX!.replace(/\//g, '^')}`;
}

/** Runs changerready for the site. */
export function changerready(site: Site): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/changerready.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...site.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('close', (status) => {
      const raw = Buffer.concat(out);
      resolve({ status, stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
  });
}

/** Waits (polling) until `check` holds; fails after a generous limit. */
export async function until(what: string, check: () => boolean, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Replaces one line of a text file (the operator's hand). */
export function editLine(file: string, from: RegExp, to: string): void {
  const text = fs.readFileSync(file, 'latin1');
  assert.match(text, from, `${file} has a line ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}
