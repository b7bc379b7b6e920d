/**
 * The second process of the device contract suites (not a test): opens a device with
 * openDevice and runs the steps given as JSON in argv[2], printing one JSON report
 * per step on stdout. Errors are reported, not fatal, so a suite can check that an
 * open fails with DEVINUSE and then succeeds later. A `wait` step waits for a line
 * on stdin, so the parent can act while this process holds the drive.
 */
import readline from 'node:readline';
import { isAfError } from '../../src/errors.js';
import { openDevice, type OpenDeviceSpec } from '../../src/device/open-device.js';
import { FileLock } from '../../src/device/directory/file-lock.js';
import { type ChildReport, type ChildStep, digest, pattern } from './helpers.js';

const { spec, steps } = JSON.parse(process.argv[2]) as { spec: OpenDeviceSpec; steps: ChildStep[] };
const dev = openDevice(spec);
const drive = dev.drive;
const held: FileLock[] = [];

const lines = readline.createInterface({ input: process.stdin });
const pending: (() => void)[] = [];
let stdinClosed = false;
lines.on('line', () => pending.shift()?.());
lines.on('close', () => {
  stdinClosed = true;
  while (pending.length) pending.shift()!();
});
const waitLine = (): Promise<void> => (stdinClosed ? Promise.resolve() : new Promise((r) => pending.push(r)));

async function run(step: ChildStep): Promise<unknown> {
  switch (step[0]) {
    case 'open':
      return drive.open();
    case 'close':
      return drive.close();
    case 'status':
      return drive.status();
    case 'rewind':
      return drive.rewind();
    case 'seekFile':
      return drive.seekFile(step[1]);
    case 'seekEod':
      return drive.seekEod();
    case 'eject':
      return drive.eject();
    case 'read': {
      const buf = Buffer.alloc(step[1]);
      const r = await drive.readBlock(buf);
      return r.kind === 'data' ? { ...r, digest: digest(buf.subarray(0, r.bytes)) } : r;
    }
    case 'readAll': {
      const buf = Buffer.alloc(step[1]);
      const out: unknown[] = [];
      for (let i = 0; i < 100000; i++) {
        const r = await drive.readBlock(buf);
        out.push(r.kind === 'data' ? { ...r, digest: digest(buf.subarray(0, r.bytes)) } : r);
        if (r.kind === 'eod') break;
      }
      return out;
    }
    case 'write':
      return drive.writeBlock(pattern(step[1], step[2]));
    case 'filemarks':
      return drive.writeFilemarks(step[1]);
    case 'inventory':
      return dev.changer!.inventory();
    case 'load':
      return dev.changer!.load(step[1], step[2]);
    case 'unload':
      return dev.changer!.unload(step[1]);
    case 'lock': {
      const l = FileLock.tryExclusive(step[1]);
      if (l) held.push(l);
      return l !== undefined;
    }
    case 'say':
      return step[1];
    case 'wait':
      return waitLine();
  }
}

for (let i = 0; i < steps.length; i++) {
  const step = steps[i];
  let report: ChildReport;
  try {
    const value = await run(step);
    report = { step: i, op: step[0], ok: true, ...(value === undefined ? {} : { value }) };
  } catch (e) {
    report = isAfError(e)
      ? { step: i, op: step[0], ok: false, code: e.code, message: e.message }
      : { step: i, op: step[0], ok: false, code: 'THROWN', message: String(e) };
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}
lines.close();
for (const l of held) l.release();
