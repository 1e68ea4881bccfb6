// BrowserStream: guacd's reads become whole-instruction WebSocket frames, built in recycled buffers.
// A fake socket holds each write's callback, so the tests control when a write "completes".
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import type { WebSocket } from "ws";
import { BrowserStream } from "./browser-stream.ts";
import { FrameBufferPool, frameBufferClasses } from "./frame-buffers.ts";

const largest = Math.max(...frameBufferClasses.map((c) => c.size));

/**
 * The socket under the WebSocket, as BrowserStream uses it (write with a callback). It records what is
 * written and completes writes only when told to (a Writable would not even start a second write
 * before the first completed).
 */
class HeldSocket {
  writable = true;
  /** Copies of what the wire got at each write. */
  readonly written: Buffer[] = [];
  /** The buffers the socket was given (not copies), to see whether they change later. */
  readonly views: Buffer[] = [];
  readonly pending: (() => void)[] = [];
  write(chunk: Buffer, callback: () => void): boolean {
    this.written.push(Buffer.from(chunk));
    this.views.push(chunk);
    this.pending.push(callback);
    return true;
  }
  completeAll(): void {
    for (const done of this.pending.splice(0)) done();
  }
  failAll(error: Error): void {
    for (const done of this.pending.splice(0)) (done as (error: Error) => void)(error);
  }
}

function fakeWs(bufferedAmount = () => 0) {
  const sent: string[] = [];
  const ws = {
    OPEN: 1,
    readyState: 1,
    get bufferedAmount() {
      return bufferedAmount();
    },
    send: (text: string) => void sent.push(text),
  };
  return { ws: ws as unknown as WebSocket, sent };
}

/** Payloads of the text frames in `bytes` (server frames: unmasked), checking each header. */
function framePayloads(bytes: Buffer): string[] {
  const payloads: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    assert.equal(bytes[at], 0x81, "FIN + text");
    let length = bytes[at + 1]!;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    payloads.push(bytes.subarray(start, start + length).toString("latin1"));
    at = start + length;
  }
  return payloads;
}

function setup(options: { bufferedAmount?: () => number; highWater?: number } = {}) {
  const socket = new HeldSocket();
  const { ws, sent } = fakeWs(options.bufferedAmount);
  const pool = new FrameBufferPool();
  const calls: string[] = [];
  const stream = new BrowserStream({
    ws,
    socket: socket as unknown as Duplex,
    highWater: options.highWater ?? 1024,
    pauseSource: () => calls.push("pause"),
    resumeSource: () => calls.push("resume"),
    pool,
  });
  const payloads = () => framePayloads(Buffer.concat(socket.written));
  return { socket, ws: ws as unknown as { readyState: number }, sent, pool, calls, stream, payloads };
}

const read = (text: string) => Buffer.from(text, "latin1");
/** One `blob` instruction at least `size` bytes long. */
const blob = (size: number) => read(`4.blob,${size}.${"b".repeat(size)};`);

