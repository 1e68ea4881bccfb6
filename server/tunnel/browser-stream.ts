// guacd -> browser, the hot path: each guacd read goes out as it is, no copy, as WebSocket text
// messages that end only at instruction boundaries (guacamole-common-js parses each message on its
// own). The framer says where the read's last whole instruction ends; the read then leaves as at
// most two frames of one socket write: the end of the message in progress (fin) and the start of
// the next one (not fin), which the browser joins with what follows.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

export type BrowserStreamOptions = {
  ws: WebSocket;
  /** The socket under `ws`, corked while one read's frames are queued so they leave in one write. */
  socket: Duplex;
  /** Stop reading guacd once this much waits to reach the browser. */
  highWater: number;
  pauseSource(): void;
  resumeSource(): void;
};

/** Replies the tunnel owes the browser (pings) while a message is open; a flood of pings gets no more. */
const maxQueuedOwnInstructions = 32;

export class BrowserStream {
  private open = false;
  private ownQueue: string[] = [];
  private sourcePaused = false;

  constructor(private readonly options: BrowserStreamOptions) {}

  /** A message has been started and not finished: nothing else may be sent until it is. */
  get messageOpen(): boolean {
    return this.open;
  }

  /** Sends `chunk`, whose last whole instruction ends at `end` (-1: none ends in it). */
  relay(chunk: Buffer, end: number): void {
    const { ws, socket, highWater } = this.options;
    if (ws.readyState !== ws.OPEN) return;
    // The browser is behind: stop reading guacd until this read has gone out.
    const behind = ws.bufferedAmount >= highWater;
    if (behind) this.pauseSource();
    const whenSent = behind ? () => this.resumeSource() : undefined;
    socket.cork();
    if (end < 0) {
      this.frame(chunk, false, whenSent);
    } else if (end === chunk.length) {
      this.frame(chunk, true, whenSent);
    } else {
      this.frame(chunk.subarray(0, end), true);
      this.frame(chunk.subarray(end), false, whenSent);
    }
    socket.uncork();
  }

  /** Sends one of the tunnel's own instructions, after the message in progress if there is one. */
  sendOwn(text: string): void {
    if (!this.open) {
      this.send(text);
    } else if (this.ownQueue.length < maxQueuedOwnInstructions) {
      this.ownQueue.push(text);
    }
  }

  private frame(data: Buffer, fin: boolean, whenSent?: () => void): void {
    this.options.ws.send(data, { binary: false, fin }, whenSent);
    this.open = !fin;
    if (fin && this.ownQueue.length > 0) {
      const queued = this.ownQueue;
      this.ownQueue = [];
      for (const text of queued) this.send(text);
    }
  }

  private send(text: string): void {
    const { ws } = this.options;
    if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
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
