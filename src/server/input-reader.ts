/**
 * Pull-style reading of a connection's bytes: read() gives the next chunk, or null
 * at the end of input. The stream stays paused between reads (so a fast client
 * cannot fill our memory) and is never destroyed by reaching its end: a client
 * that half-closes its side still gets every reply.
 */
import type { Duplex } from 'node:stream';

export class InputReader {
  private chunks: Buffer[] = [];
  private ended = false;
  private failed: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Duplex) {
    stream.pause();
    stream.on('data', (c: Buffer) => {
      this.chunks.push(c);
      stream.pause();
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
      if (c) return c;
      if (this.ended || this.failed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.stream.resume();
      });
    }
  }
}
