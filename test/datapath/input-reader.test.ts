/**
 * The server's socket reader: on a real TCP socket it reads into its own large
 * areas (direct mode); every byte must come out once, in order, and every chunk it
 * handed out must keep its bytes while later reads go on (the write path keeps views
 * of them). Also: a fast sender is held off while nothing is read, a half-closed
 * client still gets replies, bytes that arrived before the reader was made come
 * first, and any other Duplex falls back to 'data' events with the same result.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { InputReader } from '../../src/server/input-reader.js';

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A connected pair over 127.0.0.1: [client, server side]. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
  const client = net.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((r) => client.once('connect', r));
  const server = await accepted;
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      srv.close();
    },
  };
}

/** Writes data in pieces of varying size, honouring backpressure; ends the stream when done. */
async function sendInPieces(s: net.Socket, data: Buffer, seed: number): Promise<void> {
  let off = 0;
  let x = seed;
  while (off < data.length) {
    x = (x * 48271) % 2147483647;
    const n = Math.min(data.length - off, 1 + (x % 200_000));
    if (!s.write(data.subarray(off, off + n))) await new Promise((r) => s.once('drain', r));
    off += n;
  }
  await new Promise<void>((r) => s.end(r));
}

async function readAll(r: InputReader): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (;;) {
    const c = await r.read();
    if (c === null) return out;
    out.push(c);
  }
}

test('direct reading: all bytes in order, and chunks handed out keep their bytes', async () => {
  const { client, server, close } = await socketPair();
  try {
    const reader = new InputReader(server);
    assert.equal(reader.direct, true, 'a net.Socket is read into our own areas');
    const data = pattern(24 << 20, 7);
    const sending = sendInPieces(client, data, 11);
    const chunks = await readAll(reader);
    await sending;
    // Compared only now: had an area been written again, earlier chunks would differ.
    assert.equal(Buffer.concat(chunks).equals(data), true);
    assert.ok(chunks.length > 1);
    assert.ok(Math.max(...chunks.map((c) => c.length)) > 65536, 'reads larger than Node’s 64 KiB happen');
  } finally {
    close();
  }
});

test('direct reading: a sender is held off while nothing is read, then everything arrives', async () => {
  const { client, server, close } = await socketPair();
  try {
    const reader = new InputReader(server);
    const first = await new Promise<Buffer | null>((resolve) => {
      void reader.read().then(resolve);
      client.write(Buffer.from('x'));
    });
    assert.deepEqual(first, Buffer.from('x'));
    const data = pattern(64 << 20, 3);
    const sending = sendInPieces(client, data, 5);
    // Read nothing for a while: the reader must stop taking bytes from the socket.
    await new Promise((r) => setTimeout(r, 400));
    const taken = server.bytesRead;
    assert.ok(taken < 24 << 20, `only a bounded amount was read while nobody asked (${taken} bytes)`);
    const chunks = await readAll(reader);
    await sending;
    assert.equal(Buffer.concat(chunks).equals(data), true);
  } finally {
    close();
  }
});

test('direct reading: a half-closed client still gets the reply', async () => {
  const { client, server, close } = await socketPair();
  try {
    const reader = new InputReader(server);
    const got: Buffer[] = [];
    client.on('data', (d: Buffer) => got.push(d));
    const clientDone = new Promise((r) => client.once('end', r));
    client.end(Buffer.from('hello'));
    const chunks = await readAll(reader);
    assert.equal(Buffer.concat(chunks).toString(), 'hello');
    server.end(Buffer.from('bye'));
    await clientDone;
    assert.equal(Buffer.concat(got).toString(), 'bye');
  } finally {
    close();
  }
});

test('direct reading: bytes Node buffered before the reader was made come first', async () => {
  const { client, server, close } = await socketPair();
  try {
    server.read(0); // starts Node's own reading into its buffer
    client.write(Buffer.from('early '));
    for (let i = 0; i < 100 && server.readableLength === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(server.readableLength > 0);
    const reader = new InputReader(server);
    assert.equal(reader.direct, true);
    const tail = pattern(3 << 20, 9);
    const sending = sendInPieces(client, tail, 2);
    const chunks = await readAll(reader);
    await sending;
    assert.equal(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from('early '), tail])), true);
  } finally {
    close();
  }
});

test('any other Duplex is read through data events, with the same result', async () => {
  const p = new PassThrough();
  const reader = new InputReader(p);
  assert.equal(reader.direct, false);
  const data = pattern(9 << 20, 4);
  for (let off = 0; off < data.length; off += 100_000) p.write(data.subarray(off, off + 100_000));
  p.end();
  const chunks = await readAll(reader);
  assert.equal(Buffer.concat(chunks).equals(data), true);
});
