/**
 * copy_tape end to end between two of our afservers (virtual libraries), and on
 * one server through the temporary directory: the copy lists like the original,
 * its label names the target number with the source as the second number and
 * where it was copied from, and the commands on both connections follow the
 * duplicate sequence (source `D` … `r` `R`… `.`, target `D` `E` `G 1` `w` `W`…
 * `&` `W` `.` … `*`). Also the -D target parser and the label rewriter.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeServerDir, inetdLauncher, ROOT } from '../server/e2e-helpers.js';
import { afclient } from '../afclient/helpers.js';
import { startRelay, decodeOurs, sequence } from '../afclient/wire.js';
import { parseCopyTarget } from '../../src/client/afclient/duplicate.js';
import { rewriteLabel } from '../../src/client/afclient/label-rewrite.js';

const COPY_TAPE = path.join(ROOT, 'dist/cli/copy_tape.js');

function run(args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [COPY_TAPE, ...args]);
    let out = '';
    let err = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString('latin1')));
    c.stderr.on('data', (b: Buffer) => (err += b.toString('latin1')));
    c.on('close', (status) => resolve({ status, out, err }));
  });
}

function label(cart: number, second = cart): Buffer {
  const text = `\nAF's backup system\n\nINFO HEADER\n\nCartridge number:\t${cart}\n\n2nd cartridge number:\t${second}\n\nLabeling time:\t\tWed Nov 25 12:00:00 2026\n\nTape Blocksize:\t\t1024\n\nProgram version:\t3.5.8\n\nComment:\t\t<labeled automatically>\n`;
  const b = Buffer.alloc(1024);
  b.write(text, 'latin1');
  return b;
}

test('-D target forms', () => {
  assert.deepEqual(parseCopyTarget('-h b -p 3000 -C 4 -k /k'), { host: 'b', port: '3000', cartridge: 4, keyFile: '/k' });
  assert.deepEqual(parseCopyTarget('-hb -P3000'), { host: 'b', port: '3000', cartridge: undefined, keyFile: undefined });
  assert.deepEqual(parseCopyTarget('5@host%2988:/etc/key'), { host: 'host', port: '2988', cartridge: 5, keyFile: '/etc/key' });
  assert.deepEqual(parseCopyTarget('7'), { host: undefined, port: undefined, cartridge: 7, keyFile: undefined });
  assert.throws(() => parseCopyTarget('-x 1'), /-D: unexpected "-x"/);
  assert.throws(() => parseCopyTarget('-C zero'), /cartridge number/);
});

test('label rewriting: target number, source as second number (kept through copies), copy source and time', () => {
  const once = rewriteLabel(label(1), { target: 2, copyFrom: 'a%2988', time: 'T1' });
  assert.equal(once.length, 1024);
  const t = once.toString('latin1').replace(/\0+$/, '');
  assert.match(t, /\nCartridge number:\t2\n\n2nd cartridge number:\t1\n\nLabeling time:\t\tWed Nov 25 12:00:00 2026\n\nCopy from:\t\ta%2988\n\nDuplicating time:\tT1\n\nTape Blocksize:/);
  const twice = rewriteLabel(once, { target: 3, copyFrom: 'b%1', time: 'T2' }).toString('latin1');
  assert.match(twice, /Cartridge number:\t3\n/);
  assert.match(twice, /2nd cartridge number:\t1\n/);
  assert.match(twice, /Copy from:\t\ta%2988\n/);
  assert.match(twice, /Duplicating time:\tT2\n/);
  assert.doesNotMatch(twice, /T1/);
  const notALabel = Buffer.from('1;33188;123;0;0;1;a;0;;0;.');
  assert.equal(rewriteLabel(notALabel, { target: 2, copyFrom: 'x', time: 'y' }), notALabel);
});

test('copy_tape between two servers and on one server', { timeout: 180_000 }, async (t) => {
  if (!fs.existsSync(COPY_TAPE)) return t.skip('dist/cli/copy_tape.js is not built (npm run build:ts)');
  const a = makeServerDir('', { blockSize: 1024 });
  const b = makeServerDir('', { blockSize: 1024 });
  const la = await inetdLauncher(a.conf);
  const lb = await inetdLauncher(b.conf);
  const ra = await startRelay(la.port);
  const rb = await startRelay(lb.port);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'afcopy-'));
  t.after(async () => {
    await ra.close();
    await rb.close();
    await la.close();
    await lb.close();
    a.cleanup();
    b.cleanup();
    fs.rmSync(data, { recursive: true, force: true });
  });
  const keyA = path.join(a.dir, 'cryptkey');
  const keyB = path.join(b.dir, 'cryptkey');
  const A = ['-h', '127.0.0.1', '-p', String(ra.port), '-k', keyA];
  const B = ['-h', '127.0.0.1', '-p', String(rb.port), '-k', keyB];
  fs.mkdirSync(path.join(data, 'one'));
  fs.mkdirSync(path.join(data, 'two'));
  fs.writeFileSync(path.join(data, 'one', 'small.txt'), 'small\n');
  fs.writeFileSync(path.join(data, 'one', 'odd.bin'), Buffer.alloc(5001, 7));
  fs.writeFileSync(path.join(data, 'two', 'big.bin'), Buffer.alloc(300_000, 9));
  // Two tape files on cartridge 1 of A; B's cartridge 2 gets a label by a backup there.
  const must = async (argv: string[]): Promise<void> => {
    const r = await afclient(argv);
    assert.equal(r.status, 0, `afclient ${argv.join(' ')}: ${r.err.join('\n')}`);
  };
  for (const dir of ['one', 'two']) await must(['-c', '-R', ...A, path.join(data, dir)]);
  await must(['-c', ...B, path.join(data, 'one', 'small.txt')]);
  const g = await afclient(["-c", "-G", ...B, path.join(data, "one", "small.txt")]);
  assert.equal(g.status, 0, g.err.join("\n"));
  const listA1 = await afclient(['-t', ...A, '-C', '1', '-F', '1']);
  const listA2 = await afclient(['-t', ...A, '-C', '1', '-F', '2']);
  const before = ra.streams.length;
  const beforeB = rb.streams.length;

  const r = await run(['-v', '-h', '127.0.0.1', '-P', String(ra.port), '-k', keyA, '-C', '1', '-D', '-h', '127.0.0.1', '-P', String(rb.port), '-k', keyB, '-C', '2']);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, 'Starting to copy from cartridge 1 to 2\nCopying tape file number 1\nCopying tape file number 2\nCopying tape file number 3\nCopying tape file number 4\nCopied 3 tape files.\n');
  assert.equal(sequence(decodeOurs(Buffer.concat(ra.streams[before]!))), 'a b l1024 D ! G r R+ # . r R+ # . r R+ # . r R # . X');
  assert.equal(sequence(decodeOurs(Buffer.concat(rb.streams[beforeB]!))), 'a l1024 D E G w W . G w W+ . G w W+ . * X');

  // The copy lists as the source does, at the same tape files.
  const b1 = await afclient(['-t', ...B, '-C', '2', '-F', '1']);
  const b2 = await afclient(['-t', ...B, '-C', '2', '-F', '2']);
  assert.equal(b1.status, 0, b1.err.join('\n'));
  assert.deepEqual(b1.out, listA1.out);
  assert.deepEqual(b2.out, listA2.out);
  const x = fs.mkdtempSync(path.join(data, 'x-'));
  assert.equal((await afclient(['-x', '-a', '-r', ...B, '-C', '2', '-F', '2'], { cwd: x })).status, 0);
  assert.deepEqual(fs.readFileSync(path.join(x, data.slice(1), 'two', 'big.bin')), Buffer.alloc(300_000, 9));
  // Its label: the target number, the source as second number, where it came from.
  const cart2 = fs.readdirSync(path.join(b.dir, 'vtl')).filter((d) => d.startsWith('cart.')).sort()[1]!;
  const lab = fs.readFileSync(path.join(b.dir, 'vtl', cart2, 'data.0')).toString('latin1');
  assert.match(lab, /Cartridge number:\t2\n\n2nd cartridge number:\t1\n/);
  assert.match(lab, new RegExp(`Copy from:\\t\\t127\\.0\\.0\\.1%${ra.port}\\n`));
  assert.match(lab, /Duplicating time:\t\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);

  // The same server: through the temporary directory, onto a labelled cartridge 2 of A.
  assert.equal((await afclient(['-c', '-G', ...A, path.join(data, 'one', 'small.txt')])).status, 0);
  const tmp = fs.mkdtempSync(path.join(data, 'tmp-'));
  const l = await run(['-h', '127.0.0.1', '-P', String(ra.port), '-k', keyA, '-T', tmp, '-C', '1', '-D', '-C', '2']);
  assert.equal(l.status, 0, l.err);
  assert.deepEqual(fs.readdirSync(tmp), []);
  assert.deepEqual((await afclient(['-t', ...A, '-C', '2', '-F', '2'])).out, listA2.out);

  // Copying a cartridge onto itself is refused.
  const self = await run(['-h', '127.0.0.1', '-P', String(ra.port), '-k', keyA, '-C', '1', '-D', '-C', '1']);
  assert.equal(self.status, 2);
  assert.match(self.err, /^copy_tape: .*onto itself/);
});
