// guacd -> browser, the hot path: guacd's reads go out as WebSocket text messages that end only at
// instruction boundaries (guacamole-common-js parses each message on its own), without copying a
// byte. The framer says where a read's last whole instruction ends; everything up to there, behind
// the unfinished instruction kept from earlier reads, becomes one frame written as its header plus
// those buffers in a single writev. The rest of the read waits, by reference, for the next one.
//
// Frames are written to the socket under `ws` directly (websocket-frames.ts): ws's own send can
// take only one buffer per frame, which would mean joining (copying) the kept part and the new read.
// This is safe because every frame written here is a whole message and ws sends immediately (no
// compression), so its messages and ours never interleave.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { textFrameHeader } from "./websocket-frames.ts";

export type BrowserStreamOptions = {
  ws: WebSocket;
  /** The socket under `ws`. */
  socket: Duplex;
  /** Stop reading guacd once this much waits to reach the browser. */
  highWater: number;
  pauseSource(): void;
  resumeSource(): void;
};

export class BrowserStream {
  /** The unfinished instruction's bytes from earlier reads (views of those reads, not copies). */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private sourcePaused = false;

  constructor(private readonly options: BrowserStreamOptions) {}

  /** Sends `chunk` up to `end`, the end of its last whole instruction (-1: none ends in it), and keeps the rest. */
  relay(chunk: Buffer, end: number): void {
    const { ws, socket, highWater } = this.options;
    if (end < 0) {
      this.keep(chunk);
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    // The browser is behind: stop reading guacd until this message has gone out.
    const behind = ws.bufferedAmount >= highWater;
    if (behind) this.pauseSource();
    const whenSent = behind ? () => this.resumeSource() : undefined;
    const head = end === chunk.length ? chunk : chunk.subarray(0, end);
    socket.cork();
    socket.write(textFrameHeader(this.keptBytes + end));
    for (const part of this.kept) socket.write(part);
    socket.write(head, whenSent);
    socket.uncork();
    this.kept = [];
    this.keptBytes = 0;
    if (end < chunk.length) this.keep(chunk.subarray(end));
  }

  /** Sends one of the tunnel's own instructions as its own message. */
  sendOwn(text: string): void {
    const { ws } = this.options;
    if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
  }

  private keep(bytes: Buffer): void {
    this.kept.push(bytes);
    this.keptBytes += bytes.length;
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
