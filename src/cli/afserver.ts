#!/usr/bin/env node
/**
 * afserver: the afbackup server, one process per connection.
 *
 *   afserver [-b] [-L locale] [-l logfile] [-x programdir] [-s] [config-file]
 *       inetd "nowait" / systemd Accept=yes: the connection is fd 0 (or fd 3 when
 *       systemd passes it with LISTEN_FDS=1 and no StandardInput=socket).
 *   afserver --listen HOST:PORT [--pool N] [config-file]
 *   afserver --listen-fd [--pool N] [config-file]      (systemd Accept=no)
 *       accept connections here and hand each to its own session process.
 *   afserver --quickstart [DIR]
 *       create DIR with a configuration, a key and a virtual tape library, and
 *       listen on 127.0.0.1:2988.
 *
 * In connection mode nothing is ever written to stdout or stderr: they may be the
 * client's socket. Everything goes to the log file.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// Only light modules are imported up front: a connection process greets its client
// first and loads the server (configuration, logger, device) while the client answers.
import type { SessionOptions } from '../server/server-context.js';
import { BANNER } from '../protocol/reply-encoder.js';
import { native } from '../native.js';
import { AfError } from '../errors.js';
import { VERSION } from '../version.js';

const HELP = `Usage: afserver [options] [config-file]

The afbackup 3.5.8 compatible tape server. Started by inetd or systemd with the
connection on fd 0, it serves that one connection and exits.

Options (afbackup's):
  -l FILE            log to FILE instead of the configured Logging-file
  -x DIR             Program-Directory for remote start
  -b                 no server-side buffering (accepted; the data path streams anyway)
  -L LOCALE          accepted for compatibility, no effect
  -s                 let clients with a wrong key in (debugging only; logged)
Options (ours):
  --listen HOST:PORT accept connections here, one session process each
  --listen-fd        adopt the listening socket passed by systemd on fd 3 (Accept=no)
  --pool N           session processes kept ready in listening modes (default 2)
  --quickstart [DIR] set up DIR (default ./quickstart) with a virtual tape library
                     and listen on 127.0.0.1:2988
  -h, --help         this text
  -V, --version      the version

Exit status: 0 normal end, 2 usage, 11 unusable key file, 14 no key for the client,
32 configuration error, 1 other fatal error. See afserver(8).
`;

interface Parsed {
  options: SessionOptions;
  listen?: string;
  listenFd: boolean;
  pool: number;
  quickstart?: string;
  sessionChild: boolean;
  help: boolean;
  version: boolean;
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      l: { type: 'string' },
      x: { type: 'string' },
      b: { type: 'boolean' },
      L: { type: 'string' },
      s: { type: 'boolean' },
      D: { type: 'boolean' },
      listen: { type: 'string' },
      'listen-fd': { type: 'boolean' },
      pool: { type: 'string' },
      quickstart: { type: 'boolean' },
      'session-child': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  const pool = values.pool === undefined ? 2 : Number(values.pool);
  if (!Number.isInteger(pool) || pool < 1 || pool > 64) throw new AfError('USAGE', `--pool wants a number from 1 to 64, not "${values.pool}"`);
  if (positionals.length > 1 && !values.quickstart) throw new AfError('USAGE', `one configuration file at most, got ${positionals.length}`);
  return {
    options: { configPath: values.quickstart ? undefined : positionals[0], logFile: values.l, programDirectory: values.x, acceptBadAuth: values.s },
    listen: values.listen,
    listenFd: values['listen-fd'] ?? false,
    pool,
    quickstart: values.quickstart ? (positionals[0] ?? 'quickstart') : undefined,
    sessionChild: values['session-child'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

/** Serves one connection and returns the process exit status. */
async function serve(sock: net.Socket, options: SessionOptions): Promise<number> {
  sock.write(BANNER);
  const { createSession } = await import('../server/server-context.js');
  const bundle = await createSession({ ...options, peerAddress: sock.remoteAddress });
  sock.on('error', (err) => bundle.log.warn({ err: err.message }, 'connection error'));
  try {
    await bundle.session.run(sock, { bannerSent: true });
  } finally {
    await bundle.close();
  }
  return bundle.exitCode;
}

