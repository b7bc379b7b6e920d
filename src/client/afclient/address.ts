/**
 * Where afclient connects: `-h host` with `-p` as a TCP port number, a service
 * name looked up in /etc/services (tcp), or a path (anything with a slash) naming
 * a Unix-domain socket. Without -p the service `afbackup` is looked up and port
 * 2988 used when /etc/services does not list it, as the original does. Also
 * opens the connection (TCP or Unix socket) and runs the handshake.
 */
import fs from 'node:fs';
import net from 'node:net';
import { AfError } from '../../errors.js';
import { Connection } from '../connection.js';
import { keyMaterialFromFile } from '../../protocol/auth.js';

/** The port afbackup uses when the service name is not in /etc/services. */
export const DEFAULT_PORT = 2988;
export const DEFAULT_SERVICE = 'afbackup';

export type ServerAddress =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; host: string; path: string; port: number };

/** The TCP port of a service name in an /etc/services text, or null. */
export function lookupService(name: string, servicesText: string): number | null {
  for (const raw of servicesText.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(words[1] ?? '');
    if (!m || m[2] !== 'tcp') continue;
    if (words[0] === name || words.slice(2).includes(name)) return Number(m[1]);
  }
  return null;
}

function servicesFile(): string {
  try {
    return fs.readFileSync(process.env.AF_SERVICES_FILE ?? '/etc/services', 'latin1');
  } catch {
    return '';
  }
}

/** Resolves -p (default: the afbackup service). */
export function resolveAddress(host: string, port: string): ServerAddress {
  const fallback = (): number => lookupService(DEFAULT_SERVICE, servicesFile()) ?? DEFAULT_PORT;
  if (port.includes('/')) return { kind: 'unix', host, path: port, port: fallback() };
  if (/^\d{1,5}$/.test(port)) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw new AfError('USAGE', `-p: ${port} is not a TCP port number (1 to 65535)`);
    return { kind: 'tcp', host, port: n };
  }
  const found = lookupService(port, servicesFile());
  if (found !== null) return { kind: 'tcp', host, port: found };
  if (port === DEFAULT_SERVICE) return { kind: 'tcp', host, port: DEFAULT_PORT };
  throw new AfError('USAGE', `-p: cannot resolve the TCP service "${port}" (not a number, not in /etc/services, no socket path)`);
}

/** The port number afclient shows (in `server%port!` prefixes and reports). */
export function shownPort(a: ServerAddress): number {
  return a.port;
}

export function readKey(file: string | undefined): Buffer | null {
  if (file === undefined) return null;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new AfError('KEYFILE', `${file}: ${(e as Error).message}`);
  }
  // The DES material (up to 99 bytes) also starts with the 5 bytes simple mode uses.
  return keyMaterialFromFile('des', bytes);
}

/** Connects (TCP or Unix socket) and authenticates. */
export async function connectTo(a: ServerAddress, key: Buffer | null, timeoutMs = 30_000): Promise<Connection> {
  if (a.kind === 'tcp') return Connection.connect({ host: a.host, port: a.port, key, scheme: 'auto', timeoutMs });
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ path: a.path, allowHalfOpen: true });
    const t = setTimeout(() => s.destroy(new AfError('CONNECT_FAILED', `${a.path}: timed out`)), timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e instanceof AfError ? e : new AfError('CONNECT_FAILED', `${a.path}: ${e.message}`));
    });
  });
  const c = new Connection(sock);
  try {
    await c.handshake(key, 'auto', true);
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}
