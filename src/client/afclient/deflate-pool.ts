/**
 * Built-in compression off the main thread: a small pool of worker threads, each
 * running node:zlib deflate streams. deflate() is a drop-in Deflater for the
 * packer (src/archive/packer.ts): it starts at once, feeding the input to a
 * worker while the caller is still busy (so the next file compresses while the
 * current one is sent), and yields the compressed bytes in order.
 *
 * The bytes are the same as the sequential code's: one zlib stream per file with
 * the same level and no flushes, and zlib's output does not depend on how the
 * input is cut into pieces. Memory is bounded: input is fed only while less
 * than FEED_WINDOW bytes wait in the worker and less than OUTPUT_WINDOW
 * compressed bytes wait for the caller.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AfError } from '../../errors.js';

const FEED_WINDOW = 4 << 20;
const OUTPUT_WINDOW = 8 << 20;

/** The worker's code (CommonJS, evaluated): one deflate stream per job id. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'start') {
    const d = zlib.createDeflate({ level: m.level });
    jobs.set(m.id, d);
    d.on('data', (b) => { const u = new Uint8Array(b); parentPort.postMessage({ id: m.id, type: 'data', data: u }, [u.buffer]); });
    d.on('end', () => { jobs.delete(m.id); parentPort.postMessage({ id: m.id, type: 'end' }); });
    d.on('error', (e) => { jobs.delete(m.id); parentPort.postMessage({ id: m.id, type: 'error', message: String(e && e.message) }); });
  } else if (m.type === 'data') {
    const d = jobs.get(m.id);
    if (d) d.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), () => parentPort.postMessage({ id: m.id, type: 'ack', n: m.data.byteLength }));
  } else if (m.type === 'end') {
    const d = jobs.get(m.id);
    if (d) d.end();
  } else if (m.type === 'abort') {
    const d = jobs.get(m.id);
    if (d) { jobs.delete(m.id); d.destroy(); }
  }
});
`;

interface Job {
  out: Buffer[];
  outBytes: number;
  ended: boolean;
  error: Error | null;
  pendingInput: number;
  wake: (() => void) | null;
  feedWake: (() => void) | null;
}

interface Slot {
  worker: Worker;
  active: number;
}

export class DeflatePool {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  constructor(readonly size = Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length))) {}

  private slot(): Slot {
    const idle = this.slots.find((s) => s.active === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      const slot: Slot = { worker, active: 0 };
      worker.on('message', (m: { id: number; type: string; data?: Uint8Array; n?: number; message?: string }) => this.onMessage(m));
      worker.on('error', (e) => {
        for (const j of this.jobs.values()) this.fail(j, e);
      });
      this.slots.push(slot);
      return slot;
    }
    return this.slots.reduce((a, b) => (b.active < a.active ? b : a));
  }

  private fail(j: Job, e: Error): void {
    j.error = e;
    j.wake?.();
    j.feedWake?.();
  }

  private onMessage(m: { id: number; type: string; data?: Uint8Array; n?: number; message?: string }): void {
    const j = this.jobs.get(m.id);
    if (!j) return;
    switch (m.type) {
      case 'data': {
        const b = Buffer.from(m.data!.buffer, m.data!.byteOffset, m.data!.byteLength);
        j.out.push(b);
        j.outBytes += b.length;
        j.wake?.();
        break;
      }
      case 'ack':
        j.pendingInput -= m.n!;
        j.feedWake?.();
        break;
      case 'end':
        j.ended = true;
        j.wake?.();
        break;
      case 'error':
        this.fail(j, new AfError('INTERNAL', `compression failed: ${m.message}`));
        break;
    }
  }

  /** A Deflater (see packer.ts): starts compressing `input` at once. */
  deflate(input: AsyncIterable<Buffer>, level: number): AsyncIterable<Buffer> {
    const id = this.nextId++;
    const slot = this.slot();
    slot.active++;
    const job: Job = { out: [], outBytes: 0, ended: false, error: null, pendingInput: 0, wake: null, feedWake: null };
    this.jobs.set(id, job);
    slot.worker.postMessage({ id, type: 'start', level });
    let stopped = false;
    const feeding = (async () => {
      try {
        for await (const c of input) {
          if (stopped || job.error) return;
          job.pendingInput += c.length;
          const copy = new Uint8Array(c);
          slot.worker.postMessage({ id, type: 'data', data: copy }, [copy.buffer]);
          while (!stopped && !job.error && (job.pendingInput > FEED_WINDOW || job.outBytes > OUTPUT_WINDOW)) {
            await new Promise<void>((r) => (job.feedWake = r));
            job.feedWake = null;
          }
        }
        slot.worker.postMessage({ id, type: 'end' });
      } catch (e) {
        this.fail(job, e as Error);
        slot.worker.postMessage({ id, type: 'abort' });
      }
    })();
    const jobs = this.jobs;
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          for (;;) {
            if (job.error) throw job.error;
            if (job.out.length > 0) {
              const b = job.out.shift()!;
              job.outBytes -= b.length;
              job.feedWake?.();
              yield b;
              continue;
            }
            if (job.ended) break;
            await new Promise<void>((r) => (job.wake = r));
            job.wake = null;
          }
          await feeding;
          if (job.error) throw job.error;
        } finally {
          if (!job.ended) {
            stopped = true;
            job.feedWake?.();
            slot.worker.postMessage({ id, type: 'abort' });
          }
          slot.active--;
          jobs.delete(id);
        }
      },
    };
  }

  async close(): Promise<void> {
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
