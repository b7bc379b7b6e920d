/**
 * The terminal mode: afconsole on a pseudo-terminal (util-linux `script`) prompts
 * with "*", runs the typed commands, asks before `run` without `yes` (an answer
 * typed ahead counts), and ends at `quit`. Skipped when `script` is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { takeRequests } from '../../src/director/spool/requests.js';
import { hasCommand } from '../server/e2e-helpers.js';
import { AFCONSOLE, makeDirectorDir } from './helpers.js';
import { writeHistory } from './fixture-history.js';

test('prompt, commands, confirmation and quit on a terminal', { skip: hasCommand('script') ? false : 'script(1) is not installed' }, async () => {
  const d = await makeDirectorDir();
  try {
    await writeHistory(d.varDir);
    const r = spawnSync('script', ['-qec', `${process.execPath} ${AFCONSOLE} -c ${d.conf}`, '/dev/null'], {
      input: 'list jobs client=laptop\rrun job=laptop-backup\ryes\rlsit\rquit\rrun job=laptop-backup yes\r',
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, JSON.stringify([r.signal, r.error?.message, r.stdout, r.stderr]));
    const out = r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    assert.match(out, /\*/);
    assert.match(out, /^2 +laptop-backup +laptop +Incremental +error/m);
    assert.match(out, /OK to run \(yes\/no\)\?/);
    assert.match(out, /Submitted as request/);
    assert.match(out, /afconsole: .*unknown command "lsit"/);
    const { taken } = await takeRequests(d.varDir);
    assert.equal(taken.length, 1, 'one run confirmed; nothing after quit');
  } finally {
    d.cleanup();
  }
});
