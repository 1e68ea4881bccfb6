// One browser's tunnel: authorize the ticket, connect and hand-shake with guacd, then relay.
//
// guacd -> browser is the hot path: the framer finds instruction boundaries and each read's whole
// instructions go out as one WebSocket message (browser-stream.ts), many instructions per message,
// never decoded or re-serialized.
// browser -> guacd is low volume and untrusted: guacd only ever receives the re-encoding of parsed,
// allowlisted instructions. A message that already is exactly that (keys, mouse moves: nearly all of
// them) is checked in place and passed on as is (docs/decisions/010-canonical-browser-input-passed-on.md).
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { isCanonicalInstructions, opcodeMatcher } from "../guacamole/canonical.ts";
import { InstructionFramer } from "../guacamole/framer.ts";
import { performHandshake, type HandshakeChannel } from "../guacamole/handshake.ts";
import { encodeInstruction, type Instruction } from "../guacamole/instruction.ts";
import { guacdLimits, InstructionParser, ProtocolError } from "../guacamole/parser.ts";
import { GuacamoleError, statuses, statusByCode, type StatusEntry } from "../guacamole/status.ts";
import { log } from "../log.ts";
import { BrowserStream } from "./browser-stream.ts";
import type { ConnectQuery } from "./connect-query.ts";
import { connectToGuacd, type GuacdAddress } from "./guacd-socket.ts";
import type { AuditRecord, TunnelGrant, TunnelServices } from "./tunnel-services.ts";

export type TunnelState = "authorizing" | "connecting" | "open" | "closed";

export const tunnelLimits = {
  /** Largest browser message accepted (bytes). */
  maxBrowserMessage: 64 * 1024,
  /** Stop reading guacd while this much is queued for the browser... */
  browserHighWater: 1024 * 1024,
  /** Bytes of browser instructions held while guacd is still being connected (a browser sends none). */
  maxEarlyBytes: 256 * 1024,
  handshakeTimeoutMs: 10_000,
} as const;

// What a browser may send once connected (guacamole-common-js's client instructions).
const browserOpcodes = new Set([
  "key", "mouse", "touch", "size", "clipboard", "file", "pipe", "blob", "end", "ack", "sync",
  "disconnect", "nop", "put", "get", "argv", "audio",
]);
// Handshake instructions: a browser sending these is confused or hostile.
const handshakeOpcodes = new Set(["select", "connect", "args", "image", "video", "timezone", "name", "ready"]);
const isBrowserOpcode = opcodeMatcher(browserOpcodes);

export type TunnelHost = {
  guacd: GuacdAddress;
  services: TunnelServices;
  /** Reserves a tunnel slot for the user; throws GuacamoleError CLIENT_TOO_MANY when full. */
  admit(tunnel: Tunnel): void;
  release(tunnel: Tunnel): void;
};

export class Tunnel {
  readonly id = randomUUID();
  state: TunnelState = "authorizing";
  grant: TunnelGrant | undefined;
  /** Set by the host while this tunnel counts against its user's limit. */
  admittedUser: string | undefined;
  /** When each side was last heard from, as of the endpoint's last sweep (recordActivity). */
  lastBrowserActivity = Date.now();
  lastGuacdActivity = Date.now();
  // Set per message instead of reading the clock per message (the key round trip's hot path).
  private browserHeard = false;
  private guacdHeard = false;
  /**
   * Whether the tunnel itself stopped reading a side (backpressure): guacd while the browser is
   * behind, the browser while guacd's socket is full. A side the tunnel is not reading is not silent.
   */
  private guacdPaused = false;
  private browserPaused = false;

  private guacd: Socket | undefined;
  private readonly framer = new InstructionFramer({ watch: ["error"] });
  private readonly browser: BrowserStream;
  private readonly browserParser = new InstructionParser();
  private earlyInstructions: Array<string | Buffer> = [];
  private earlyBytes = 0;
  private handshakeInbox: Instruction[] = [];
  private handshakeWaiter: ((instruction: Instruction | Error) => void) | undefined;
  private handshakeText: InstructionParser | undefined = new InstructionParser();
  /** guacd's bytes after the last whole instruction, while the handshake runs (copies: reads are reused). */
  private handshakeTail: Buffer[] = [];
  /** Labs this process tore down while the tunnel was still authorizing: its grant may name one. */
  private labsTornDownWhileAuthorizing: string[] = [];
  private audit: AuditRecord | undefined;
  private bytesToLab = 0;
  private bytesToUser = 0;

