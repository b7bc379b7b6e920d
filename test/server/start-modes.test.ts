/**
 * End to end over loopback with real processes: afserver started the inetd way
 * (the connection on fds 0 and 1), the systemd ways (systemd-socket-activate with
 * Accept=yes on stdin, Accept=yes on fd 3, Accept=no with --listen-fd), and with
 * --listen. In each, a backup is written into the virtual library and read back.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { AFSERVER, backup, connect, freePort, hasCommand, inetdLauncher, makeServerDir, pseudoRandom, restore, startProcess } from './e2e-helpers.js';
import type { Connection } from '../../src/client/connection.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function roundTrip(port: number, seed: number): Promise<void> {
  const data = pseudoRandom(3 * 65536 + 12345, seed);
  const c1: Connection = await connect(port);
  assert.equal(c1.serverVersion, '3.5.8');
  const bs = await c1.call({ name: 'QUERYTAPEBLOCKSIZE' });
  assert.deepEqual(bs, { kind: 'u32', value: 65536, status: 0 });
  const at = await backup(c1, data);
  await c1.ok({ name: 'GOODBYE' });
  await c1.close();
  const c2 = await connect(port);
  const back = await restore(c2, at, data.length);
  await c2.ok({ name: 'GOODBYE' });
  await c2.close();
  assert.ok(back.equals(data), 'what was written reads back identically');
}

test('inetd nowait: the connection on fd 0', async () => {
  const s = makeServerDir();
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  await roundTrip(inetd.port, 1);
  // Nothing may ever reach fd 2 either (it is the socket under real inetd).
  const stderr = inetd.children.map((c) => c.stderr!.read()?.toString() ?? '').join('');
  assert.equal(stderr, '');
});

test('--listen HOST:PORT with its pool of session processes', async () => {
  const s = makeServerDir();
  const port = await freePort();
  const p = startProcess(process.execPath, [AFSERVER, '--listen', `127.0.0.1:${port}`, '--pool', '2', s.conf]);
  cleanups.push(() => p.stop(), s.cleanup);
  await roundTrip(port, 2);
  await roundTrip(port, 3);
});

// CI installs systemd-socket-activate; there a missing one is a failure, not a skip.
const ssa = hasCommand('systemd-socket-activate') || process.env.CI === 'true';

test('systemd Accept=yes with StandardInput=socket (systemd-socket-activate -a --inetd)', { skip: !ssa && 'systemd-socket-activate is not installed' }, async () => {
  const s = makeServerDir();
  const port = await freePort();
  const p = startProcess('systemd-socket-activate', ['-l', `127.0.0.1:${port}`, '-a', '--inetd', process.execPath, AFSERVER, s.conf]);
  cleanups.push(() => p.stop(), s.cleanup);
  await roundTrip(port, 4);
});

test('systemd Accept=yes, connection on fd 3 (systemd-socket-activate -a)', { skip: !ssa && 'systemd-socket-activate is not installed' }, async () => {
  const s = makeServerDir();
  const port = await freePort();
  const p = startProcess('systemd-socket-activate', ['-l', `127.0.0.1:${port}`, '-a', process.execPath, AFSERVER, s.conf]);
  cleanups.push(() => p.stop(), s.cleanup);
  await roundTrip(port, 5);
});

test('systemd Accept=no: the listening socket on fd 3 (--listen-fd)', { skip: !ssa && 'systemd-socket-activate is not installed' }, async () => {
  const s = makeServerDir();
  const port = await freePort();
  const p = startProcess('systemd-socket-activate', ['-l', `127.0.0.1:${port}`, process.execPath, AFSERVER, '--listen-fd', s.conf]);
  cleanups.push(() => p.stop(), s.cleanup);
  await roundTrip(port, 6);
  await roundTrip(port, 7);
});
