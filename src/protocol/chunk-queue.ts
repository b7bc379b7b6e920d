/**
 * A byte queue over the chunks as they arrived: bytes are looked at in place and
 * taken as a zero-copy view when they lie in one chunk, copied once when they
 * straddle chunks. Pushing never concatenates, so many small chunks cost O(n).
 */
import { view } from './bytes.js';

export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Index in `chunks` of the first chunk still holding unread bytes. */
  private head = 0;
  /** Read offset inside chunks[head]. */
  private offset = 0;
  private total = 0;
  private taken = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Bytes pushed and not yet consumed. */
  get length(): number {
    return this.total;
  }

  /** Bytes consumed since the queue was made. */
  get consumed(): number {
    return this.taken;
  }

  /** The byte at position i of the unread bytes (0 = next). Caller ensures i < length. */
  byteAt(i: number): number {
    let c = this.head;
    let pos = this.offset + i;
    while (pos >= this.chunks[c]!.length) {
      pos -= this.chunks[c]!.length;
      c++;
    }
    return this.chunks[c]![pos]!;
  }

  /** Big-endian unsigned integer of `size` bytes (1..4) at position i of the unread bytes. */
  uintAt(i: number, size: number): number {
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + this.byteAt(i + k);
    return v;
  }

  /** Index of the first occurrence of `needle` in the first `limit` unread bytes, or -1. */
  indexOf(needle: Buffer, limit: number): number {
    const window = this.peek(Math.min(limit, this.total));
    return window.indexOf(view(needle));
  }

  /** The next n bytes without consuming them (a view when they lie in one chunk). */
  peek(n: number): Buffer {
    return this.read(n, false);
  }

  /** Consumes and returns the next n bytes: a view of the pushed chunk when possible, else one copy. */
  take(n: number): Buffer {
    return this.read(n, true);
  }

  /** Consumes n bytes. */
  skip(n: number): void {
    if (n > this.total) throw new RangeError(`skip(${n}) beyond the ${this.total} queued bytes`);
    let left = n;
    while (left > 0) {
      const rest = this.chunks[this.head]!.length - this.offset;
      if (left < rest) {
        this.offset += left;
        left = 0;
      } else {
        left -= rest;
        this.dropHead();
      }
    }
    this.total -= n;
    this.taken += n;
  }

  private read(n: number, consume: boolean): Buffer {
    if (n > this.total) throw new RangeError(`read(${n}) beyond the ${this.total} queued bytes`);
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      let c = this.head;
      let pos = this.offset;
      while (filled < n) {
        const chunk = this.chunks[c]!;
        const m = Math.min(chunk.length - pos, n - filled);
        out.set(chunk.subarray(pos, pos + m), filled);
        filled += m;
        c++;
        pos = 0;
      }
    }
    if (consume) this.skip(n);
    return out;
  }

  private dropHead(): void {
    this.chunks[this.head] = EMPTY; // let the chunk be collected
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);