  constructor(
    private readonly ws: WebSocket,
    socket: Duplex,
    private readonly query: ConnectQuery,
    private readonly host: TunnelHost,
  ) {
    this.browser = new BrowserStream({
      ws,
      socket,
      highWater: tunnelLimits.browserHighWater,
      pauseSource: () => {
        this.guacdPaused = true;
        this.guacd?.pause();
      },
      resumeSource: () => {
        this.guacdPaused = false;
        this.guacdHeard = true;
        if (this.state === "open") this.guacd?.resume();
      },
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onBrowserMessage(data, isBinary));
    ws.on("close", () => this.close(statuses.SUCCESS, undefined, { notifyBrowser: false }));
    ws.on("error", (error) => {
      log.debug({ err: error, tunnelId: this.id }, "browser socket error");
      // ws has already closed the socket itself (for a message over its 1 MiB cap, with 1009), so
      // the browser hears no Guacamole error: the status is for the audit row.
      const status = (error as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" ? statuses.CLIENT_OVERRUN : statuses.CLIENT_BAD_REQUEST;
      this.close(status, "The browser connection failed.", { notifyBrowser: false });
    });
  }

  /** State may change to closed while setup awaits; read it through here after an await. */
  private get isClosed(): boolean {
    return this.state === "closed";
  }

  /** Bytes queued for the browser (bounded by backpressure). */
  get browserBufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  get labId(): string | undefined {
    return this.grant?.labId;
  }

  /**
   * Folds what was heard since the last call into the last-heard times; the endpoint's sweep calls it
   * before judging silence, so a silence is measured to within one sweep interval.
   */
  recordActivity(now: number): void {
    // When both sides are paused, the browser started it (guacd is only paused while the browser is
    // behind), so it alone is still judged.
    if (this.browserHeard || (this.browserPaused && !this.guacdPaused)) {
      this.browserHeard = false;
      this.lastBrowserActivity = now;
    }
    if (this.guacdHeard || this.guacdPaused) {
      this.guacdHeard = false;
      this.lastGuacdActivity = now;
    }
  }

  /**
   * A lab was torn down: closes the tunnel if it is this tunnel's lab. A tunnel still authorizing
   * remembers it, since the authorization may have read the lab just before the teardown.
   */
  labTornDown(labId: string): void {
    if (this.state === "authorizing") this.labsTornDownWhileAuthorizing.push(labId);
    else if (this.labId === labId) this.close(statuses.RESOURCE_CLOSED, "This lab has been torn down.");
  }

  /** Runs the tunnel's setup; failures close it with their status. */
  async start(): Promise<void> {
    try {
      this.grant = await this.host.services.authorize(this.query);
      if (this.isClosed) return;
      if (this.labsTornDownWhileAuthorizing.includes(this.grant.labId)) throw new GuacamoleError("RESOURCE_CLOSED", "This lab has been torn down.");
      this.labsTornDownWhileAuthorizing = [];
      this.host.admit(this);
      this.audit = this.host.services.startAudit({ tunnelId: this.id, userId: this.grant.userId, labId: this.grant.labId, protocol: this.grant.protocol });
      this.state = "connecting";
      this.guacd = await connectToGuacd(this.host.guacd, (bytes) => this.onGuacdData(bytes));
      if (this.isClosed) {
        this.guacd.destroy();
        return;
      }
      this.attachGuacd(this.guacd);
      await this.handshake(this.grant);
    } catch (error) {
      this.fail(error);
    }
  }

  private attachGuacd(socket: Socket): void {
    socket.on("drain", () => {
      this.browserPaused = false;
      this.browserHeard = true;
      this.ws.resume();
    });
    socket.on("error", (error) => {
      log.debug({ err: error, tunnelId: this.id }, "guacd socket error");
      this.close(statuses.UPSTREAM_ERROR, "The connection to the remote desktop gateway failed.");
    });
    socket.on("close", () => {
      if (this.state === "open") this.close(statuses.SUCCESS);
      else this.rejectHandshakeRead(new GuacamoleError("UPSTREAM_ERROR", "The remote desktop gateway closed the connection."));
    });
  }

  private async handshake(grant: TunnelGrant): Promise<void> {
    const socket = this.guacd!;
    const channel: HandshakeChannel = {
      read: () => this.readHandshakeInstruction(),
      write: (data) => void socket.write(data),
    };
    await performHandshake(channel, {
      protocol: grant.protocol,
      parameters: grant.parameters,
      display: { width: this.query.width, height: this.query.height, dpi: this.query.dpi },
      audio: this.query.audio,
      video: this.query.video,
      image: this.query.image,
      timezone: this.query.timezone,
      name: grant.userName,
    });
    // The lab's secrets were only needed for `connect`: do not keep them for the tunnel's lifetime.
    this.grant = { ...grant, parameters: {} };
    // guacd's connection id (from `ready`) lets anyone who reaches guacd join: it stays here.
    if (this.isClosed) return;
    this.state = "open";
    this.sendOwn(encodeInstruction("", this.id));
    const early = this.handshakeInbox;
    this.handshakeInbox = [];
    for (const instruction of early) {
      this.sendOwn(encodeInstruction(instruction.opcode, ...instruction.args));
      // guacd's error right after `ready` (same read): it ends the tunnel, as it would a moment later.
      if (instruction.opcode === "error") {
        this.close(statusByCode(Number(instruction.args[1])) ?? statuses.UPSTREAM_ERROR, instruction.args[0], { notifyBrowser: false });
        return;
      }
    }
    this.handshakeText = undefined;
    // An instruction guacd had begun after `ready` is the start of the first relayed message.
    if (this.handshakeTail.length > 0) {
      const tail = Buffer.concat(this.handshakeTail);
      this.bytesToUser += tail.length;
      this.browser.relay(tail, -1);
    }
    this.handshakeTail = [];
    for (const instructions of this.earlyInstructions) this.writeToGuacd(instructions);
    this.earlyInstructions = [];
    log.info({ tunnelId: this.id, labId: grant.labId, protocol: grant.protocol }, "tunnel open");
  }

  private readHandshakeInstruction(): Promise<Instruction> {
    const next = this.handshakeInbox.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.rejectHandshakeRead(new GuacamoleError("UPSTREAM_TIMEOUT", "The remote desktop gateway did not answer.")),
        tunnelLimits.handshakeTimeoutMs,
      );
      this.handshakeWaiter = (result) => {
        clearTimeout(timer);
        this.handshakeWaiter = undefined;
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
    });
  }

