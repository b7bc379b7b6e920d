/**
 * afclient as full_backup, incr_backup and afrestore run it (the argv of the
 * vectors' client/<v>/execve-trace.txt), against a real afserver through a
 * recording relay: the client->server command sequence must be the one of the
 * golden transcripts (14-full_backup.c1/c2/c3, 15-incr_backup.c2, 17-afrestore.c1/c2)
 * decoded with the
 * same decoder, and stdout must have the original's format.
 *
 * The data tree is the vectors' tree rebuilt under a directory whose path has
 * the length of /srv/afdemo/data, the names are fed in the capture's order, and
 * the server uses 1024-byte blocks, so the stream has the golden layout: the
 * command letters and `l` sizes must match exactly; only the lengths of W/R runs
 * are collapsed (they depend on bytes that differ: times, uids, the port).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afclient } from './helpers.js';
import { makeServerDir, inetdLauncher } from '../server/e2e-helpers.js';
import { startRelay, decodeCommands, decodeOurs, goldenStream, sequence } from './wire.js';
import { escapeName } from '../../src/client/escape.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/afclient');
const golden = (name: string): string => sequence(decodeCommands(goldenStream(path.join(FIX, `${name}.hex.gz`)), 4));

interface Tree {
  top: string;
  data: string;
  startpos: string;
  names: Buffer[];
  cleanup(): void;
}

/** The vectors' data tree (README §4) under /tmp/XXXXXX/data: 16 characters, like /srv/afdemo/data. */
function buildTree(): Tree {
  const top = fs.mkdtempSync('/tmp/');
  assert.equal(`${top}/data`.length, '/srv/afdemo/data'.length);
  const data = `${top}/data`;
  fs.mkdirSync(`${data}/sub`, { recursive: true });
  const text = Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(3, '0')} of the afbackup test vector text file\n`).join('');
  fs.writeFileSync(`${data}/text.txt`, text);
  fs.linkSync(`${data}/text.txt`, `${data}/sub/hardlink.txt`);
  fs.writeFileSync(`${data}/empty`, '');
  const cafe = Buffer.concat([Buffer.from(`${data}/caf`), Buffer.of(0xe9), Buffer.from('.txt')]);
  fs.writeFileSync(cafe, 'latin-1 file name\n');
  const cipher = crypto.createCipheriv('aes-128-ctr', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'), Buffer.alloc(16));
  fs.writeFileSync(`${data}/sub/random.bin`, cipher.update(Buffer.alloc(204800)));
  fs.symlinkSync('text.txt', `${data}/link-to-text`);
  const t = (p: string | Buffer, s: number): void => fs.utimesSync(p, s, s);
  t(`${data}/text.txt`, 1306929600);
  t(`${data}/empty`, 1330473600);
  t(cafe, 1362279783);
  t(`${data}/sub/random.bin`, 1396584244);
  fs.lutimesSync(`${data}/link-to-text`, 1430802305, 1430802305);
  t(`${data}/sub`, 1465193166);
  t(data, 1499411227);
  // The start-position copy: a 30-character path, like /tmp/afbsp_Kl3_7Xz_LnH1F1_V622.
  const startpos = `${top}/afbsp_${'x'.repeat(30 - top.length - 7)}`;
  assert.equal(startpos.length, 30);
  const names = [
    Buffer.from(`//./..${startpos}`),
    Buffer.from(`${data}/link-to-text`),
    Buffer.from(`${data}/text.txt`),
    Buffer.from(`${data}/empty`),
    Buffer.from(`${data}/sub/hardlink.txt`),
    Buffer.from(`${data}/sub/random.bin`),
    Buffer.from(`${data}/sub`),
    cafe,
    Buffer.from(data),
  ];
  return { top, data, startpos, names, cleanup: () => fs.rmSync(top, { recursive: true, force: true }) };
}

