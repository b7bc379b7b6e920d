/**
 * A minimal inetd "nowait" service of our own, for the benchmarks: it accepts on
 * 127.0.0.1 with the connection paused (nothing is ever read in this process),
 * starts one program per connection with the socket as its fd 0 and fd 1 (fd 2 is
 * /dev/null) and closes its own copy of the socket. That is what inetd does for
 * `afserver`, so we know the pid of every session process.
 */
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { LOOPBACK, startProcess } from './util.js';

export class InetdLauncher {
  /** Every process started for a connection, in order. */
  readonly spawned: ChildProcess[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on an ephemeral loopback port; `argv` is the program and its arguments. */
  static async start(argv: [string, ...string[]]): Promise<InetdLauncher> {
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, LOOPBACK, () => resolve());
    });
    const launcher = new InetdLauncher(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (sock) => launcher.launch(argv, sock));
    return launcher;
  }

  private launch(argv: [string, ...string[]], sock: net.Socket): void {
    let child: ChildProcess;
    try {
      child = startProcess(argv[0], argv.slice(1), { stdio: [sock, sock, 'ignore'] });
    } catch {
      sock.destroy();
      return;
    }
    // The child has its own descriptor now; ours would only keep the connection open.
    sock.destroy();
    child.on('error', () => undefined);
    this.spawned.push(child);
    for (const w of this.waiters.splice(0)) w();
  }

  /** The process started for connection number i (0-based), waiting at most `ms` for it. */
  async child(i: number, ms: number): Promise<ChildProcess> {
    const end = performance.now() + ms;
    while (!this.spawned[i]) {
      const left = end - performance.now();
      if (left <= 0) throw new Error(`inetd launcher: no process for connection ${i + 1} after ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.spawned[i]!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
