/**
 * The short afclient queries and their printing, in the order the original runs
 * them when several are given (spec §1.12): -w (`?`, with -v also `{` and `%`),
 * -G (`N`), -q (`p`), -Q (`i`; in create mode after `n` for -j and the `>` that
 * opens the tape, so the position printed is the one written to), and with -v
 * after -q/-Q the number of cartridges (`@`) and the cartridge set (`q`). When
 * a data mode follows and something was printed verbosely, a line `--` ends this
 * preamble; full_backup reads up to it.
 *
 * Printed texts (one line each): `Streamer state: READY+CHANGEABLE`,
 * `Server-ID: <id>`, `Precious tapes: <ranges>`, `Current tape access
 * position`/`Next tape writing position` + `Cartridge: <n>` + `File:      <n>`,
 * `Number of cartridges: <n>`, `Current cartridge set: <n>`. With --json (query
 * modes only) one JSON object with the same facts is printed instead.
 */
import { argBytes } from '../arg-bytes.js';
import { AfError } from '../../errors.js';
import {
  STREAMER_BUSY,
  STREAMER_CHANGEABLE,
  STREAMER_DEVINUSE,
  STREAMER_READY,
  STREAMER_UNAVAIL,
  STREAMER_UNLOADED,
} from '../../protocol/commands.js';
import type { Connection } from '../connection.js';
import type { AfclientOptions } from './options.js';
import { check, goodbye, openSession, type Output } from './session.js';
import { VERSION } from '../../version.js';

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

/** Slave state bits of the status block (afmserver): raw access, and the open mode. */
const OPENED_RAW_ACCESS = 0x100;
const OPENED_FOR_READ = 0x08;
const OPENED_FOR_WRITE = 0x09;

/** The parts of the `Streamer state:` line of a 512-byte QUERYRDYFORSERV block. */
export function streamerStateParts(block: Buffer): string[] {
  const st = block[0] ?? 0;
  const parts = [STATE_NAMES.get(st & 0x0f) ?? 'UNKNOWN'];
  if (st & STREAMER_CHANGEABLE) parts.push('CHANGEABLE');
  if (block.length >= 13) {
    const slave = block.readUInt32BE(1);
    const mode = slave & 0xff;
    if (slave & OPENED_RAW_ACCESS) {
      if (mode === OPENED_FOR_READ) parts.push('RAWREADING');
      else if (mode === OPENED_FOR_WRITE) parts.push('RAWWRITING');
    } else {
      const n = block.readUInt32BE(5);
      if (slave === OPENED_FOR_READ) parts.push(`READING=${n}`);
      else if (slave === OPENED_FOR_WRITE) parts.push(`WRITING=${n}`);
    }
    const pending = block.readUInt32BE(9);
    if (pending > 0) parts.push(`PENDING=${pending}`);
  }
  return parts;
}

/** The `Streamer state: ...` line of a 512-byte QUERYRDYFORSERV block. */
export function streamerStateLine(block: Buffer): string {
  return `Streamer state: ${streamerStateParts(block).join('+')}\n`;
}

export interface Position {
  cartridge: number;
  file: number;
}

export interface PreambleResult {
  /** The tape was opened for writing (create mode with -Q). */
  opened: boolean;
  /** The write position printed by -Q. */
  writePosition: Position | null;
  /** What --json prints. */
  facts: Record<string, unknown>;
}

async function position(conn: Connection, name: 'QUERYPOSITION' | 'QUERYWRPOSITION', what: string): Promise<Position> {
  const r = check(await conn.call({ name }), what);
  if (r.kind !== 'position') throw new AfError('PROTOCOL_ERROR', `unexpected reply when ${what}`);
  return { cartridge: r.cartridge, file: r.file };
}

/**
 * Runs the queries -w -G -q -Q asked for, printing as it goes (unless `quiet`).
 * `create` says a create run follows: -Q then opens the tape first (after `n`
 * for -j). `dataMode` says some data mode follows (for the `--` line).
 */