describe("BrowserStream.relay", () => {
  it("sends each read's whole instructions as one frame and the unfinished one with the read that ends it", () => {
    const { stream, payloads } = setup();
    stream.relay(read("4.sync;3.no"), 7);
    stream.relay(read("p;4.sy"), 2);
    stream.relay(read("nc;"), 3);
    assert.deepEqual(payloads(), ["4.sync;", "3.nop;", "4.sync;"]);
  });

  it("keeps reads that end no instruction until one does, however many", () => {
    const { stream, payloads } = setup();
    const value = "x".repeat(20_000);
    const whole = `4.blob,${value.length}.${value};`;
    for (let at = 0; at < whole.length - 1; at += 3000) stream.relay(read(whole.slice(at, Math.min(at + 3000, whole.length - 1))), -1);
    stream.relay(read(";"), 1);
    assert.deepEqual(payloads(), [whole]);
  });

  it("copies what it keeps: nothing refers to a read once relay returns (guacd's reads share one buffer)", () => {
    const { stream, socket, payloads } = setup();
    const shared = read("4.sync;3.no");
    stream.relay(shared, 7);
    shared.fill(0x21); // the next read lands in the same buffer
    stream.relay(read("p;"), 2);
    assert.deepEqual(payloads(), ["4.sync;", "3.nop;"]);
    assert.deepEqual(Buffer.concat(socket.views), Buffer.concat(socket.written), "what the socket holds was not overwritten");
  });

  it("writes headers of every length form (7, 16 and 64 bits) and frames beyond a frame buffer's size", () => {
    const { stream, payloads } = setup();
    for (const length of [100, 1000, 70_000, largest * 3]) {
      const text = `4.blob,${length}.${"b".repeat(length)};`;
      stream.relay(read(text), text.length);
    }
    assert.deepEqual(payloads().map((payload) => payload.length), [100, 1000, 70_000, largest * 3].map((length) => `4.blob,${length}.;`.length + length));
  });

  it("gives a frame buffer back to the pool only when its write has completed", () => {
    const { stream, socket, pool } = setup({ highWater: 16 * largest });
    const large = blob(largest / 2);
    stream.relay(large, large.length);
    assert.equal(pool.freeCount, 0, "in flight: not reusable");
    const inFlight = socket.views[0]!.buffer;
    stream.relay(large, large.length);
    assert.notEqual(socket.views[1]!.buffer, inFlight, "a second frame gets another buffer while the first is in flight");
    socket.completeAll();
    assert.equal(pool.freeCount, 2);
    stream.relay(large, large.length);
    assert.ok([inFlight, socket.views[1]!.buffer].includes(socket.views[2]!.buffer), "completed buffers are reused");
  });

  it("never gives back the buffer of a write that failed (the socket may still hold it)", () => {
    const { stream, socket, pool } = setup({ highWater: 16 * largest });
    const large = blob(largest / 2);
    stream.relay(large, large.length);
    socket.failAll(new Error("EPIPE"));
    assert.equal(pool.freeCount, 0);
  });

  it("counts the buffers of frames in flight: a browser that stops reading holds about the high-water mark, however small the messages", () => {
    const highWater = 64 * 1024;
    const { stream, socket, calls } = setup({ highWater });
    const sync = read("4.sync,13.1700000000000;");
    let reads = 0;
    while (!calls.includes("pause") && reads < 100_000) {
      stream.relay(sync, sync.length);
      reads++;
    }
    assert.deepEqual(calls, ["pause"], "guacd is paused");
    assert.ok(socket.views.every((view) => view.length === sync.length + 2), "each frame is header and payload");
    const held = new Set(socket.views.map((view) => view.buffer));
    const heldBytes = [...held].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    assert.ok(heldBytes >= highWater && heldBytes <= highWater + 4096, `${reads} small messages in flight hold ${heldBytes} bytes`);
    socket.completeAll();
    assert.deepEqual(calls, ["pause", "resume"]);
  });

  it("pauses guacd while the browser is behind and resumes once that frame is written", () => {
    let buffered = 0;
    const { stream, socket, calls } = setup({ bufferedAmount: () => buffered, highWater: 64 * 1024 });
    stream.relay(read("4.sync;"), 7);
    assert.deepEqual(calls, []);
    buffered = 100_000;
    stream.relay(read("4.sync;"), 7);
    assert.deepEqual(calls, ["pause"]);
    socket.pending.shift()!(); // the earlier frame completes: still behind
    assert.deepEqual(calls, ["pause"]);
    socket.completeAll();
    assert.deepEqual(calls, ["pause", "resume"]);
  });

  it("sends nothing once the WebSocket is no longer open, and keeps nothing either", () => {
    const { stream, socket, payloads, ws } = setup();
    stream.relay(read("4.sync;4.sy"), 7);
    ws.readyState = 3;
    stream.relay(read("nc;"), 3);
    stream.relay(read("4.sy"), -1);
    ws.readyState = 1;
    stream.relay(read("4.nop;"), 6);
    assert.deepEqual(payloads(), ["4.sync;", "4.nop;"], "what was kept before the close was dropped");
    assert.equal(socket.written.length, 2);
  });
});

describe("FrameBufferPool", () => {
  it("gives the smallest size class a frame fits in, recycles up to each class's bound, never keeps others", () => {
    const pool = new FrameBufferPool([{ size: 100, maxFree: 1 }, { size: 1000, maxFree: 2 }]);
    const small = pool.take(10);
    assert.equal(small.length, 100);
    const [a, b, c] = [pool.take(101), pool.take(1000), pool.take(500)];
    assert.equal(a.length, 1000);
    const huge = pool.take(1001);
    assert.equal(huge.length, 1001, "larger than every class: exactly its size");
    for (const buffer of [small, a, b, c, huge, Buffer.alloc(100)]) pool.give(buffer);
    assert.equal(pool.freeCount, 3, "one of 100 bytes, two of 1000");
    assert.equal(pool.take(1), small);
    assert.ok([a, b].includes(pool.take(1000)));
  });
});