test('full_backup, incr_backup and afrestore invocations: golden command sequences and output formats', { timeout: 120_000 }, async (t) => {
  const tree = buildTree();
  const srv = makeServerDir('', { blockSize: 1024, carts: 10 });
  const launcher = await inetdLauncher(srv.conf);
  const relay = await startRelay(launcher.port);
  t.after(async () => {
    await relay.close();
    await launcher.close();
    srv.cleanup();
    tree.cleanup();
  });
  const key = path.join(srv.dir, 'cryptkey');
  const port = String(relay.port);
  const A = ['-h', '127.0.0.1', '-p', port, '-k', key];

  // c1: afbackup -wv -h H -p P -k K -W ID
  const c1 = await afclient(['-wv', ...A, '-W', 'afdemo-client']);
  assert.equal(c1.status, 0, c1.err.join('\n'));
  const c1lines = c1.out.toString('latin1').split('\n');
  assert.match(c1lines[0]!, /^Streamer state: (READY|UNLOADED)\+CHANGEABLE$/);
  assert.match(c1lines[1]!, /^Server-ID: .+$/);
  assert.equal(c1lines[2], 'Precious tapes: -');
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[0]!))), golden('14-full_backup.c1'));

  // c2: afbackup -QwjcvnlOUE -h H -H- -p P -z ". 2" . -k K -s *.gz -s *.bz2 -W ID -V REPORT, header + names on stdin
  const header = fs
    .readFileSync(path.join(FIX, 'full-backup-header.bin'))
    .toString('latin1')
    .replaceAll('/tmp/afbsp_Kl3_7Xz_LnH1F1_V622', tree.startpos);
  const startposText = `1.1/1: 127.0.0.1 ${port} 1 1\n`;
  fs.writeFileSync(tree.startpos, startposText);
  const stdin = Buffer.concat([
    escapeName(Buffer.from(header, 'latin1')),
    Buffer.from('\n'),
    ...tree.names.flatMap((n) => [escapeName(n), Buffer.from('\n')]),
  ]);
  const report = path.join(tree.top, 'afbrep');
  const c2 = await afclient(
    ['-QwjcvnlOUE', '-h', '127.0.0.1', '-H-', '-p', port, '-z', '. 2', '.', '-k', key, '-s', '*.gz', '-s', '*.bz2', '-W', 'afdemo-client', '-V', report],
    { stdin },
  );
  assert.equal(c2.status, 0, c2.err.join('\n'));
  assert.deepEqual(c2.err, []);
  const ours = sequence(decodeOurs(Buffer.concat(relay.streams[1]!)));
  assert.equal(ours, golden('14-full_backup.c2'));
  assert.equal(ours, 'a b l1024 ! ? { % n > i @ q l1000 W i W+ i W+ i * T X');

  // stdout: the preamble up to `--`, then index lines.
  const out = c2.out.toString('latin1').split('\n');
  const dash = out.indexOf('--');
  assert.ok(dash > 0, c2.out.toString('latin1'));
  assert.match(out[0]!, /^Streamer state: /);
  assert.match(out[1]!, /^Server-ID: /);
  assert.equal(out[2], 'Precious tapes: -');
  assert.deepEqual(out.slice(3, 9), ['Next tape writing position', 'Cartridge: 1', 'File:      1', 'Number of cartridges: 10', 'Current cartridge set: 1', '--']);
  const uid = process.getuid?.() ?? 0;
  const startMtime = Math.floor(fs.statSync(tree.startpos).mtimeMs / 1000);
  // The golden index lines, with our paths, port, position, uid and start-position time.
  const goldenIndex = fs
    .readFileSync(path.join(FIX, 'backup_log.1.decompressed.txt'), 'latin1')
    .split('\n')
    .filter((l) => l.startsWith('127.0.0.1%29880!1.4|'))
    .map((l) =>
      l
        .replace('127.0.0.1%29880!1.4|0~', `127.0.0.1%${port}!1.1|${uid}~`)
        .replace('/srv/afdemo/data', tree.data)
        .replace(/~1795610225: \/tmp\/afbsp_Kl3_7Xz_LnH1F1_V622$/, `~${startMtime}: ${tree.startpos}`),
    );
  assert.deepEqual(out.slice(dash + 1).filter((l) => l !== ''), goldenIndex);

  // The report file (-V).
  const rep = fs.readFileSync(report, 'latin1');
  assert.match(rep, /^Backup statistics:\n==================\n\nClient Identifier: {13}afdemo-client\n\nExit Status: {19}0\n\n/);
  assert.match(rep, /\nBackup Server: {17}127\.0\.0\.1\nBackup Port: {19}\d+\n/);
  assert.match(rep, /\nFirst Cartridge used: {10}1\nFirst Tapefile accessed: {7}1\nLast Cartridge used: {11}1\nLast Tapefile accessed: {8}1\nUsed Cartridges: {15}1\n\n/);
  assert.match(rep, /\nStored filesystem entries: {5}9\n/);
  assert.match(rep, /\nTotal compression factor: {6}\d+\.\d\d\nReal compression factor: {7}\d+\.\d\d\n\n$/);

  // c3: afbackup -h H -p P -k K -W ID -M "PreciousTapes:ID 1"
  const c3 = await afclient([...A, '-W', 'afdemo-client', '-M', 'PreciousTapes:afdemo-client 1']);
  assert.equal(c3.status, 0, c3.err.join('\n'));
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[2]!))), golden('14-full_backup.c3'));
  const c1b = await afclient(['-wv', ...A, '-W', 'afdemo-client']);
  assert.equal(c1b.out.toString('latin1').split('\n')[2], 'Precious tapes: 1');

  // --json for the queries: the same facts as one object.
  const j = await afclient(['-wQqv', '--json', ...A, '-W', 'afdemo-client']);
  assert.equal(j.status, 0, j.err.join('\n'));
  const facts = JSON.parse(j.out.toString());
  assert.equal(facts.preciousTapes, '1');
  assert.deepEqual(facts.writePosition, { cartridge: 1, file: 2 });
  assert.equal(facts.numberOfCartridges, 10);
  assert.equal(facts.cartridgeSet, 1);
  assert.equal(typeof facts.streamerState, 'string');
  assert.equal(typeof facts.serverId, 'string');

  // -p with a path: a Unix-domain socket (here one that forwards to the server).
  const sockPath = path.join(tree.top, 'af.sock');
  const unix = net.createServer((c) => {
    const up = net.connect({ host: '127.0.0.1', port: launcher.port });
    c.pipe(up);
    up.pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => unix.listen(sockPath, r));
  const viaSocket = await afclient(['-Q', '-h', 'localhost', '-p', sockPath, '-k', key]);
  await new Promise((r) => unix.close(r));
  assert.equal(viaSocket.status, 0, viaSocket.err.join('\n'));
  assert.equal(viaSocket.out.toString(), 'Next tape writing position\nCartridge: 1\nFile:      2\n');

  // afrestore: afbackup -xvanlu -h H -p P -k K -C 1 -F 1 -W ID -r (names on stdin are ignored with -a)
  const dest = path.join(tree.top, 'restore');
  fs.mkdirSync(dest);
  const x = await afclient(['-xvanlu', ...A, '-C', '1', '-F', '1', '-W', 'afdemo-client', '-r'], { cwd: dest, stdin: Buffer.from('whatever\n') });
  assert.equal(x.status, 0, x.err.join('\n'));
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[5]!))), golden('17-afrestore.c1'));
  assert.equal(golden('17-afrestore.c1'), 'a b l1024 c f ! < g R l1000 R g R+ g * X');
  const rel = tree.data.slice(1);
  const expected = fs
    .readFileSync(path.join(FIX, '17-afrestore.out'), 'latin1')
    .split('Going to restore from server 127.0.0.1, port 29880, cartridge 1, file 5\n')[0]!
    .replace('Going to restore from server 127.0.0.1, port 29880, cartridge 1, file 4\n', '')
    .replaceAll('127.0.0.1%29880!1.4', `127.0.0.1%${port}!1.1`)
    .replaceAll('srv/afdemo/data', rel)
    .replace('tmp/afbsp_Kl3_7Xz_LnH1F1_V622', tree.startpos.slice(1))
    .replace(/## Full backup at [^\n]*\n/, () => header.slice(header.lastIndexOf('## Full')));
  assert.equal(x.out.toString('latin1'), expected);
  assert.equal(fs.readFileSync(path.join(dest, rel, 'sub/random.bin')).length, 204800);

  // incr_backup's c2: the start-position copy and one new file; then afrestore's second connection.
  const incrNew = path.join(tree.data, 'incr-new.txt');
  fs.writeFileSync(incrNew, 'new file for incr_backup\n');
  fs.utimesSync(incrNew, 1893456000, 1893456000);
  const incrHeader = header.replace('## Full backup', '## Incremental backup');
  const incrIn = Buffer.concat([escapeName(Buffer.from(incrHeader, 'latin1')), Buffer.from('\n'), escapeName(tree.names[0]!), Buffer.from('\n'), escapeName(Buffer.from(incrNew)), Buffer.from('\n')]);
  const before = relay.streams.length;
  const incr = await afclient(
    ['-QwjcvnlOUE', '-h', '127.0.0.1', '-H-', '-p', port, '-z', '. 2', '.', '-k', key, '-s', '*.gz', '-s', '*.bz2', '-W', 'afdemo-client', '-V', report],
    { stdin: incrIn },
  );
  assert.equal(incr.status, 0, incr.err.join('\n'));
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[before]!))), golden('15-incr_backup.c2'));
  const incrPos = /^Cartridge: (\d+)\nFile: +(\d+)$/m.exec(incr.out.toString('latin1'))!;
  const x2 = await afclient(['-xvanlu', ...A, '-C', incrPos[1]!, '-F', incrPos[2]!, '-W', 'afdemo-client', '-r'], { cwd: dest });
  assert.equal(x2.status, 0, x2.err.join('\n'));
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[before + 1]!))), golden('17-afrestore.c2'));
  assert.equal(fs.readFileSync(path.join(dest, rel, 'incr-new.txt'), 'latin1'), 'new file for incr_backup\n');

  // -t -v reads like the golden 08-t-tree: the first R at the block size, then l 1000.
  const tv = await afclient(['-t', '-v', ...A, '-C', '1', '-F', '1']);
  assert.equal(tv.status, 0, tv.err.join('\n'));
  assert.equal(sequence(decodeOurs(Buffer.concat(relay.streams[relay.streams.length - 1]!))), 'a b l1024 c f ! < R l1000 R+ * X');
  assert.equal(fs.readFileSync(path.join(dest, rel, 'text.txt'), 'latin1'), fs.readFileSync(`${tree.data}/text.txt`, 'latin1'));
});
