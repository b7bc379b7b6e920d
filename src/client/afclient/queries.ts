/**
 * The short afclient modes: -q (current position, `p`), -Q (next write
 * position, `i`), -w (streamer state, `?`) and -M (server message, `M`), each
 * `!` <command> `X` after the standard opening, printing what afclient prints.
 */
import { AfError } from '../../errors.js';
import {
  STREAMER_BUSY,
  STREAMER_CHANGEABLE,
  STREAMER_DEVINUSE,
  STREAMER_READY,
  STREAMER_UNAVAIL,
  STREAMER_UNLOADED,
} from '../../protocol/commands.js';
import type { AfclientOptions } from './options.js';
import { check, goodbye, openSession, type Output } from './session.js';

function positionText(title: string, cart: number, file: number): string {
  return `${title}\nCartridge: ${cart}\nFile:      ${file}\n`;
}

const STATE_NAMES = new Map<number, string>([
  [STREAMER_READY, 'READY'],
  [STREAMER_UNLOADED, 'UNLOADED'],
  [STREAMER_BUSY, 'BUSY'],
  [STREAMER_DEVINUSE, 'DEVINUSE'],
  [STREAMER_UNAVAIL, 'UNAVAILABLE'],
]);

/** The `Streamer state: ...` line of a 512-byte QUERYRDYFORSERV block. */
export function streamerStateLine(block: Buffer): string {
  const st = block[0] ?? 0;
  const parts = [STATE_NAMES.get(st & 0x0f) ?? 'UNKNOWN'];
  if (st & STREAMER_CHANGEABLE) parts.push('CHANGEABLE');
  if (block.length >= 13) {
    const active = block.readUInt32BE(5);
    const pending = block.readUInt32BE(9);
    if (active > 0) parts.push(`${(block.readUInt32BE(1) & 0xff) === 0x09 ? 'WRITING' : 'READING'}=${active}`);
    if (pending > 0) parts.push(`PENDING=${pending}`);
  }
  return `Streamer state: ${parts.join('+')}\n`;
}

export async function runQuery(o: AfclientOptions, io: Output): Promise<number> {
  const { conn } = await openSession(o);
  try {
    switch (o.mode) {
      case 'position': {
        const r = check(await conn.call({ name: 'QUERYPOSITION' }), 'querying the position');
        if (r.kind !== 'position') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to p');
        io.out(positionText('Current tape access position', r.cartridge, r.file));
        break;
      }
      case 'writePosition': {
        const r = check(await conn.call({ name: 'QUERYWRPOSITION' }), 'querying the write position');
        if (r.kind !== 'position') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to i');
        io.out(positionText('Next tape writing position', r.cartridge, r.file));
        break;
      }
      case 'state': {
        const r = check(await conn.call({ name: 'QUERYRDYFORSERV' }), 'querying the streamer state');
        if (r.kind !== 'rdyForServ') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to ?');
        io.out(streamerStateLine(r.block));
        if (o.verbose) {
          const id = check(await conn.call({ name: 'SERVERIDENT' }), 'querying the server id');
          if (id.kind === 'serverIdent') io.out(Buffer.concat([Buffer.from('Server-ID: '), id.id, Buffer.from('\n')]));
          const t = check(await conn.call({ name: 'QUERYNEEDEDTAPES', clientId: Buffer.from(o.clientId) }), 'querying precious tapes');
          if (t.kind === 'text') io.out(Buffer.concat([Buffer.from('Precious tapes: '), t.text, Buffer.from('\n')]));
        }
        break;
      }
      case 'message': {
        let text = Buffer.from(o.message ?? '');
        if (text.length > 996) text = text.subarray(0, 996);
        check(await conn.call({ name: 'MESSAGETEXT', text }), 'sending the message');
        break;
      }
      default:
        throw new AfError('INTERNAL', `not a query mode: ${o.mode}`);
    }
  } catch (e) {
    await conn.close();
    throw e;
  }
  await goodbye(conn);
  return 0;
}
