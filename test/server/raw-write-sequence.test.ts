/**
 * Raw writes one after the other in one connection (what copy_tape's target side
 * does): after a raw tape file is closed, the next OPENFORRAWWRITE goes on to the
 * next physical file instead of writing over the one just closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backup, connect, inetdLauncher, makeServerDir, pseudoRandom } from './e2e-helpers.js';
import type { Connection } from '../../src/client/connection.js';

const BUF = 65536;

async function rawWrite(c: Connection, data: Buffer): Promise<void> {
  await c.ok({ name: 'OPENFORRAWWRITE' });
  for (let off = 0; off < data.length; off += BUF) {
    const piece = Buffer.alloc(BUF);
    data.copy(piece, 0, off, Math.min(off + BUF, data.length));
    const valid = Math.min(BUF, data.length - off);
    if (valid < BUF) await c.ok({ name: 'SETNUMWRITEVALID', count: valid });
    await c.ok({ name: 'WRITETOTAPE', data: piece });
  }
  await c.ok({ name: 'CLOSETAPE' });
}

async function rawRead(c: Connection): Promise<Buffer> {
  await c.ok({ name: 'OPENFORRAWREAD' });
  const parts: Buffer[] = [];
  for (;;) {
    const r = await c.call({ name: 'READFROMTAPE' });
    if (r.kind !== 'readBuffer') throw new Error('unexpected reply');
    if (r.status === 0) {
      parts.push(r.data);
      continue;
    }
    const v = await c.call({ name: 'GETNUMREADVALID' });
    parts.push(r.data.subarray(0, v.kind === 'u32' ? v.value : 0));
    break;
  }
  await c.ok({ name: 'CLOSETAPE' });
  return Buffer.concat(parts);
}

test('two raw writes in a row land in two tape files', async () => {
  const s = makeServerDir();
  const l = await inetdLauncher(s.conf);
  try {
    const a = pseudoRandom(3 * BUF, 11);
    const b = pseudoRandom(2 * BUF, 12);
    // A normal backup first labels cartridge 1 and fills its first tape file.
    const first = await connect(l.port);
    await backup(first, pseudoRandom(1000, 10));
    await first.close();
    const c = await connect(l.port);
    await c.ok({ name: 'SETCOMMBUFSIZ', size: BUF });
    await c.ok({ name: 'SETRAWCARTRIDGE', cartridge: 1 });
    await c.ok({ name: 'SETRAWFILE', file: 3 });
    await rawWrite(c, a);
    await rawWrite(c, b);
    await c.ok({ name: 'SETRAWFILE', file: 3 });
    const backA = await rawRead(c);
    const backB = await rawRead(c);
    await c.close();
    assert.ok(backA.subarray(0, a.length).equals(a), 'first raw file intact');
    assert.ok(backB.subarray(0, b.length).equals(b), 'second raw file follows the first');
  } finally {
    await l.close();
    s.cleanup();
  }
});
