// guacd -> browser, the hot path. Each guacd read arrives in a buffer that every guacd socket of the
// process shares (guacd-socket.ts) and is valid only while its callback runs. The framer says where
// the read's last whole instruction ends; everything up to there, behind the unfinished instruction
// kept from earlier reads, becomes one WebSocket text message: copied once into a recycled frame
// buffer (frame-buffers.ts), the frame header written right in front of it, sent in one write. The
// rest of the read is copied into the next frame buffer, to be sent with the read that ends it.
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
  /** Stop reading guacd once this much waits to reach the browser. */
  highWater: number;
  pauseSource(): void;
  resumeSource(): void;
  /** Where frame buffers come from (the process's shared pool unless a test says otherwise). */
  pool?: FrameBufferPool;
};

export class BrowserStream {
  /** The frame buffer holding the unfinished instruction, from `maxFrameHeaderLength` on. */
  private kept: Buffer | undefined;
  private keptBytes = 0;
  private sourcePaused = false;
  private readonly pool: FrameBufferPool;
  /** Frame buffers written and not yet reported written, oldest first (writes complete in order). */
  private readonly inFlight: Buffer[] = [];
  /** The frame whose completion resumes reading guacd, when the browser fell behind. */
  private resumeAfter: Buffer | undefined;
  /** One callback for every write (a new closure per message would cost an allocation each). */
  private readonly onWritten = (): void => {
    // Written (or failed): the socket no longer refers to the buffer.
    const frame = this.inFlight.shift();
    if (!frame) return;
    this.pool.give(frame);
    if (frame === this.resumeAfter) {
      this.resumeAfter = undefined;
      this.resumeSource();
    }
  };

  constructor(private readonly options: BrowserStreamOptions) {
    this.pool = options.pool ?? frameBuffers;
  }

  /** Bytes of the unfinished instruction waiting for the read that ends it. */
  get keptLength(): number {
    return this.keptBytes;
  }

  /**
   * Sends `read` up to `end`, the end of its last whole instruction (-1: none ends in it), and keeps
   * the rest. Nothing refers to `read` once this returns.
   */
  relay(read: Buffer, end: number): void {
    if (end < 0) {
      this.keep(read);
      return;
    }
    const { ws, socket, highWater } = this.options;
    if (ws.readyState !== ws.OPEN) return;
    const payloadLength = this.keptBytes + end;
    const frame = this.frameFor(payloadLength);
    read.copy(frame, maxFrameHeaderLength + this.keptBytes, 0, end);
    const start = writeTextFrameHeader(frame, maxFrameHeaderLength, payloadLength);
    this.kept = undefined;
    this.keptBytes = 0;
    // The browser is behind: stop reading guacd until this message has gone out.
    if (ws.bufferedAmount >= highWater) {
      this.pauseSource();
      this.resumeAfter = frame;
    }
    this.inFlight.push(frame);
    socket.write(frame.subarray(start, maxFrameHeaderLength + payloadLength), this.onWritten);
    if (end < read.length) this.keep(read.subarray(end));
  }

  /** Sends one of the tunnel's own instructions as its own message. */
  sendOwn(text: string): void {
    const { ws } = this.options;
    if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
  }

  /** Gives back what the stream holds; call once the tunnel is closed. */
  dispose(): void {
    if (this.kept) this.pool.give(this.kept);
    this.kept = undefined;
    this.keptBytes = 0;
  }

  private keep(bytes: Buffer): void {
    const frame = this.frameFor(this.keptBytes + bytes.length);
    bytes.copy(frame, maxFrameHeaderLength + this.keptBytes);
    this.kept = frame;
    this.keptBytes += bytes.length;
  }

  /** The kept frame buffer if the payload fits in it, else a larger one with the kept bytes moved in. */
  private frameFor(payloadLength: number): Buffer {
    const size = maxFrameHeaderLength + payloadLength;
    const kept = this.kept;
    if (kept && kept.length >= size) return kept;
    const frame = this.pool.take(size);
    if (kept) {
      kept.copy(frame, maxFrameHeaderLength, maxFrameHeaderLength, maxFrameHeaderLength + this.keptBytes);
      this.pool.give(kept);
    }
    return frame;
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