/** Guards a connection process: no stray output, every failure logged, never thrown at the socket. */
function hardenConnectionProcess(): void {
  try {
    native().nullStdio();
  } catch {
    /* without the addon, stdout/stderr stay as they are; we still never write to them */
  }
  process.removeAllListeners('warning');
  process.on('warning', () => undefined);
  const die = (err: unknown) => {
    void import('../log.js')
      .then(({ createLogger }) => createLogger({ file: process.env.AF_CRASH_LOG, name: 'afserver' }).fatal({ err }, 'afserver crashed'))
      .catch(() => undefined)
      .finally(() => process.exit(1));
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

function wrapFd(fd: number): net.Socket {
  return new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
}

/** systemd passes fds from 3 on; trust them only when LISTEN_PID is us. */
function systemdFds(): number {
  const pid = Number(process.env.LISTEN_PID);
  const n = Number(process.env.LISTEN_FDS);
  delete process.env.LISTEN_PID;
  delete process.env.LISTEN_FDS;
  delete process.env.LISTEN_FDNAMES;
  return pid === process.pid && Number.isInteger(n) && n > 0 ? n : 0;
}

async function runListener(p: Parsed, announce: ((addr: string) => void) | null): Promise<void> {
  const { createLogger } = await import('../log.js');
  const { SessionPool, serveWithPool, parseHostPort } = await import('../server/listener.js');
  const log = createLogger({ file: p.options.logFile ?? process.env.AF_LISTENER_LOG, name: 'afserver-listener' });
  const self = fileURLToPath(import.meta.url);
  const args = ['--session-child'];
  if (p.options.logFile) args.push('-l', p.options.logFile);
  if (p.options.programDirectory) args.push('-x', p.options.programDirectory);
  if (p.options.acceptBadAuth) args.push('-s');
  if (p.options.configPath) args.push(path.resolve(p.options.configPath));
  const pool = new SessionPool({ sessionModule: self, sessionArgs: args, poolSize: p.pool, log });
  const server = net.createServer({ pauseOnConnect: true });
  serveWithPool(server, pool);
  server.on('error', (err) => {
    process.stderr.write(`afserver: cannot listen: ${err.message}\n`);
    process.exit(1);
  });
  const stop = () => {
    pool.close();
    server.close();
    for (const c of pool.children) c.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (p.listenFd) {
    const n = systemdFds();
    if (n < 1) throw new AfError('USAGE', '--listen-fd needs a socket from systemd (LISTEN_FDS and LISTEN_PID)');
    server.listen({ fd: 3 });
  } else {
    const { host, port } = parseHostPort(p.listen!, 2988);
    server.listen(port, host, () => {
      const a = server.address() as net.AddressInfo;
      log.info({ address: a.address, port: a.port }, 'listening');
      announce?.(`${a.address}:${a.port}`);
    });
  }
}

async function main(): Promise<void> {
  let p: Parsed;
  try {
    p = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`afserver: ${(e as Error).message}\n${HELP}`);
    process.exit(2);
  }
  if (p.help) {
    process.stdout.write(HELP);
    return;
  }
  if (p.version) {
    process.stdout.write(`afserver (afbackup-ng) ${VERSION}, speaks afbackup 3.5.8\n`);
    return;
  }

  if (p.sessionChild) {
    // A pooled session process: load everything now, then wait for our one connection.
    hardenConnectionProcess();
    await import('../server/server-context.js');
    process.on('message', (msg, handle) => {
      if (msg !== 'connection' || !(handle instanceof net.Socket)) return;
      process.disconnect?.();
      void serve(handle, p.options).then((code) => process.exit(code), () => process.exit(1));
    });
    process.send?.('ready');
    return;
  }

  if (p.quickstart) {
    const { writeQuickstart } = await import('../server/quickstart.js');
    const q = writeQuickstart(path.resolve(p.quickstart));
    p.options.configPath = q.configPath;
    p.listen = '127.0.0.1:2988';
    await runListener(p, (addr) => {
      process.stdout.write(
        `afserver is listening on ${addr} over the virtual tape library in ${q.libraryDir}\n` +
          `configuration: ${q.configPath}\nkey file:      ${q.keyFile}\nlog:           ${q.logFile}\n\n` +
          `Point a client at it: this package's afclient (from this directory) or the original\n` +
          `afbackup 3.5.8 afclient (DES build) take the same options:\n` +
          `  npx afclient -h 127.0.0.1 -p 2988 -k ${q.keyFile} -w\n` +
          `  npx afclient -h 127.0.0.1 -p 2988 -k ${q.keyFile} -c -v -n -R /etc\n` +
          `  npx afclient -h 127.0.0.1 -p 2988 -k ${q.keyFile} -t -v -C 1 -F 1\n` +
          `Stop with Ctrl-C.\n`,
      );
    });
    return;
  }

  if (p.listen || p.listenFd) {
    await runListener(p, null);
    return;
  }

  // Connection mode: inetd nowait / systemd Accept=yes.
  const fds = systemdFds();
  const fd = fds === 1 ? 3 : 0;
  if (fd === 0 && process.stdin.isTTY) {
    process.stderr.write(`afserver: standard input is a terminal; afserver is started by inetd or systemd with the connection on fd 0, or use --listen\n`);
    process.exit(2);
  }
  let sock: net.Socket;
  try {
    sock = wrapFd(fd);
  } catch (e) {
    // fd 0 is not a socket: nobody to talk to and nowhere to say it but the log.
    const { createLogger } = await import('../log.js');
    createLogger({ file: p.options.logFile, name: 'afserver' }).error({ err: (e as Error).message }, 'fd 0 is not a connection');
    process.exit(2);
  }
  hardenConnectionProcess();
  const code = await serve(sock, p.options);
  process.exitCode = code;
}

void main().catch((e) => {
  const err = e instanceof AfError ? e : null;
  if (!p_isConnection()) process.stderr.write(`afserver: ${(e as Error).message}\n`);
  process.exit(err?.exitCode ?? 1);
});

function p_isConnection(): boolean {
  return !process.argv.some((a) => a === '--listen' || a.startsWith('--listen=') || a === '--listen-fd' || a === '--quickstart' || a === '--help' || a === '-h');
}
