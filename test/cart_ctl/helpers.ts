/**
 * Test helper for cart_ctl: running it against a site (see test/cli/helpers.ts),
 * asserting success, and the usual two-drive virtual library site.
 */
import assert from 'node:assert/strict';
import { makeSite, run, type RunResult, type Site } from '../cli/helpers.js';

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