export async function runPreamble(
  conn: Connection,
  o: AfclientOptions,
  io: Output,
  opts: { create: boolean; dataMode: boolean; quiet?: boolean },
): Promise<PreambleResult> {
  const q = o.queries;
  const say = (t: string | Buffer): void => {
    if (!opts.quiet) io.out(t);
  };
  const facts: Record<string, unknown> = {};
  const result: PreambleResult = { opened: false, writePosition: null, facts };
  if (q.state) {
    const r = check(await conn.call({ name: 'QUERYRDYFORSERV' }), 'querying the streamer state');
    if (r.kind !== 'rdyForServ') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to ?');
    say(streamerStateLine(r.block));
    const parts = streamerStateParts(r.block);
    facts.streamerState = parts.join('+');
    facts.ready = parts[0] === 'READY';
    facts.changeable = parts.includes('CHANGEABLE');
    facts.variableAppendMode = ((r.block[13] ?? 0) & 1) === 1;
    if (o.verbose) {
      const id = check(await conn.call({ name: 'SERVERIDENT' }), 'querying the server id');
      if (id.kind === 'serverIdent') {
        say(Buffer.concat([Buffer.from('Server-ID: '), id.id, Buffer.from('\n')]));
        facts.serverId = id.id.toString('latin1');
      }
      const t = await conn.call({ name: 'QUERYNEEDEDTAPES', clientId: Buffer.from(o.clientId) });
      if (t.kind === 'text' && t.status === 0 && t.text.length > 0) {
        say(Buffer.concat([Buffer.from('Precious tapes: '), t.text, Buffer.from('\n')]));
        facts.preciousTapes = t.text.toString('latin1');
      }
    }
  }
  if (q.newCartridge) {
    const r = await conn.call({ name: 'REQUESTNEWCART' });
    const ok = !('status' in r) || r.status === 0;
    if (!ok) io.err('warning: no new or reusable cartridge found, keeping the old writing position');
    facts.newCartridge = ok;
  }
  if (q.position) {
    const p = await position(conn, 'QUERYPOSITION', 'querying the current position');
    say(positionText('Current tape access position', p.cartridge, p.file));
    facts.position = p;
  }
  if (q.writePosition) {
    if (opts.create) {
      if (o.newFile) check(await conn.call({ name: 'REQUESTNEWFILE' }), 'requesting a new tape file');
      check(await conn.call({ name: 'OPENFORWRITE' }), 'opening the tape for writing');
      result.opened = true;
    }
    const p = await position(conn, 'QUERYWRPOSITION', 'querying the next writing position');
    say(positionText('Next tape writing position', p.cartridge, p.file));
    result.writePosition = p;
    facts.writePosition = p;
  }
  if ((q.position || q.writePosition) && o.verbose) {
    const n = check(await conn.call({ name: 'QUERYNUMCARTS' }), 'querying the number of cartridges');
    if (n.kind === 'u24' || n.kind === 'u32') {
      say(`Number of cartridges: ${n.value}\n`);
      facts.numberOfCartridges = n.value;
    }
    const s = check(await conn.call({ name: 'QUERYCARTSET' }), 'querying the cartridge set');
    if (s.kind === 'u24' || s.kind === 'u32') {
      say(`Current cartridge set: ${s.value}\n`);
      facts.cartridgeSet = s.value;
    }
  }
  if (opts.dataMode && (q.position || q.writePosition || q.state) && o.verbose) say('--\n');
  return result;
}

export async function runQuery(o: AfclientOptions, io: Output): Promise<number> {
  const q = o.queries;
  if (!(q.state || q.position || q.writePosition || q.newCartridge || o.mode === 'message')) {
    // `afclient -v` alone: the version, as the original prints it.
    io.out(`Version: afbackup-ng ${VERSION} (afbackup 3.5.8 protocol)\n`);
    return 0;
  }
  const { conn } = await openSession(o);
  try {
    const r = await runPreamble(conn, o, io, { create: false, dataMode: false, quiet: o.json });
    if (o.mode === 'message') {
      const text = argBytes(o.message ?? '');
      check(await conn.call({ name: 'MESSAGETEXT', text: text.subarray(0, 996) }), 'sending the message');
      r.facts.messageSent = true;
    }
    if (o.json) io.out(JSON.stringify(r.facts) + '\n');
  } catch (e) {
    await conn.close();
    throw e;
  }
  await goodbye(conn);
  return 0;
}
