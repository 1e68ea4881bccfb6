// guacd -> browser, the hot path. Each guacd read arrives in a buffer that every guacd socket of the
// process shares (guacd-socket.ts) and is valid only while its callback runs. The framer says where
// the read's last whole instruction ends; everything up to there, behind the unfinished instruction
// kept from earlier reads, becomes one WebSocket text message: copied once into a frame buffer, the
// frame header written right in front of it, sent in one write. The rest of the read is copied aside,
// to go out with the read that ends it.
//
// Frame buffers are recycled (frame-buffers.ts, three sizes), so a busy relay allocates nothing per
// read. Backpressure counts the buffers of the frames in flight, not only their payload: a browser
// that falls behind holds about the high-water mark, however small the messages.
//
// Frames are written to the socket under `ws` directly: ws's send would frame each message itself,
// from a buffer of its own. This is safe because every frame written here is a whole message and ws
// sends immediately (no compression), so its messages and ours never interleave.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { frameBuffers, type FrameBufferPool } from "./frame-buffers.ts";
import { maxFrameHeaderLength, writeTextFrameHeader } from "./websocket-frames.ts";

export type BrowserStreamOptions = {
  ws: WebSocket;
  /** The socket under `ws`. */
  socket: Duplex;
  /** Stop reading guacd once this much waits to reach the browser (queued bytes, or buffers in flight). */
  highWater: number;
  pauseSource(): void;
  resumeSource(): void;
  /** Where frame buffers come from (the process's shared pool unless a test says otherwise). */
  pool?: FrameBufferPool;
};

export class BrowserStream {
  /** The unfinished instruction's bytes are its first `keptBytes` (reused from read to read). */
  private kept: Buffer | undefined;
  private keptBytes = 0;
  private sourcePaused = false;
  private readonly pool: FrameBufferPool;
  /** Frames written and not yet reported written, oldest first (a socket completes writes in order). */
  private readonly inFlight: Buffer[] = [];
  /** The sizes of the frames' buffers in flight: what a slow browser costs in memory. */
  private inFlightBytes = 0;
  /** The frame whose completion resumes reading guacd, when the browser fell behind. */
  private resumeAfter: Buffer | undefined;
  /** One callback for every write (a new closure per message would cost an allocation each). */
  private readonly onWritten = (error?: Error | null): void => {
    const frame = this.inFlight.shift();
    if (!frame) return;
    this.inFlightBytes -= frame.length;
    // Written: the socket no longer refers to the buffer. A failed write may still sit in the
    // socket's queue, so its buffer goes to the garbage collector rather than to another tunnel.
    if (!error) this.pool.give(frame);
    if (frame === this.resumeAfter) {
      this.resumeAfter = undefined;
      this.resumeSource();
    }
  };

  constructor(private readonly options: BrowserStreamOptions) {
    this.pool = options.pool ?? frameBuffers;
  }

  /**
   * Sends `read` up to `end`, the end of its last whole instruction (-1: none ends in it), and keeps
   * the rest. Nothing refers to `read` once this returns.
   */
  relay(read: Buffer, end: number): void {
    const { ws, socket, highWater } = this.options;
    if (ws.readyState !== ws.OPEN || !socket.writable) {
      // Closing: nothing more goes to this browser.
      this.dispose();
      return;
    }
    if (end < 0) {
      this.keep(read);
      return;
    }
    const payloadLength = this.keptBytes + end;
    const size = maxFrameHeaderLength + payloadLength;
    const frame = this.pool.take(size);
    if (this.kept) this.kept.copy(frame, maxFrameHeaderLength, 0, this.keptBytes);
    read.copy(frame, maxFrameHeaderLength + this.keptBytes, 0, end);
    const start = writeTextFrameHeader(frame, maxFrameHeaderLength, payloadLength);
    this.keptBytes = 0;
    this.inFlight.push(frame);
    this.inFlightBytes += frame.length;
    socket.write(frame.subarray(start, size), this.onWritten);
    // The browser is behind: stop reading guacd until this message has gone out.
    if (ws.bufferedAmount >= highWater || this.inFlightBytes >= highWater) {
      this.pauseSource();
      this.resumeAfter = frame;
    }
    if (end < read.length) this.keep(read.subarray(end));
    // Between instructions: hold nothing (an idle tunnel keeps no buffer).
    else this.kept = undefined;
  }

  /** Sends one of the tunnel's own instructions as its own message. */
  sendOwn(text: string): void {
    const { ws } = this.options;
    if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
  }

  /** Drops the unfinished instruction; call once the tunnel is closed. */
  dispose(): void {
    this.kept = undefined;
    this.keptBytes = 0;
  }

  private keep(bytes: Buffer): void {
    const needed = this.keptBytes + bytes.length;
    if (!this.kept || this.kept.length < needed) {
      // Grown by doubling: an instruction spread over many reads is copied O(log n) times.
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * (this.kept?.length ?? 0), 256));
      if (this.kept) this.kept.copy(grown, 0, 0, this.keptBytes);
      this.kept = grown;
    }
    bytes.copy(this.kept, this.keptBytes);
    this.keptBytes = needed;
  }

  private pauseSource(): void {
    if (this.sourcePaused) return;
    this.sourcePaused = true;
    this.options.pauseSource();
  }

  private resumeSource(): void {
    if (!this.sourcePaused) return;
    this.sourcePaused = false;
    this.options.resumeSource();
  }
}
