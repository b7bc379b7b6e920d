/**
 * afclient -I: an index of the tape files (spec §1.12, §5.4). After `c` (-C)
 * and `f` (-F, default 1) and `!`, it switches the server to serial operation
 * (`-`) and to "report the end of tape" (`_`), then walks file by file: `<`
 * opens the file, `g` tells its position, one `R` fetches the start of its
 * data, `p`, `.` closes without rewinding and `S 1` moves to the next file. The
 * walk ends when `<` fails, when a file is empty (the end of the data), or when
 * the position stops moving. For each file one line is printed:
 * `<cart>.<file>: <header>`, where the header is the text of the INFORMATION
 * record the file starts with (nothing after the colon when there is none).
 */
import { AfError } from '../../errors.js';
import { unpack } from '../../archive/unpacker.js';
import type { Connection } from '../connection.js';
import type { AfclientOptions } from './options.js';
import { check, goodbye, openSession, type Output } from './session.js';

const END_OF_FILE = 0x2e;
const END_OF_TAPE = 0x3a;

/** The INFORMATION text a stream starts with, or null (also for a stream that is not a packer stream). */
export async function leadingHeader(start: Buffer): Promise<Buffer | null> {
  try {
    for await (const ev of unpack([start])) {
      if (ev.type === 'entry') return ev.entry.kind === 'information' ? ev.entry.text : null;
      if (ev.type === 'error' || ev.type === 'end') return null;
    }
  } catch {
    return null;
  }
  return null;
}

/** The bytes the first `R` of the open file delivers (fewer when the file is shorter). */
async function firstBuffer(conn: Connection): Promise<Buffer> {
  const r = await conn.call({ name: 'READFROMTAPE' });
  if (r.kind !== 'readBuffer') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to R');
  if (r.status === 0) return r.data;
  if (r.status !== END_OF_FILE && r.status !== END_OF_TAPE) throw AfError.fromStatus(r.status, 'reading from the tape');
  const v = check(await conn.call({ name: 'GETNUMREADVALID' }), 'querying the valid bytes');
  return r.data.subarray(0, v.kind === 'u32' ? Math.min(v.value, r.data.length) : 0);
}

export async function runTapeIndex(o: AfclientOptions, io: Output): Promise<number> {
  const { conn } = await openSession(o, async (c) => {
    if (o.cartridge !== undefined) check(await c.call({ name: 'SETCARTRIDGE', cartridge: o.cartridge }), `setting cartridge ${o.cartridge}`);
    const file = o.file ?? 1;
    check(await c.call({ name: 'SETFILE', file }), `setting file ${file}`);
  });
  try {
    check(await conn.call({ name: 'SETSERIALOP' }), 'switching to serial operation');
    check(await conn.call({ name: 'SETERRORONEOT' }), 'asking for end-of-tape reports');
    let last: string | null = null;
    for (;;) {
      const open = await conn.call({ name: 'OPENFORREAD' });
      if ('status' in open && open.status !== 0) break;
      const g = check(await conn.call({ name: 'QUERYRDPOSITION' }), 'querying the read position');
      if (g.kind !== 'position') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to g');
      const where = `${g.cartridge}.${g.file}`;
      if (where === last) break;
      last = where;
      const start = await firstBuffer(conn);
      check(await conn.call({ name: 'QUERYPOSITION' }), 'querying the position');
      check(await conn.call({ name: 'CLOSETAPEN' }), 'closing the tape file');
      if (start.length === 0 || start.every((byte) => byte === 0)) break;
      const header = await leadingHeader(start);
      const line: Buffer[] = [Buffer.from(`${where}:`)];
      if (header !== null && header.length > 0) line.push(Buffer.from(' '), header);
      if (header === null || header[header.length - 1] !== 0x0a) line.push(Buffer.from('\n'));
      io.out(Buffer.concat(line));
      const skip = await conn.call({ name: 'SKIPFILES', count: 1 });
      if ('status' in skip && skip.status !== 0) break;
    }
  } catch (e) {
    await conn.close();
    throw e;
  }
  await goodbye(conn);
  return 0;
}
