/**
 * End to end over loopback, media behaviour: a second client is told the device is
 * in use while the first writes; a backup bigger than a virtual cartridge goes on
 * over the next cartridges and the state files say so; a server killed in the
 * middle of a write leaves no lock behind and every state file still parses.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSession } from '../../src/server/server-context.js';
import { backup, connect, inetdLauncher, makeServerDir, pseudoRandom, restore } from './e2e-helpers.js';
import { VarDir } from '../../src/state/var-dir.js';
import { tryAcquire } from '../../src/state/device-lock.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('a second client is told the device is in use while the first writes', async () => {
  const s = makeServerDir();
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  const writer = await connect(inetd.port);
  await writer.ok({ name: 'SETCOMMBUFSIZ', size: 65536 });
  await writer.ok({ name: 'OPENFORWRITE' });
  await writer.ok({ name: 'WRITETOTAPE', data: pseudoRandom(65536, 9) });

  const other = await connect(inetd.port);
  const pos = await other.call({ name: 'QUERYWRPOSITION' });
  assert.equal(pos.kind === 'position' && pos.status, 0x55, "QUERYWRPOSITION answers 'U' DEVINUSE");
  const rdy = await other.call({ name: 'QUERYRDYFORSERV' });
  assert.ok(rdy.kind === 'rdyForServ');
  assert.equal(rdy.block[0]! & 0x0f, 3, 'the status block says BUSY');
  await other.ok({ name: 'GOODBYE' });
  await other.close();

  await writer.ok({ name: 'CLOSETAPE' });
  await writer.ok({ name: 'GOODBYE' });
  await writer.close();
  const again = await connect(inetd.port);
  const pos2 = await again.call({ name: 'QUERYWRPOSITION' });
  assert.deepEqual(pos2, { kind: 'position', cartridge: 1, file: 2, status: 0 });
  await again.ok({ name: 'GOODBYE' });
  await again.close();
});

test('a backup larger than a cartridge continues on the next ones and reads back across them', async () => {
  // 1 MiB cartridges (64 KiB early warning), 64 KiB blocks: 2.5 MiB of data needs three cartridges.
  const s = makeServerDir('Virtual-Early-Warning: 64K\n', { capacity: '1M' });
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  const data = pseudoRandom(2.5 * 1024 * 1024, 11);
  const c = await connect(inetd.port);
  const at = await backup(c, data);
  const written = await c.call({ name: 'QUERYWRITTENTAPES' });
  assert.ok(written.kind === 'text');
  assert.equal(written.text.toString(), '1-3');
  await c.ok({ name: 'GOODBYE' });
  await c.close();
  assert.deepEqual(at, { cart: 1, file: 1 });

  const v = (f: string) => fs.readFileSync(path.join(s.var, f), 'latin1');
  assert.equal(v('cartridge_order'), '1 -> 2 1\n2 -> 3 1\n');
  assert.equal(v('tape_uses'), '1: 1\n2: 1\n');
  const bot = v('bytes_on_tape').split('\n').filter(Boolean).map((l) => l.split(' '));
  assert.deepEqual(bot.map((f) => [f[0], f[2], f[3]]), [['1:', '1', '1'], ['2:', '1', '1'], ['3:', '1', '0']]);
  assert.match(v('tapepos'), /^1: 3 2$/m);

  const r = await connect(inetd.port);
  const back = await restore(r, at, data.length);
  await r.ok({ name: 'GOODBYE' });
  await r.close();
  assert.ok(back.equals(data), 'the stream reads back across the three cartridges');
});

test('a server killed while writing leaves no lock, and the state files parse', async () => {
  const s = makeServerDir();
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  const first = await connect(inetd.port);
  await backup(first, pseudoRandom(200000, 5));
  await first.ok({ name: 'GOODBYE' });
  await first.close();

  const victim = await connect(inetd.port);
  await victim.ok({ name: 'SETCOMMBUFSIZ', size: 65536 });
  await victim.ok({ name: 'OPENFORWRITE' });
  for (let i = 0; i < 20; i++) await victim.ok({ name: 'WRITETOTAPE', data: pseudoRandom(65536, i) });
  const child = inetd.children[inetd.children.length - 1]!;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  await victim.close();

  // The device lock and the drive are free again.
  const probe = await tryAcquire(path.join(s.var, 'server.lock'), 'r');
  assert.ok('held' in probe, 'the device lock can be taken');
  await probe.held.release();
  const next = await connect(inetd.port);
  const pos = await next.call({ name: 'QUERYWRPOSITION' });
  assert.equal(pos.kind === 'position' && pos.status, 0);
  const at = await backup(next, pseudoRandom(100000, 6));
  assert.equal(at.cart, 1);
  await next.ok({ name: 'GOODBYE' });
  await next.close();

  // Every state file parses.
  const vd = new VarDir(s.var, { tapePosFile: path.join(s.var, 'tapepos') });
  for (const f of [vd.tapepos, vd.bytesOnTape, vd.tapeUses, vd.cartridgeOrder, vd.preciousTapes, vd.readonlyTapes, vd.everUsedBlocksizes]) await f.read();
  assert.ok(await vd.status.read());
});

test('manual cartridge handling: the operator is asked, and CartridgeReady lets the backup go on', async () => {
  // A prefix of our own gives this server its own flag file (/tmp/afbu_cartready.<prefix>).
  process.env.AF_INSTALL_PREFIX = `/afbu-test-${process.pid}`;
  const flag = `/tmp/afbu_cartready.^afbu-test-${process.pid}`;
  const s = makeServerDir();
  cleanups.push(process.env.AF_KEEP ? () => undefined : s.cleanup);
  // A directory device without a changer: cartridge n is the directory vol.<n>, which the "operator" links.
  fs.mkdirSync(path.join(s.dir, 'vol.1'));
  fs.symlinkSync(path.join(s.dir, 'vol.1'), path.join(s.dir, 'vol'));
  const conf = fs
    .readFileSync(s.conf, 'utf8')
    .replace(/^Backup-Device:.*$/m, `Backup-Device: ${s.dir}/vol`)
    .replace(/^Cartridge-Handler:.*$/m, 'Cartridge-Handler: 0')
    .replace(/^Number Of Cartridges:.*$/m, 'Number Of Cartridges: 2\nMax Bytes Per Tape: 600000\nDevice-Probe-Interval: 1\nSetFile-Command: exit 0\nChange-Cart-Command: exit 0');
  fs.writeFileSync(s.conf, conf);
  const session = await createSession({ configPath: s.conf });
  const data = pseudoRandom(500000, 21);
  const writing = (async () => {
    await session.session.dispatch({ name: 'SETCOMMBUFSIZ', size: 65536 });
    assert.deepEqual([...(await session.session.dispatch({ name: 'OPENFORWRITE' }))!], [0]);
    for (let off = 0; off < data.length; off += 65536) {
      const piece = Buffer.alloc(65536);
      data.copy(piece, 0, off);
      const st = await session.session.dispatch({ name: 'WRITETOTAPE', data: piece });
      assert.equal(st![0], 0);
    }
    assert.equal((await session.session.dispatch({ name: 'CLOSETAPE' }))![0], 0);
  })();
  // The server asks for cartridge 2 and waits.
  const msgFile = path.join(s.var, 'client_message');
  for (let i = 0; i < 100 && !(fs.existsSync(flag) && fs.existsSync(msgFile)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(fs.existsSync(flag), 'the cartridge-ready flag exists while the server waits');
  assert.match(fs.readFileSync(msgFile, 'latin1'), /Please insert cartridge number 2 for writing/);
  fs.mkdirSync(path.join(s.dir, 'vol.2'));
  fs.rmSync(path.join(s.dir, 'vol'));
  fs.symlinkSync(path.join(s.dir, 'vol.2'), path.join(s.dir, 'vol'));
  const other = await createSession({ configPath: s.conf });
  const st = await other.session.dispatch({ name: 'MESSAGETEXT', text: Buffer.from('CartridgeReady') });
  assert.equal(st![0], 0);
  await other.close();
  await writing;
  await session.close();
  assert.equal(fs.existsSync(flag), false);
  assert.equal(fs.readFileSync(path.join(s.var, 'cartridge_order'), 'latin1'), '1 -> 2 1\n');
  assert.ok(fs.existsSync(path.join(s.dir, 'vol.2/data.1')));
  delete process.env.AF_INSTALL_PREFIX;
});

test('large blocks (256 KiB, written by the thread pool, one in flight) continue across cartridges too', async () => {
  const s = makeServerDir('Virtual-Early-Warning: 256K\n', { capacity: '2M', blockSize: 262144 });
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  const data = pseudoRandom(5 * 1024 * 1024 + 4321, 17);
  const c = await connect(inetd.port);
  const at = await backup(c, data);
  await c.ok({ name: 'GOODBYE' });
  await c.close();
  const order = fs.readFileSync(path.join(s.var, 'cartridge_order'), 'latin1');
  assert.match(order, /^1 -> 2 1\n2 -> 3 1\n/);
  const r = await connect(inetd.port);
  const back = await restore(r, at, data.length);
  await r.ok({ name: 'GOODBYE' });
  await r.close();
  assert.ok(back.equals(data));
});

test('walking the tape file by file, as afclient -I does: open, read a little, close without rewind, skip one', async () => {
  const s = makeServerDir();
  const inetd = await inetdLauncher(s.conf);
  cleanups.push(() => inetd.close(), s.cleanup);
  const c = await connect(inetd.port);
  const heads: string[] = [];
  for (const name of ['first', 'second', 'third']) {
    const data = Buffer.concat([Buffer.from(`100;${name.length};${name}.`), pseudoRandom(150000, name.length)]);
    await backup(c, data);
  }
  await c.ok({ name: 'SETERRORONEOT' });
  await c.ok({ name: 'SETCARTRIDGE', cartridge: 1 });
  await c.ok({ name: 'SETFILE', file: 1 });
  for (;;) {
    const open = await c.call({ name: 'OPENFORREAD' });
    if (open.kind === 'status' && open.status !== 0) {
      assert.equal(open.status, 0x3c, "the walk ends with '<' OPENRD_FAILED");
      break;
    }
    const g = await c.call({ name: 'QUERYRDPOSITION' });
    const r = await c.call({ name: 'READFROMTAPE' });
    assert.ok(r.kind === 'readBuffer' && g.kind === 'position');
    heads.push(`${g.cartridge}.${g.file} ${/^100;\d+;(\w+)\./.exec(r.data.toString('latin1'))?.[1]}`);
    await c.ok({ name: 'CLOSETAPEN' });
    await c.ok({ name: 'SKIPFILES', count: 1 });
  }
  await c.ok({ name: 'GOODBYE' });
  await c.close();
  assert.deepEqual(heads, ['1.1 first', '1.2 second', '1.3 third']);
});
