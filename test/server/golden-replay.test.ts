/**
 * Golden replay: the client->server byte streams captured from the original
 * afbackup 3.5.8 programs (all 22 connections of the vectors' scenario, in order)
 * are fed to our server, configured like the capture's server (directory device,
 * Set-Cart-Command symlink trick, blocksize 1024), with the captured challenge.
 * Our server must answer each stream with the captured server->client bytes,
 * byte for byte, in both authentication variants; afterwards the tape files and
 * state files must equal the captured ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScriptedPeer } from './scripted-peer.js';
import { createSession } from '../../src/server/server-context.js';
import { loadTranscript, TRANSCRIPTS, VARIANTS, fixtureBytes, type Variant } from '../protocol/fixtures.js';
import { FIXTURE_STATE, serverConf } from './golden-setup.js';


/** Offset of the first byte where a and b differ, or -1. */
function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

async function replay(variant: Variant, root: string, name: string): Promise<{ expected: Buffer; got: Buffer }> {
  const t = loadTranscript(variant, name);
  const challengeLen = variant === 'des' ? 16 : 4;
  const challenge = t.s2c.subarray(42, 42 + challengeLen);
  const bundle = await createSession({ configPath: path.join(root, 'etc/server.conf'), challenge: () => challenge, peerAddress: '127.0.0.1' });
  const peer = new ScriptedPeer(t.c2s);
  await bundle.session.run(peer);
  await bundle.close();
  return { expected: t.s2c, got: Buffer.concat(peer.out) };
}

for (const variant of VARIANTS) {
  test(`golden replay (${variant}): every captured session gets the captured replies, byte for byte`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `afgolden-${variant}-`));
    try {
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      fs.mkdirSync(path.join(root, 'tape'), { recursive: true });
      fs.mkdirSync(path.join(root, 'server-var'), { recursive: true });
      fs.mkdirSync(path.join(root, 'rexec'), { recursive: true });
      fs.writeFileSync(path.join(root, 'etc/cryptkey'), 'vector-key-for-tests', { mode: 0o600 });
      fs.writeFileSync(path.join(root, 'etc/server.conf'), serverConf(root, variant));
      for (const name of TRANSCRIPTS) {
        const { expected, got } = await replay(variant, root, name);
        const at = firstDifference(expected, got);
        assert.equal(
          at,
          -1,
          `${variant}/${name}: replies differ at server->client byte ${at} (expected ${expected.length} bytes, got ${got.length}): ` +
            `expected ${expected.subarray(at, at + 16).toString('hex')}, got ${got.subarray(at, at + 16).toString('hex')}`,
        );
      }
      // The tape files the sessions wrote equal the original's (1.1-1.3 have no time stamps in them).
      for (const k of [1, 2, 3]) {
        const ours = fs.readFileSync(path.join(root, `tape/vol.1/data.${k}`));
        const theirs = fixtureBytes(`../golden/tape-${variant}-vol1-data.${k}`);
        assert.ok(ours.equals(theirs), `tape file data.${k} differs from the captured one`);
      }
      const label = fs.readFileSync(path.join(root, 'tape/vol.1/data.0'));
      assert.equal(label.length, 1024);
      assert.match(label.toString('latin1'), /^\nAF's backup system\n\nINFO HEADER\n\nCartridge number:\t1\n\n2nd cartridge number:\t1\n\nLabeling time:\t\t.{24}\n\nTape Blocksize:\t\t1024\n\nProgram version:\t3\.5\.8\n\nComment:\t\t<labeled automatically>\n\0+$/);
      // State files: the same lines, time stamps aside.
      const state = (f: string) => fs.readFileSync(path.join(root, 'server-var', f), 'latin1');
      const golden = (f: string) => fs.readFileSync(path.join(FIXTURE_STATE, variant, f), 'latin1');
      const noEpoch = (s: string) => s.replace(/ \d{9,}$/gm, ' <epoch>');
      assert.equal(state('tapepos'), golden('tapepos').replaceAll('/srv/afdemo', root));
      assert.equal(noEpoch(state('bytes_on_tape')), noEpoch(golden('bytes_on_tape')));
      assert.equal(state('precious_tapes'), golden('precious_tapes'));
      assert.equal(state('readonly_tapes'), golden('readonly_tapes'));
      assert.equal(state('ever_used_blocksizes'), golden('ever_used_blocksizes'));
      assert.match(state('status'), new RegExp(`^\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} \\[\\d+\\], Device ${root}/tape/vol is closed, idle\\.\\n$`));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
