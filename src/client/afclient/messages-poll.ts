/**
 * afclient -m[<s>]: watch the server's operator message (spec §1.7). After the
 * handshake and `b` `l` (no `!`) it sends `m` every s seconds (default 3). The
 * reply text is "<mtime>\n<now>\n<message>"; the server's `now` of the first
 * poll is the threshold: a message is printed when its mtime is at or after it,
 * once per distinct (mtime, text). Polls forever unless --count N (ours) ends
 * the run after N polls, with `X`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AfError } from '../../errors.js';
import type { AfclientOptions } from './options.js';
import { check, goodbye, type Output } from './session.js';
import { connectTo, readKey, resolveAddress } from './address.js';

export interface CurrentMessage {
  mtime: number;
  now: number;
  text: Buffer;
}

/** Splits a GETCURMSG reply text into its two times and the message. */
export function parseCurrentMessage(reply: Buffer): CurrentMessage {
  const first = reply.indexOf(0x0a);
  const second = first < 0 ? -1 : reply.indexOf(0x0a, first + 1);
  const mtime = first < 0 ? NaN : Number(reply.subarray(0, first).toString('latin1'));
  const now = second < 0 ? NaN : Number(reply.subarray(first + 1, second).toString('latin1'));
  if (!Number.isInteger(mtime) || !Number.isInteger(now)) {
    throw new AfError('PROTOCOL_ERROR', 'the reply to m does not start with two times');
  }
  return { mtime, now, text: reply.subarray(second + 1) };
}

export async function runMessagePoll(o: AfclientOptions, io: Output): Promise<number> {
  const conn = await connectTo(resolveAddress(o.host, o.port), readKey(o.keyFile));
  try {
    const b = check(await conn.call({ name: 'QUERYTAPEBLOCKSIZE' }), 'querying the block size');
    const blockSize = b.kind === 'u32' ? b.value : 1024;
    check(await conn.call({ name: 'SETCOMMBUFSIZ', size: Math.max(1, Math.min(blockSize, 65536)) }), 'setting the buffer size');
    let threshold: number | null = null;
    let shown: string | null = null;
    for (let n = 1; ; n++) {
      const r = check(await conn.call({ name: 'GETCURMSG' }), 'querying the current message');
      if (r.kind !== 'text') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to m');
      const m = parseCurrentMessage(r.text);
      if (threshold === null) threshold = m.now;
      const key = `${m.mtime}:${m.text.toString('latin1')}`;
      if (m.mtime >= threshold && m.text.length > 0 && key !== shown) {
        shown = key;
        io.out(m.text[m.text.length - 1] === 0x0a ? m.text : Buffer.concat([m.text, Buffer.from('\n')]));
      }
      if (o.pollCount !== undefined && n >= o.pollCount) break;
      await sleep(o.pollInterval * 1000);
    }
  } catch (e) {
    await conn.close();
    throw e;
  }
  await goodbye(conn);
  return 0;
}
