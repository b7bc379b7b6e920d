/**
 * Pull-style reading of a connection's bytes: read() gives the next chunk, or null
 * at the end of input. The socket is paused while more than a few MiB wait (so a
 * fast client cannot fill our memory) and is never destroyed by reaching its end:
 * a client that half-closes its side still gets every reply.
 */
import type { Duplex } from 'node:stream';

/** Bytes received but not yet read before the socket is paused. */
const HIGH_WATER = 4 << 20;

export class InputReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failed: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Duplex) {
    stream.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      // Stop the socket only when a good deal is waiting: pausing for every chunk
      // would cost a system call pair per 64 KiB on the data path.
      if (this.buffered >= HIGH_WATER) stream.pause();
      this.notify();
    });
    stream.on('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.on('error', (e) => {
      this.failed = e;
      this.notify();
    });
    stream.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** The next chunk, or null when the peer has finished sending (or the connection failed). */
  async read(): Promise<Buffer | null> {
    for (;;) {
      const c = this.chunks.shift();
      if (c) {
        this.buffered -= c.length;
        if (this.buffered < HIGH_WATER && this.stream.isPaused()) this.stream.resume();
        return c;
      }
      if (this.ended || this.failed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.stream.resume();
      });
    }
  }
}