  private rejectHandshakeRead(error: Error): void {
    this.handshakeWaiter?.(error);
  }

  /** One read from guacd: a view of the shared read buffer, valid only until this returns. */
  private onGuacdData(chunk: Buffer): void {
    if (this.state === "closed") return;
    this.guacdHeard = true;
    let framed;
    try {
      framed = this.framer.push(chunk);
    } catch (error) {
      this.fail(error instanceof ProtocolError ? new GuacamoleError("UPSTREAM_ERROR", "The remote desktop gateway sent invalid data.") : error);
      return;
    }
    if (this.state !== "open") {
      this.onHandshakeChunk(chunk, framed.end);
      return;
    }
    const [error] = framed.watched;
    if (!error) {
      this.bytesToUser += chunk.length;
      this.browser.relay(chunk, framed.end);
      return;
    }
    // guacd's own error: relay what ends with it, then close with its status.
    this.bytesToUser += framed.end;
    this.browser.relay(chunk.subarray(0, framed.end), framed.end);
    const status = statusByCode(Number(error.args[1])) ?? statuses.UPSTREAM_ERROR;
    this.close(status, error.args[0], { notifyBrowser: false });
  }

  /** Before the tunnel opens, guacd's whole instructions go to the handshake. */
  private onHandshakeChunk(chunk: Buffer, end: number): void {
    if (end < 0) {
      this.handshakeTail.push(Buffer.from(chunk));
      return;
    }
    const whole = this.handshakeTail.length === 0 ? chunk.subarray(0, end) : Buffer.concat([...this.handshakeTail, chunk.subarray(0, end)]);
    this.handshakeTail = end < chunk.length ? [Buffer.from(chunk.subarray(end))] : [];
    let instructions: Instruction[];
    try {
      instructions = this.handshakeText?.push(whole.toString("utf8")) ?? [];
    } catch {
      this.rejectHandshakeRead(new GuacamoleError("UPSTREAM_ERROR", "The remote desktop gateway sent invalid data."));
      return;
    }
    for (const instruction of instructions) {
      if (this.handshakeWaiter) this.handshakeWaiter(instruction);
      else this.handshakeInbox.push(instruction);
    }
  }

