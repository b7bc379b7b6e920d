/**
 * Pull-style reading of a connection's bytes: read() gives the next chunk, or null
 * at the end of input. The socket is paused while more than a few MiB wait (so a
 * fast client cannot fill our memory) and is never destroyed by reaching its end:
 * a client that half-closes its side still gets every reply.
 *
 * On a real socket the bytes are read straight into large memory areas of our own
 * (Node's "user buffer" reading, the mechanism behind the `onread` socket option),
 * so one read() system call can take several MiB at once instead of Node's fixed
 * 64 KiB, with no allocation per read. Each area is handed out as consecutive views
 * and never written twice, so a chunk stays valid for as long as anyone holds it;
 * a full area is simply dropped and a new one taken (the garbage collector frees
 * it with its last view). The socket was created elsewhere (inetd fd, listener,
 * pool hand-over), so the switch is made on the existing socket; where that is not
 * possible (any other Duplex, or a Node whose socket internals differ) the reader
 * falls back to ordinary 'data' events, which give the same bytes. AF_INPUT_EVENTS=1
 * in the environment forces that fallback (to compare the two, see bench/README.md).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Bytes received but not yet read before the socket is paused. */
const HIGH_WATER = 4 << 20;
/** Size of one receive area. */
const AREA_BYTES = 4 << 20;
/** A read is offered at least this much room; a smaller rest of an area is left unused. */
const MIN_ROOM = 512 << 10;

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
  reading?: boolean;
}

export class InputReader {
  private chunks: Buffer[] = [];
  /** Index in chunks of the next one to hand out. */
  private head = 0;
  private buffered = 0;
  private ended = false;
  private failed: Error | null = null;
  private wake: (() => void) | null = null;
  /** Direct reading was stopped because HIGH_WATER bytes wait. */
  private stopped = false;
  /** Reading into our own areas (true) or through 'data' events. */
  readonly direct: boolean;

  constructor(private readonly stream: Duplex) {
    this.direct = this.readDirectly(stream);
    if (!this.direct) {
      stream.on('data', (c: Buffer) => {
        this.add(c);
        // Stop the socket only when a good deal is waiting: pausing for every chunk
        // would cost a system call pair per 64 KiB on the data path.
        if (this.buffered >= HIGH_WATER) stream.pause();
      });
    }
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

  private add(c: Buffer): void {
    if (c.length === 0) return;
    this.chunks.push(c);
    this.buffered += c.length;
    this.notify();
  }

  /**
   * Switches a net.Socket to reading into our own areas. Node keeps the user-buffer
   * state of a socket in three symbol-keyed fields (set from the `onread` option at
   * construction) and reads through the handle's useUserBuffer(); both are looked up
   * and checked here, and anything not as expected leaves the socket untouched.
   */
  private readDirectly(stream: Duplex): boolean {
    if (!(stream instanceof net.Socket) || process.env.AF_INPUT_EVENTS === '1') return false;
    const handle = (stream as unknown as { _handle?: UserBufferHandle | null })._handle;
    if (!handle || typeof handle.useUserBuffer !== 'function' || stream.destroyed) return false;
    const sym = (name: string) => Object.getOwnPropertySymbols(stream).find((s) => s.description === name);
    const kBuffer = sym('kBuffer');
    const kBufferCb = sym('kBufferCb');
    const kBufferGen = sym('kBufferGen');
    if (!kBuffer || !kBufferCb || !kBufferGen) return false;
    const fields = stream as unknown as Record<symbol, unknown>;
    if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return false;
    // Bytes Node read already (none normally: nobody listened yet) come first.
    if (stream.readableLength > 0) {
      let c: Buffer | null;
      while ((c = stream.read() as Buffer | null) !== null) this.add(c);
    }
    let area = Buffer.allocUnsafe(AREA_BYTES);
    let used = 0;
    const room = (): Buffer => {
      if (area.length - used < MIN_ROOM) {
        area = Buffer.allocUnsafe(AREA_BYTES);
        used = 0;
      }
      return area.subarray(used);
    };
    const first = room();
    fields[kBufferGen] = room;
    // Called with the bytes Node read into the buffer room() gave last; false pauses.
    fields[kBufferCb] = (n: number, buf: Buffer): boolean => {
      used += n;
      this.add(buf.subarray(0, n));
      if (this.buffered < HIGH_WATER) return true;
      this.stopped = true;
      return false;
    };
    fields[kBuffer] = first;
    handle.useUserBuffer(first);
    return true;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private shift(): Buffer | undefined {
    if (this.head === this.chunks.length) return undefined;
    const c = this.chunks[this.head]!;
    this.chunks[this.head] = EMPTY;
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    }
    return c;
  }

  /** The next chunk, or null when the peer has finished sending (or the connection failed). */
  async read(): Promise<Buffer | null> {
    for (;;) {
      const c = this.shift();
      if (c) {
        this.buffered -= c.length;
        if (this.buffered < HIGH_WATER) this.goOn();
        return c;
      }
      if (this.ended || this.failed) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.stream.resume();
      });
    }
  }

  /** Lets the socket deliver again after a stop at HIGH_WATER. */
  private goOn(): void {
    if (this.stopped) {
      this.stopped = false;
      this.stream.resume(); // a socket reading into user buffers restarts its reads here
    } else if (!this.direct && this.stream.isPaused()) {
      this.stream.resume();
    }
  }
}

const EMPTY = Buffer.alloc(0);
