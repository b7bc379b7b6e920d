/**
 * The vectors' tape-full scenario (Max Bytes Per Tape 150000, three cartridges of a
 * directory device): the captured client stream of a tree backup is sent twice.
 * The first run fills cartridge 1 and continues on cartridge 2; the second fills
 * 2 and 3 and wraps round to 1. Our state files must then say what afbackup's
 * said, line for line (time stamps aside), and the second backup must read back
 * across the cartridges 2 -> 3 -> 1 in one stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScriptedPeer } from './scripted-peer.js';
import { createSession } from '../../src/server/server-context.js';
import { createLogger } from '../../src/log.js';
import { RequestDecoder } from '../../src/protocol/request-decoder.js';
import { loadTranscript, VARIANTS } from '../protocol/fixtures.js';
import { FIXTURE_STATE, serverConf } from './golden-setup.js';


/** The data bytes a captured backup stream carried (its W payloads, in order). */
function payload(c2s: Buffer, authLength: 4 | 16): Buffer {
  const d = new RequestDecoder({ authLength });
  d.push(c2s);
  d.nextAuthResponse(authLength);
  let cb = 1000;
  const parts: Buffer[] = [];
  for (let r = d.next(cb); r; r = d.next(cb)) {
    if (r.name === 'SETCOMMBUFSIZ') cb = r.size;
    if (r.name === 'WRITETOTAPE') parts.push(r.data);
  }
  return Buffer.concat(parts);
}

for (const variant of VARIANTS) {
  test(`tape-full scenario (${variant}): continuation, wrap-round and state files as afbackup wrote them`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `aftapefull-${variant}-`));
    try {
      for (const d of ['etc', 'tape', 'server-var', 'rexec']) fs.mkdirSync(path.join(root, d));
      fs.writeFileSync(path.join(root, 'etc/cryptkey'), 'vector-key-for-tests', { mode: 0o600 });
      const conf = serverConf(root, variant)
        .replace(/^Number Of Cartridges:.*$/m, 'Number Of Cartridges:\t3')
        .replace(/^Max Bytes Per Tape:.*$/m, 'Max Bytes Per Tape:\t150000');
      fs.writeFileSync(path.join(root, 'etc/server.conf'), conf);
      const t = loadTranscript(variant, '06-c-tree');
      const alen = variant === 'des' ? 16 : 4;
      const challenge = t.s2c.subarray(42, 42 + alen);
      const run = async () => {
        const b = await createSession({ configPath: path.join(root, 'etc/server.conf'), challenge: () => challenge, ...(process.env.AF_TEST_LOG ? { log: createLogger({ file: 'stderr', level: 'debug' }) } : {}) });
        const peer = new ScriptedPeer(t.c2s);
        await b.session.run(peer);
        await b.close();
        return Buffer.concat(peer.out);
      };
      const state = (f: string) => fs.readFileSync(path.join(root, 'server-var', f), 'latin1');
      const golden = (dir: string, f: string) =>
        fs.readFileSync(path.join(FIXTURE_STATE, `${variant}-tapefull`, dir, f), 'latin1').replaceAll('/srv/afdemo/tapefull', root);
      const noEpoch = (s: string) => s.replace(/ \d{9,}$/gm, ' <epoch>');
      const check = (dir: string) => {
        const label = dir || 'final';
        assert.equal(noEpoch(state('bytes_on_tape')), noEpoch(golden(dir, 'bytes_on_tape')), `${label} bytes_on_tape`);
        for (const f of ['cartridge_order', 'tape_uses', 'ever_used_blocksizes', 'tapepos']) assert.equal(state(f), golden(dir, f), `${label} ${f}`);
      };

      const r1 = await run();
      assert.equal(r1.subarray(-2).toString('hex'), '0000', 'CLOSETAPE and GOODBYE succeed');
      check('after-run1');
      assert.equal(fs.statSync(path.join(root, 'tape/vol.1/data.1')).size, 148480);
      assert.equal(fs.statSync(path.join(root, 'tape/vol.2/data.1')).size, 125952);

      await run();
      check('');

      // Read the second backup back: it starts at 2.2 and goes on over 3 and 1.
      const b = await createSession({ configPath: path.join(root, 'etc/server.conf'), challenge: () => challenge });
      await b.session.dispatch({ name: 'SETCARTRIDGE', cartridge: 2 });
      await b.session.dispatch({ name: 'SETFILE', file: 2 });
      const open = await b.session.dispatch({ name: 'OPENFORREAD' });
      assert.deepEqual([...open!], [0]);
      b.session.commBufSize = 65536;
      const got: Buffer[] = [];
      for (;;) {
        const r = (await b.session.dispatch({ name: 'READFROMTAPE' }))!;
        const st = r[r.length - 1]!;
        const valid = st === 0 ? 65536 : (await b.session.dispatch({ name: 'GETNUMREADVALID' }))!.readUInt32BE(0);
        got.push(r.subarray(0, valid));
        if (st !== 0) break;
      }
      await b.close();
      const data = payload(t.c2s, alen);
      const all = Buffer.concat(got);
      assert.ok(all.length >= data.length, `read ${all.length} bytes, the backup had ${data.length}`);
      assert.ok(all.subarray(0, data.length).equals(data), 'the second backup reads back identically across cartridges 2, 3 and 1');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
