/**
 * Wire-level test plumbing for afclient: a relay between afclient and a real
 * afserver that records the client->server bytes of each connection, and a
 * decoder that turns such a byte stream (ours, or a golden transcript's) into
 * its command sequence: command letters, `l` with its size, runs of W/R
 * collapsed to `W+`/`R+` (their lengths depend on path lengths and the data).
 */
import net from 'node:net';
import zlib from 'node:zlib';
import fs from 'node:fs';
import { RequestDecoder } from '../../src/protocol/request-decoder.js';
import { COMMAND_TABLE } from '../../src/protocol/commands.js';
import { parseTranscript } from '../../src/protocol/transcript.js';
import type { Request } from '../../src/protocol/request.js';

export interface Relay {
  port: number;
  /** Client->server bytes of each finished or running connection, in connection order. */
  streams: Buffer[][];
  close(): Promise<void>;
}

export async function startRelay(target: number): Promise<Relay> {
  const streams: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const mine: Buffer[] = [];
    streams.push(mine);
    const up = net.connect({ host: '127.0.0.1', port: target, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(up);
    client.on('data', (b: Buffer) => {
      mine.push(Buffer.from(b));
      up.write(b);
    });
    client.on('end', () => up.end());
    up.on('data', (b: Buffer) => client.write(b));
    up.on('end', () => client.end());
    const drop = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('error', drop);
    up.on('error', drop);
    client.on('close', () => sockets.delete(client));
    up.on('close', () => sockets.delete(up));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    streams,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface Command {
  letter: string;
  req: Request;
}

const LETTER = new Map<string, string>(Object.entries(COMMAND_TABLE).map(([name, row]) => [name, String.fromCharCode((row as { code: number }).code)]));

/** The requests of a client->server stream (after the authentication response). */
export function decodeCommands(c2s: Buffer, authLength: 4 | 16): Command[] {
  const d = new RequestDecoder({ authLength });
  d.push(c2s);
  if (!d.nextAuthResponse(authLength)) throw new Error('stream too short for the authentication response');
  let commBuf = 1000;
  const out: Command[] = [];
  for (;;) {
    const req = d.next(commBuf);
    if (!req) break;
    if (req.name === 'SETCOMMBUFSIZ') commBuf = req.size;
    out.push({ letter: LETTER.get(req.name) ?? '?', req });
  }
  return out;
}

/** Our own streams: the auth length is whichever makes the stream start with `a`. */
export function decodeOurs(c2s: Buffer): Command[] {
  for (const len of [16, 4] as const) {
    if (c2s[len] === 0x61) return decodeCommands(c2s, len);
  }
  throw new Error('cannot find the a command after the authentication response');
}

/** The sequence as text: `a b l1024 ! ? ... W+ i W+ * X`. */
export function sequence(cmds: Command[]): string {
  const parts: string[] = [];
  for (const c of cmds) {
    const t = c.req.name === 'SETCOMMBUFSIZ' ? `l${c.req.size}` : c.letter;
    if ((t === 'W' || t === 'R') && (parts[parts.length - 1] === t || parts[parts.length - 1] === `${t}+`)) {
      parts[parts.length - 1] = `${t}+`;
      continue;
    }
    parts.push(t);
  }
  return parts.join(' ');
}

/** The client->server stream of a gzipped golden transcript fixture. */
export function goldenStream(file: string): Buffer {
  return parseTranscript(zlib.gunzipSync(fs.readFileSync(file)).toString('latin1')).c2s;
}
