/**
 * Test helper: a Duplex standing in for a client socket. It delivers a fixed byte
 * stream (in socket-sized pieces, then EOF) and collects what the server writes.
 */
import { Duplex } from 'node:stream';

export class ScriptedPeer extends Duplex {
  readonly out: Buffer[] = [];
  constructor(
    private input: Buffer,
    private readonly piece = 16384,
  ) {
    super({ allowHalfOpen: true });
  }
  override _read(): void {
    const n = Math.min(this.input.length, this.piece);
    if (n === 0) return void this.push(null);
    this.push(this.input.subarray(0, n));
    this.input = this.input.subarray(n);
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.out.push(chunk);
    cb();
  }
  override _final(cb: () => void): void {
    cb();
  }
  /** Everything the server wrote. */
  get written(): Buffer {
    return Buffer.concat(this.out);
  }
}