  private onBrowserMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === "closed") return;
    this.browserHeard = true;
    if (isBinary) {
      this.close(statuses.CLIENT_BAD_TYPE, "Binary messages are not part of the Guacamole protocol.");
      return;
    }
    if (data.length > tunnelLimits.maxBrowserMessage) {
      this.close(statuses.CLIENT_OVERRUN, "Message too large.");
      return;
    }
    // Nearly every message (keys, mouse, size, acks) is whole, allowed instructions already in the exact
    // form re-encoding would give them: pass those bytes on as they are. (Such a message is ASCII, so
    // it is valid UTF-8 without a check.)
    if (this.browserParser.atInstructionBoundary && isCanonicalInstructions(data, guacdLimits, isBrowserOpcode)) {
      this.forwardToGuacd(data);
      return;
    }
    // ws leaves UTF-8 to the tunnel (endpoint.ts), so that a bad message gets a Guacamole status.
    if (!isUtf8(data)) {
      this.close(statuses.CLIENT_BAD_REQUEST, "Messages must be valid UTF-8.");
      return;
    }
    let instructions: Instruction[];
    try {
      instructions = this.browserParser.push(data.toString("utf8"));
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.reason : "malformed";
      this.close(
        reason === "element_too_long" || reason === "too_many_elements" ? statuses.CLIENT_OVERRUN : statuses.CLIENT_BAD_REQUEST,
        "Malformed Guacamole instruction.",
      );
      return;
    }
    let forward = "";
    for (const instruction of instructions) {
      const { opcode, args } = instruction;
      if (opcode === "") {
        // Internal instructions are the tunnel's own: answer pings, ignore the rest. A browser that
        // is not reading gets no answers, so pings cannot pile up replies in memory.
        if (args[0] === "ping" && this.ws.bufferedAmount < tunnelLimits.browserHighWater) {
          this.sendOwn(encodeInstruction("", "ping", ...args.slice(1)));
        }
        continue;
      }
      if (handshakeOpcodes.has(opcode)) {
        this.close(statuses.CLIENT_BAD_REQUEST, `"${opcode}" is not allowed once connected.`);
        return;
      }
      if (!browserOpcodes.has(opcode)) continue;
      forward += encodeInstruction(opcode, ...args);
    }
    if (forward) this.forwardToGuacd(forward);
  }

  /** Browser instructions, validated and encoded, to guacd: now, or once the handshake is over. */
  private forwardToGuacd(instructions: string | Buffer): void {
    if (this.state === "open") {
      this.writeToGuacd(instructions);
      return;
    }
    this.earlyBytes += Buffer.byteLength(instructions);
    if (this.earlyBytes > tunnelLimits.maxEarlyBytes) {
      this.close(statuses.CLIENT_OVERRUN, "Too much input before the connection was ready.");
      return;
    }
    this.earlyInstructions.push(instructions);
  }

  private writeToGuacd(data: string | Buffer): void {
    const socket = this.guacd;
    if (!socket || socket.destroyed) return;
    this.bytesToLab += Buffer.byteLength(data);
    // guacd is behind: stop reading the browser until its socket drains.
    if (!socket.write(data)) {
      this.browserPaused = true;
      this.ws.pause();
    }
  }

  /** The tunnel's own messages (its UUID, ping replies), counted with the bytes relayed. */
  private sendOwn(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.bytesToUser += Buffer.byteLength(text);
    this.browser.sendOwn(text);
  }

  private fail(error: unknown): void {
    if (error instanceof GuacamoleError) {
      this.close(error.status, error.message);
    } else {
      log.error({ err: error, tunnelId: this.id }, "tunnel failed");
      this.close(statuses.SERVER_ERROR, "Internal error.");
    }
  }

  /**
   * Ends the tunnel once: tells the browser why (an `error` instruction and the status as the close
   * reason, as guacamole-common-js reads it), disconnects guacd, records the audit row.
   */
  close(status: StatusEntry, message?: string, options: { notifyBrowser?: boolean } = {}): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    const ws = this.ws;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      if (status !== statuses.SUCCESS && options.notifyBrowser !== false) {
        const error = encodeInstruction("error", message ?? status.message, status.code);
        if (ws.readyState === ws.OPEN) this.bytesToUser += Buffer.byteLength(error);
        ws.send(error);
      }
      ws.close(status.webSocketCode, String(status.code));
    }
    const guacd = this.guacd;
    if (guacd && !guacd.destroyed) {
      if (wasOpen) guacd.end(encodeInstruction("disconnect"));
      else guacd.destroy();
      // A guacd that ignores the disconnect still gets cut off.
      setTimeout(() => guacd.destroy(), 1_000).unref();
    }
    this.rejectHandshakeRead(new GuacamoleError("RESOURCE_CLOSED", "The tunnel was closed."));
    this.earlyInstructions = [];
    this.handshakeInbox = [];
    this.handshakeTail = [];
    this.browser.dispose();
    this.host.release(this);
    this.audit?.end({ bytesToLab: this.bytesToLab, bytesToUser: this.bytesToUser, closeStatus: status.code });
    if (status !== statuses.SUCCESS) log.info({ tunnelId: this.id, status: status.name }, "tunnel closed");
  }
}
