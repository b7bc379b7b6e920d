/**
 * label_tape as a child process on a directory device and on a vtl: library: the
 * label block's bytes, the state files it writes (byte for byte), the device lock,
 * the questions on a terminal, -r removing a relabelled cartridge from the
 * records, and -q printing the label.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../src/version.js';
import { tryAcquire } from '../../src/state/device-lock.js';
import { CTIME_PATTERN } from '../../src/state/ctime.js';
import { haveScript, listDir, makeSite, run, runOnTerminal, type Site } from './helpers.js';

const label = (site: Site, ...args: string[]) => run('label_tape', ['-c', site.conf, ...args], { env: site.env });

/** The label text of spec §11.6 with our values, byte for byte. */
function expectedLabelText(o: { cart: number; second?: number; time: string; bs: number; comment: string }): Buffer {
  const parts: (string | number[])[] = [
    [0x0a], "AF's backup system", [0x0a, 0x0a], 'INFO HEADER', [0x0a, 0x0a],
    'Cartridge number:', [0x09], String(o.cart), [0x0a, 0x0a],
    '2nd cartridge number:', [0x09], String(o.second ?? o.cart), [0x0a, 0x0a],
    'Labeling time:', [0x09, 0x09], o.time, [0x0a, 0x0a],
    'Tape Blocksize:', [0x09, 0x09], String(o.bs), [0x0a, 0x0a],
    'Program version:', [0x09], '3.5.8', [0x0a, 0x0a],
    'Comment:', [0x09, 0x09], o.comment, [0x0a],
  ];
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

/** The labelling time written in a label block. */
function timeIn(block: Buffer): string {
  const m = /Labeling time:\t\t([^\n]*)\n/.exec(block.toString('latin1'));
  assert.ok(m, 'the block has a labelling time');
  assert.match(m[1]!, CTIME_PATTERN);
  return m[1]!;
}

/** Checks a label block: the text of §11.6, then NULs to `size`. */
function assertLabelBlock(block: Buffer, o: { cart: number; second?: number; bs: number; comment: string; size: number }): void {
  assert.equal(block.length, o.size);
  const text = expectedLabelText({ ...o, time: timeIn(block) });
  assert.deepEqual(block.subarray(0, text.length), text);
  assert.ok(block.subarray(text.length).every((b) => b === 0), 'NUL padding');
}

const nowSec = () => Math.floor(Date.now() / 1000);

/** `<cart>: <bytes> 0 0 <epoch>` with the epoch between the two times. */
function assertLabelledLine(line: string, cart: number, bytes: number, from: number, to: number): void {
  const m = new RegExp(`^${cart}: ${bytes} 0 0 (\\d+)$`).exec(line);
  assert.ok(m, `"${line}" is the line of a freshly labelled cartridge ${cart}`);
  const t = Number(m[1]);
  assert.ok(t >= from && t <= to, `epoch ${t} within ${from}..${to}`);
}

// Every test has its own site, so they run side by side.
describe('label_tape', { concurrency: 2 }, () => {
  test('label_tape --help and --version', async () => {
    const help = await run('label_tape', ['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: label_tape \[-c conf\] \[-rfF\] \[-S second\] \[-n comment\] \[-d dev\] \[-b bs\] \[-C ncarts\] cart\n/);
    assert.match(help.stdout, /label_tape\(8\)/);
    const version = await run('label_tape', ['--version']);
    assert.deepEqual([version.status, version.stdout], [0, `label_tape (afbackup-ng) ${VERSION}, compatible with afbackup 3.5.8\n`]);
  });

  test('label_tape -f on a directory device: data.0 holds the label, state files record it', async () => {
    const site = makeSite();
    try {
      const from = nowSec();
      const r = await label(site, '-f', '3');
      const to = nowSec();
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
      assert.deepEqual(listDir(site.device), ['data.0']);
      assertLabelBlock(fs.readFileSync(path.join(site.device, 'data.0')), { cart: 3, bs: 1024, comment: '<labeled manually>', size: 1024 });
      const bot = site.read('bytes_on_tape')!;
      assert.match(bot, /^[^\n]*\n$/);
      assertLabelledLine(bot.slice(0, -1), 3, 1024, from, to);
      assert.equal(site.read('ever_used_blocksizes'), '1024 \n');
      assert.equal(site.read('tapepos'), null, 'no set wrote on cartridge 3: tapepos is not made');
      assert.equal(site.read('precious_tapes'), null);
      assert.equal(site.read('readonly_tapes'), null);
      assert.equal(site.read('cartridge_order'), null);
      assert.equal(fs.existsSync(site.lockFile), false, 'the device lock is given back');
    } finally {
      site.remove();
    }
  });

  test('label_tape erases the tape first and keeps other lines of the state files', async () => {
    const site = makeSite({ blockSize: 512 });
    try {
      for (let k = 0; k < 4; k++) fs.writeFileSync(path.join(site.device, `data.${k}`), Buffer.alloc(2048, 0x41 + k));
      site.write('bytes_on_tape', '1: 99328 1 1 1795608857\n3: 478208 6 1 1795608857\n');
      site.write('ever_used_blocksizes', '1024 \n');
      site.write('tapepos', `${site.device} 3 6\n1: 3 7\n`);
      const from = nowSec();
      const r = await label(site, '-f', '-n', 'offsite set A', '-S', '9', '3');
      const to = nowSec();
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(listDir(site.device), ['data.0']);
      assertLabelBlock(fs.readFileSync(path.join(site.device, 'data.0')), { cart: 3, second: 9, bs: 512, comment: 'offsite set A', size: 512 });
      const lines = site.read('bytes_on_tape')!.split('\n');
      assert.equal(lines[0], '1: 99328 1 1 1795608857');
      assertLabelledLine(lines[1]!, 3, 512, from, to);
      assert.equal(lines.length, 3);
      assert.equal(site.read('ever_used_blocksizes'), '512 \n1024 \n');
      assert.equal(site.read('tapepos'), `${site.device} 3 6\n1: 3 1\n`, 'the set writing on cartridge 3 starts it again at file 1');
    } finally {
      site.remove();
    }
  });

  test('label_tape -q prints the label as on tape; --json as an object', async () => {
    const site = makeSite();
    try {
      assert.equal((await label(site, '-f', '-n', 'Bänder', '5')).status, 0);
      const block = fs.readFileSync(path.join(site.device, 'data.0'));
      const text = block.subarray(0, block.indexOf(0));
      const q = await label(site, '-q');
      assert.equal(q.status, 0, q.stderr);
      assert.deepEqual(q.raw, text);
      assert.equal(q.stderr, '');
      const j = await label(site, '-q', '--json');
      assert.equal(j.status, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stdout), {
        device: site.device,
        cartridge: 5,
        secondCartridge: 5,
        labelingTime: timeIn(block),
        blockSize: 1024,
        programVersion: '3.5.8',
        comment: 'Bänder',
        copyFrom: null,
        duplicatingTime: null,
      });
      assert.ok(text.includes(Buffer.from('Comment:\t\tB\xc3\xa4nder\n', 'latin1')), 'the comment bytes as given');
    } finally {
      site.remove();
    }
  });

  test('label_tape -q without a label exits 61, without a cartridge 84', async () => {
    const site = makeSite({ noDeviceDir: true });
    try {
      const none = await label(site, '-q');
      assert.equal(none.status, 84);
      assert.equal(none.stderr, `label_tape: No cartridge is loaded: "${site.device}"\n`);
      fs.mkdirSync(site.device);
      const empty = await label(site, '-q');
      assert.equal(empty.status, 61);
      assert.equal(empty.stderr, `label_tape: Opening the device for reading failed: the tape in "${site.device}" is empty (no label found)\n`);
      fs.writeFileSync(path.join(site.device, 'data.0'), Buffer.alloc(1024, 0x55));
      const foreign = await label(site, '-q');
      assert.equal(foreign.status, 61);
      assert.equal(foreign.stderr, `label_tape: Opening the device for reading failed: the tape in "${site.device}" holds no afbackup label\n`);
      assert.equal(fs.existsSync(site.lockFile), false);
    } finally {
      site.remove();
    }
  });

  test('label_tape without a terminal and without -f refuses before touching anything (exit 2)', async () => {
    const site = makeSite();
    try {
      fs.writeFileSync(path.join(site.device, 'data.0'), 'old');
      const r = await label(site, '3');
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'label_tape: Invalid command line: confirmation is needed but standard input is not a terminal (use -f)\n');
      assert.deepEqual(listDir(site.device), ['data.0']);
      assert.equal(fs.readFileSync(path.join(site.device, 'data.0'), 'latin1'), 'old');
      assert.equal(site.read('bytes_on_tape'), null);
    } finally {
      site.remove();
    }
  });

  test('label_tape stops with DEVINUSE (63) while a server holds the device lock; -F goes on', async () => {
    const site = makeSite();
    const held = await tryAcquire(site.lockFile, 'w');
    assert.ok('held' in held);
    try {
      const r = await label(site, '-f', '4');
      assert.equal(r.status, 63);
      assert.equal(r.stderr, `label_tape: Device is in use: process ${process.pid} holds the device lock "${site.lockFile}" for writing\n`);
      assert.deepEqual(listDir(site.device), []);
      assert.equal(site.read('bytes_on_tape'), null);
      const q = await label(site, '-q');
      assert.equal(q.status, 63, '-q takes the lock too');
      const forced = await label(site, '-fF', '4');
      assert.equal(forced.status, 0, forced.stderr);
      assert.deepEqual(listDir(site.device), ['data.0']);
      assert.equal(fs.readFileSync(site.lockFile, 'latin1'), `${process.pid} w\n\0`, '-F leaves the holder\'s lock as it was');
    } finally {
      await held.held.release();
      site.remove();
    }
  });

  test('label_tape -r on a used cartridge removes it from precious_tapes, readonly_tapes and cartridge_order', async () => {
    const site = makeSite();
    try {
      assert.equal((await label(site, '-f', '3')).status, 0);
      site.write('precious_tapes', 'alice 1-3\nbob 3\n');
      site.write('readonly_tapes', '3,5\n');
      site.write('cartridge_order', '2 -> 3 1\n3 -> 4 1\n');
      site.write('bytes_on_tape', '2: 9000 1 1 1795608857\n3: 5000000 4 1 1795608857\n');
      site.write('tapepos', `${site.device} 3 5\n1: 3 5\n`);
      const from = nowSec();
      const r = await label(site, '-f', '-r', '3');
      const to = nowSec();
      assert.deepEqual([r.status, r.stderr], [0, '']);
      assert.equal(site.read('precious_tapes'), 'alice 1-2\n');
      assert.equal(site.read('readonly_tapes'), '5\n');
      assert.equal(site.read('cartridge_order'), '2 -> 0 1\n3 -> 4 1\n');
      const bot = site.read('bytes_on_tape')!.split('\n');
      assert.equal(bot[0], '2: 9000 1 1 1795608857');
      assertLabelledLine(bot[1]!, 3, 1024, from, to);
      assert.equal(site.read('tapepos'), `${site.device} 3 5\n1: 3 1\n`);
    } finally {
      site.remove();
    }
  });

  test('label_tape -r giving a tape a new number forgets the old number too', async () => {
    const site = makeSite({ extra: 'Cartridge-Sets:\t1-5 6-10' });
    try {
      assert.equal((await label(site, '-f', '3')).status, 0);
      site.write('precious_tapes', 'alice 1-4\nbob 3\n');
      site.write('cartridge_order', '1 -> 3 2\n2 -> 5 1\n4 -> 2 7\n');
      site.write('bytes_on_tape', '3: 5000000 4 1 1795608857\n4: 7000 2 0 1795608857\n');
      site.write('tapepos', '1: 3 5\n2: 7 2\n');
      const from = nowSec();
      const r = await label(site, '-f', '-r', '5');
      const to = nowSec();
      assert.equal(r.status, 0, r.stderr);
      assert.equal(site.read('precious_tapes'), 'alice 1-2,4\n');
      assert.equal(site.read('cartridge_order'), '1 -> 0 2\n2 -> 0 1\n4 -> 2 7\n');
      const bot = site.read('bytes_on_tape')!.split('\n');
      assert.equal(bot[0], '4: 7000 2 0 1795608857');
      assertLabelledLine(bot[1]!, 5, 1024, from, to);
      assert.equal(bot.length, 3);
      assert.equal(site.read('tapepos'), '1: 3 1\n2: 7 2\n');
      assert.equal(site.read('readonly_tapes'), null, 'no readonly_tapes is made');
    } finally {
      site.remove();
    }
  });

  test('label_tape -f without -r keeps a protected cartridge in the records and says so', async () => {
    const site = makeSite();
    try {
      assert.equal((await label(site, '-f', '3')).status, 0);
      site.write('precious_tapes', '"< * protected by admin * >" 3\nalice 3\n');
      site.write('readonly_tapes', '3\n');
      site.write('cartridge_order', '2 -> 3 1\n');
      const r = await label(site, '-f', '3');
      assert.equal(r.status, 0);
      assert.equal(
        r.stderr,
        'label_tape: cartridge 3 is read-only and is still needed for restores by client alice and is protected by the administrator\n' +
          "label_tape: warning: cartridge 3 stays in the server's records (give -r to remove it)\n",
      );
      assert.equal(site.read('precious_tapes'), '"< * protected by admin * >" 3\nalice 3\n');
      assert.equal(site.read('readonly_tapes'), '3\n');
      assert.equal(site.read('cartridge_order'), '2 -> 3 1\n');
    } finally {
      site.remove();
    }
  });

  test('label_tape checks its numbers and options', async () => {
    const site = makeSite();
    try {
      const cases: [string[], number, string][] = [
        [['-f', '0'], 20, 'label_tape: Illegal cartridge number: cartridge 0 does not exist (cartridges are numbered 1 to 10)\n'],
        [['-f', '11'], 20, 'label_tape: Illegal cartridge number: cartridge 11 does not exist (cartridges are numbered 1 to 10)\n'],
        [['-f', '-S', '12', '3'], 20, 'label_tape: Illegal cartridge number: second cartridge 12 does not exist (cartridges are numbered 1 to 10)\n'],
        [['-f', '-C', '5', '6'], 20, 'label_tape: Illegal cartridge number: cartridge 6 does not exist (cartridges are numbered 1 to 5)\n'],
        [['-f', '-b', 'big', '3'], 2, 'label_tape: Invalid command line: -b wants a positive whole number, not "big" (see --help)\n'],
        [['-f'], 2, 'label_tape: Invalid command line: the cartridge number is missing (see --help)\n'],
        [['-f', '3', '4'], 2, 'label_tape: Invalid command line: one cartridge number, not 2 arguments (see --help)\n'],
        [['-q', '3'], 2, 'label_tape: Invalid command line: -q takes no cartridge number ("3") (see --help)\n'],
        [['-q', '-r'], 2, 'label_tape: Invalid command line: -r does not go with -q (see --help)\n'],
        [['--json', '3'], 2, 'label_tape: Invalid command line: --json goes with -q (see --help)\n'],
        [['-f', '-n', 'two\nlines', '3'], 2, 'label_tape: Invalid command line: the comment (-n) must be one line (see --help)\n'],
        [['-z'], 2, 'label_tape: Invalid command line: unknown option -z (see --help)\n'],
      ];
      for (const [args, status, stderr] of cases) {
        const r = await label(site, ...args);
        assert.equal(r.status, status, args.join(' '));
        assert.equal(r.stderr, stderr, args.join(' '));
      }
      assert.deepEqual(listDir(site.device), []);
      // -C lets a cartridge beyond Number Of Cartridges be labelled.
      const big = await label(site, '-f', '-C', '20', '15');
      assert.equal(big.status, 0, big.stderr);
      assert.match(site.read('bytes_on_tape')!, /^15: 1024 0 0 \d+\n$/);
    } finally {
      site.remove();
    }
  });

  test('label_tape cuts a comment longer than 256 bytes with a warning', async () => {
    const site = makeSite();
    try {
      const r = await label(site, '-f', '-n', 'x'.repeat(300), '2');
      assert.equal(r.status, 0);
      assert.equal(r.stderr, 'label_tape: warning: the comment is cut to 256 bytes\n');
      assertLabelBlock(fs.readFileSync(path.join(site.device, 'data.0')), { cart: 2, bs: 1024, comment: 'x'.repeat(256), size: 1024 });
    } finally {
      site.remove();
    }
  });

  test('label_tape -d labels another directory; a missing one holds no cartridge (84)', async () => {
    const site = makeSite();
    try {
      const other = path.join(site.root, 'other');
      const missing = await label(site, '-f', '-d', other, '2');
      assert.equal(missing.status, 84);
      assert.equal(missing.stderr, `label_tape: No cartridge is loaded: "${other}"\n`);
      fs.mkdirSync(other);
      const r = await label(site, '-f', '-d', other, '2');
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(listDir(other), ['data.0']);
      assert.deepEqual(listDir(site.device), []);
      const q = await label(site, '-q', '--json', '-d', other);
      assert.equal(JSON.parse(q.stdout).cartridge, 2);
    } finally {
      site.remove();
    }
  });

  test('label_tape on a write-protected directory exits 85 and writes nothing', async () => {
    const site = makeSite();
    try {
      fs.chmodSync(site.device, 0o555);
      const r = await label(site, '-f', '2');
      assert.equal(r.status, 85);
      assert.equal(site.read('bytes_on_tape'), null);
    } finally {
      fs.chmodSync(site.device, 0o755);
      site.remove();
    }
  });

  test('label_tape neither makes nor removes the cartridge-ready flag', async () => {
    const site = makeSite();
    try {
      assert.equal((await label(site, '-f', '2')).status, 0);
      assert.equal(fs.existsSync(site.flag), false);
      fs.writeFileSync(site.flag, '4711\n');
      assert.equal((await label(site, '-f', '3')).status, 0);
      assert.equal(fs.readFileSync(site.flag, 'latin1'), '4711\n');
    } finally {
      site.remove();
    }
  });

  test('label_tape on a vtl: library loads the cartridge into the empty drive, then labels it', async () => {
    const site = makeSite({ kind: 'vtl', blockSize: 2048, cartridges: 4 });
    try {
      const empty = await label(site, '-q');
      assert.equal(empty.status, 84, 'the new library has an empty drive');
      const from = nowSec();
      const r = await label(site, '-f', '2');
      const to = nowSec();
      assert.deepEqual([r.status, r.stderr], [0, '']);
      const lib = path.join(site.varDir, 'lib');
      assert.match(fs.readFileSync(path.join(lib, 'drives'), 'latin1'), /^drive 1 block-size 2048 state loaded cartridge AF0002L9 from-slot 2 file 0 block 0$/m);
      const cart = path.join(lib, 'cart.AF0002L9');
      assert.match(fs.readFileSync(path.join(cart, 'index'), 'latin1'), /^file 0 1x2048 filemark$/m);
      assertLabelBlock(fs.readFileSync(path.join(cart, 'data.0')).subarray(0, 2048), { cart: 2, bs: 2048, comment: '<labeled manually>', size: 2048 });
      assertLabelledLine(site.read('bytes_on_tape')!.trimEnd(), 2, 2048, from, to);
      assert.equal(site.read('ever_used_blocksizes'), '2048 \n');
      const q = await label(site, '-q', '--json');
      assert.equal(q.status, 0, q.stderr);
      assert.equal(JSON.parse(q.stdout).device, 'vtl:lib');
      assert.equal(JSON.parse(q.stdout).cartridge, 2);
    } finally {
      site.remove();
    }
  });

  test('label_tape on a vtl: library labels the cartridge that is in the drive, warning about its barcode', async () => {
    const site = makeSite({ kind: 'vtl', blockSize: 2048, cartridges: 4 });
    try {
      assert.equal((await label(site, '-f', '2')).status, 0);
      const r = await label(site, '-f', '3');
      assert.equal(r.status, 0);
      assert.equal(
        r.stderr,
        'label_tape: warning: the cartridge in vtl:lib has barcode AF0002L9; a server loading cartridge 3 through the changer looks for the barcode or slot 3\n',
      );
      const q = await label(site, '-q', '--json');
      assert.equal(JSON.parse(q.stdout).cartridge, 3);
      const none = path.join(site.varDir, 'lib', 'cart.AF0003L9', 'data.0');
      assert.equal(fs.existsSync(none), false, 'cartridge AF0003L9 was not touched');
    } finally {
      site.remove();
    }
  });

  test('label_tape on a vtl: library fails with 87 when no slot holds the cartridge', async () => {
    const site = makeSite({ kind: 'vtl', cartridges: 4, extra: '' });
    try {
      const r = await label(site, '-f', '-C', '9', '9');
      assert.equal(r.status, 87);
      assert.equal(r.stderr, 'label_tape: Media changer operation failed: cartridge 9 is in no slot of vtl:lib\n');
    } finally {
      site.remove();
    }
  });

  test('label_tape asks on a terminal: "y" labels, anything else writes nothing (exit 1)', { skip: haveScript ? false : 'script(1) is not installed' }, async () => {
    const site = makeSite();
    try {
      fs.writeFileSync(path.join(site.device, 'data.0'), 'old data');
      const no = await runOnTerminal('label_tape', ['-c', site.conf, '4'], ['n'], { env: site.env });
      assert.equal(no.status, 1);
      assert.equal(no.prompts, 1);
      assert.match(no.stdout, new RegExp(`The tape in ${site.device} holds no afbackup label\\. Label it as cartridge 4\\? Everything on it is lost\\. \\[y/N\\]`));
      assert.match(no.stdout, /label_tape: not confirmed; nothing was written/);
      assert.equal(fs.readFileSync(path.join(site.device, 'data.0'), 'latin1'), 'old data');
      const yes = await runOnTerminal('label_tape', ['-c', site.conf, '4'], ['y'], { env: site.env });
      assert.equal(yes.status, 0, yes.stdout);
      assert.equal(yes.prompts, 1);
      assertLabelBlock(fs.readFileSync(path.join(site.device, 'data.0')), { cart: 4, bs: 1024, comment: '<labeled manually>', size: 1024 });
    } finally {
      site.remove();
    }
  });

  test('label_tape on a terminal asks whether a protected cartridge leaves the records', { skip: haveScript ? false : 'script(1) is not installed' }, async () => {
    const site = makeSite();
    try {
      assert.equal((await label(site, '-f', '3')).status, 0);
      site.write('precious_tapes', 'alice 3\n');
      // Keep the records, then decline: nothing changes.
      const keep = await runOnTerminal('label_tape', ['-c', site.conf, '3'], ['n', 'n'], { env: site.env });
      assert.equal(keep.status, 1);
      assert.equal(keep.prompts, 2);
      assert.match(keep.stdout, /label_tape: cartridge 3 is still needed for restores by client alice/);
      assert.match(keep.stdout, /Remove cartridge 3 from the server's records\? \[y\/N\]/);
      assert.match(keep.stdout, /labelled as cartridge 3 \(<labeled manually>\)\. Label it as cartridge 3\?/);
      assert.equal(site.read('precious_tapes'), 'alice 3\n');
      // Remove, and confirm.
      const drop = await runOnTerminal('label_tape', ['-c', site.conf, '3'], ['y', 'y'], { env: site.env });
      assert.equal(drop.status, 0, drop.stdout);
      assert.equal(drop.prompts, 2);
      assert.equal(site.read('precious_tapes'), '');
    } finally {
      site.remove();
    }
  });

  test('label_tape -F on a terminal waits for the tape to be inserted before writing', { skip: haveScript ? false : 'script(1) is not installed' }, async () => {
    const site = makeSite({ noDeviceDir: true });
    try {
      const held = await tryAcquire(site.lockFile, 'w'); // the waiting server session
      assert.ok('held' in held);
      try {
        // The "operator" inserts the tape (makes the directory) while the question is open.
        const answering = runOnTerminal(
          'label_tape',
          ['-c', site.conf, '-F', '6'],
          [
            () => {
              fs.mkdirSync(site.device);
              return 'y';
            },
          ],
          { env: site.env },
        );
        const r = await answering;
        assert.equal(r.status, 0, r.stdout);
        assert.match(r.stdout, /There is no cartridge in .*\. Insert the tape, then answer y to label it as cartridge 6 \[y\/N\]/);
        assert.deepEqual(listDir(site.device), ['data.0']);
      } finally {
        await held.held.release();
      }
    } finally {
      site.remove();
    }
  });
});
