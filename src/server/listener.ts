/**
 * Listening modes of afserver (--listen HOST:PORT and systemd Accept=no with
 * --listen-fd): the parent accepts connections and hands each one to its own
 * session process, exactly one process per connection, as inetd would.
 *
 * To keep connect-to-banner short, a small pool of session processes is started
 * ahead of time: each has loaded its code and waits for one socket over its IPC
 * channel, serves it, and exits. The parent starts a replacement for every
 * process it hands a connection to. This is the only socket-accepting code.
 */
import net from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';

export interface ListenerOptions {
  /** Module to fork as a session process (it must call serveHandedSocket). */
  sessionModule: string;
  /** Arguments for the session processes (config file etc.). */
  sessionArgs: string[];
  /** Node options for the session processes (e.g. --import tsx in tests). */
  execArgv?: string[];
  poolSize: number;
  log: Logger;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
}

export class SessionPool {
  private idle: Worker[] = [];
  private starting = 0;
  private waiting: net.Socket[] = [];
  private closed = false;
  readonly children = new Set<ChildProcess>();

  constructor(private readonly o: ListenerOptions) {
    for (let i = 0; i < Math.max(1, o.poolSize); i++) this.spawn();
  }

  private spawn(): void {
    if (this.closed) return;
    this.starting++;
    const child = fork(this.o.sessionModule, this.o.sessionArgs, {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: this.o.execArgv ?? process.execArgv,
      serialization: 'json',
    });
    this.children.add(child);
    const w: Worker = { child, ready: false };
    child.once('message', (m) => {
      if (m !== 'ready') return;
      this.starting--;
      w.ready = true;
      const sock = this.waiting.shift();
      if (sock) this.handTo(w, sock);
      else this.idle.push(w);
    });
    child.on('exit', (code, signal) => {
      this.children.delete(child);
      if (!w.ready) this.starting--;
      this.idle = this.idle.filter((x) => x !== w);
      if (code !== 0) this.o.log.warn({ pid: child.pid, code, signal }, 'session process ended abnormally');
    });
    child.on('error', (err) => this.o.log.error({ err }, 'cannot start a session process'));
  }

  /** Hands an accepted (paused) socket to a ready session process. */
  accept(sock: net.Socket): void {
    const w = this.idle.shift();
    if (w) this.handTo(w, sock);
    else {
      this.waiting.push(sock);
      if (this.starting === 0) this.spawn();
    }
  }

  private handTo(w: Worker, sock: net.Socket): void {
    w.child.send('connection', sock, { keepOpen: false }, (err) => {
      if (err) {
        this.o.log.error({ err }, 'handing a connection to a session process failed');
        sock.destroy();
      }
    });
    // The session process owns the connection now; keep the pool topped up.
    this.spawn();
  }

  close(): void {
    this.closed = true;
    for (const w of this.idle) w.child.kill();
    this.idle = [];
    for (const s of this.waiting) s.destroy();
  }
}

/** Accepts on `server` and hands every connection to the pool. */
export function serveWithPool(server: net.Server, pool: SessionPool): void {
  server.on('connection', (sock) => pool.accept(sock));
}

export function parseHostPort(spec: string, defaultPort: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`cannot read "${spec}" as HOST:PORT`);
  const host = m[1] ?? (m[2] || '127.0.0.1');
  const port = m[3] !== undefined ? Number(m[3]) : defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port in "${spec}"`);
  return { host, port };
}
