/**
 * Streams longer than the golden ones, through the recording relay: afclient -c
 * must leave the 1000-byte W buffer through the throughput probe, and -x/-t must go
 * back from the 1000-byte R buffer to the opening one after READ_UPSIZE_AFTER bytes
 * (an `l` between two R's, which the original server accepts at any time), and the
 * restored bytes must be the saved ones. Also many small files in one run (the
 * synchronous read path of small files, the batched verbose output).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afclient } from './helpers.js';
import { makeServerDir, inetdLauncher } from '../server/e2e-helpers.js';
import { startRelay, decodeOurs, sequence } from './wire.js';

test('a 12 MB file and 300 small files: buffer sizes on the wire, identical bytes back', { timeout: 180_000 }, async (t) => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'af-large-'));
  const srv = makeServerDir('', { blockSize: 32768, carts: 4, capacity: '200M' });
  const launcher = await inetdLauncher(srv.conf);
  const relay = await startRelay(launcher.port);
  t.after(async () => {
    await relay.close();
    await launcher.close();
    srv.cleanup();
    fs.rmSync(top, { recursive: true, force: true });
  });
  const key = path.join(srv.dir, 'cryptkey');
  const A = ['-h', '127.0.0.1', '-p', String(relay.port), '-k', key];
  const data = path.join(top, 'data');
  fs.mkdirSync(path.join(data, 'small'), { recursive: true });
  const big = crypto.randomBytes(12_000_000);
  fs.writeFileSync(path.join(data, 'big.bin'), big);
  for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(data, 'small', `s${i}`), crypto.randomBytes(1 + ((i * 97) % 5000)));

  const c = await afclient(['-c', '-R', '-v', ...A, 'data'], { cwd: top });
  assert.equal(c.status, 0, c.err.join('\n'));
  // Every entry's name once on stdout, in order, none lost by the batching.
  const names = c.out.toString('latin1').split('\n').filter((l) => l !== '');
  assert.equal(names.length, 300 + 3);
  assert.equal(names[names.length - 1], 'data');
  const w = sequence(decodeOurs(Buffer.concat(relay.streams[0]!)));
  // `i` after each 5 MB without a position query.
  assert.match(w, /^a b l32768 ! > l1000 W\+ (i W\+ )*l33268 (W\+ |i )*l65536 (W\+ |i )*\* X$/, w);

  const out = path.join(top, 'out');
  fs.mkdirSync(out);
  const x = await afclient(['-x', '-a', ...A, '-C', '1', '-F', '1'], { cwd: out });
  assert.equal(x.status, 0, x.err.join('\n'));
  const r = sequence(decodeOurs(Buffer.concat(relay.streams[1]!)));
  assert.equal(r, 'a b l32768 c f ! < R l1000 R+ l32768 R+ * X');
  assert.ok(fs.readFileSync(path.join(out, 'data', 'big.bin')).equals(big));
  for (let i = 0; i < 300; i += 37) {
    assert.ok(fs.readFileSync(path.join(out, 'data', 'small', `s${i}`)).equals(fs.readFileSync(path.join(data, 'small', `s${i}`))));
  }
});
