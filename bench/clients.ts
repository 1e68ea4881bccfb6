// The benchmark's clients, one way in per contender, all ending in the same Connection: raw chunks
// in (TCP reads or WebSocket messages), text out. They talk like guacamole-common-js: one WebSocket
// with subprotocol "guacamole", text messages, internal instructions with the empty opcode.
import { createCipheriv, randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { encodeInstruction, type Instruction } from "../server/guacamole/instruction.ts";
import { InstructionParser } from "../server/guacamole/parser.ts";

export const contenders = ["tcp", "pipe", "lite", "labdeck"] as const;
export type Contender = (typeof contenders)[number];
export const contenderNames: Record<Contender, string> = {
  tcp: "straight TCP",
  pipe: "byte pipe",
  lite: "guacamole-lite",
  labdeck: "Labdeck",
};

export type Connection = {
  send(text: string): void;
  /**
   * Replaces the handler of incoming bytes (chunks are cut anywhere for TCP and the byte pipe).
   * Without a handler, bytes are held and handed to the next one: a WebSocket's first message can
   * arrive in the same read as the upgrade response, i.e. before anyone has had a chance to listen.
   */
  onData(handler: ((chunk: Buffer) => void) | undefined): void;
  /** Resolves once the peer has closed or `close()` finished. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
};

/** Where and how to open one connection of a contender. */
export type Target =
  | { contender: "tcp"; guacdPort: number }
  | { contender: "pipe"; url: string }
  | { contender: "lite"; url: string; token: string }
  | { contender: "labdeck"; url: string; ticket: string };

const openTimeoutMs = 20_000;
const display = { width: 1024, height: 768, dpi: 96, timezone: "Europe/Paris" };

/** Incoming bytes go to the handler, or wait for one. */
function inbox(): { deliver(chunk: Buffer): void; setHandler(handler: ((chunk: Buffer) => void) | undefined): void } {
  let handler: ((chunk: Buffer) => void) | undefined;
  let held: Buffer[] = [];
  return {
    deliver(chunk) {
      if (handler) handler(chunk);
      else held.push(chunk);
    },
    setHandler(next) {
      handler = next;
      if (!next || held.length === 0) return;
      const chunks = held;
      held = [];
      for (const chunk of chunks) next(chunk);
    },
  };
}

function tcpTransport(port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: "127.0.0.1", port, noDelay: true });
    const incoming = inbox();
    socket.on("data", (chunk: Buffer) => incoming.deliver(chunk));
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      socket.on("error", () => socket.destroy());
      const transport: Connection = {
        send: (text) => void socket.write(text),
        onData: (handler) => incoming.setHandler(handler),
        closed,
        async close() {
          socket.end();
          const timer = setTimeout(() => socket.destroy(), 2_000);
          await closed;
          clearTimeout(timer);
        },
      };
      resolve(transport);
    });
  });
}

function webSocketTransport(url: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    // No compression and no UTF-8 check of received text: the client should cost as little as possible.
    const ws = new WebSocket(url, "guacamole", { perMessageDeflate: false, skipUTF8Validation: true });
    const incoming = inbox();
    ws.on("message", (data: Buffer) => incoming.deliver(data));
    const closed = new Promise<void>((done) => ws.once("close", () => done()));
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
    });
    ws.once("error", reject);
    ws.once("open", () => {
      ws.removeListener("error", reject);
      ws.on("error", () => ws.terminate());
      resolve({
        send: (text) => ws.send(text),
        onData: (handler) => incoming.setHandler(handler),
        closed,
        async close() {
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
          const timer = setTimeout(() => ws.terminate(), 2_000);
          await closed;
          clearTimeout(timer);
        },
      });
    });
  });
}

/** Feeds parsed instructions to `until` until it returns true; rejects on close or timeout. */
function readInstructions(transport: Connection, until: (instruction: Instruction) => boolean): Promise<void> {
  const parser = new InstructionParser();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer while opening")), openTimeoutMs);
    void transport.closed.then(() => {
      clearTimeout(timer);
      reject(new Error("closed while opening"));
    });
    transport.onData((chunk) => {
      let instructions: Instruction[];
      try {
        instructions = parser.push(chunk.toString("utf8"));
      } catch (error) {
        clearTimeout(timer);
        reject(error);
        return;
      }
      for (const instruction of instructions) {
        if (instruction.opcode === "error") {
          clearTimeout(timer);
          reject(new Error(`refused: ${instruction.args.join(", ")}`));
          return;
        }
        if (until(instruction)) {
          clearTimeout(timer);
          // The rest of this chunk belongs to no workload (guacd waits for the client); later bytes are held.
          transport.onData(undefined);
          resolve();
          return;
        }
      }
    });
  });
}

/**
 * The client side of guacd's handshake, for the contenders that leave it to the client (straight TCP,
 * byte pipe): select -> args -> size, audio, video, image, timezone, name, connect -> ready.
 */
async function clientHandshake(transport: Connection): Promise<void> {
  let args: readonly string[] = [];
  const gotArgs = readInstructions(transport, (instruction) => {
    if (instruction.opcode !== "args") return false;
    args = instruction.args;
    return true;
  });
  transport.send(encodeInstruction("select", "ssh"));
  await gotArgs;
  const values = args.map((name) => (name.startsWith("VERSION_") ? name : name === "hostname" ? "127.0.0.1" : ""));
  const ready = readInstructions(transport, (instruction) => instruction.opcode === "ready");
  transport.send(
    encodeInstruction("size", display.width, display.height, display.dpi) +
      encodeInstruction("audio", "audio/L16") +
      encodeInstruction("video") +
      encodeInstruction("image", "image/png", "image/jpeg") +
      encodeInstruction("timezone", display.timezone) +
      encodeInstruction("name", "bench") +
      encodeInstruction("connect", ...values),
  );
  await ready;
}

/** Opens one connection and returns once the session is ready for the workload. */
export async function openConnection(target: Target): Promise<Connection> {
  let transport: Connection;
  switch (target.contender) {
    case "tcp":
      transport = await tcpTransport(target.guacdPort);
      await guarded(transport, clientHandshake(transport));
      break;
    case "pipe":
      transport = await webSocketTransport(target.url);
      await guarded(transport, clientHandshake(transport));
      break;
    case "lite": {
      transport = await webSocketTransport(`${target.url}?token=${encodeURIComponent(target.token)}`);
      // guacamole-lite does the handshake and announces the session as `0.,<guacd connection id>;`.
      await guarded(transport, readInstructions(transport, (instruction) => instruction.opcode === ""));
      break;
    }
    case "labdeck": {
      const query = new URLSearchParams({ ticket: target.ticket, width: "1024", height: "768", dpi: "96", timezone: display.timezone });
      query.append("audio", "audio/L16");
      query.append("image", "image/png");
      query.append("image", "image/jpeg");
      transport = await webSocketTransport(`${target.url}?${query}`);
      // Labdeck does the handshake and announces the tunnel as `0.,36.<uuid>;`.
      await guarded(transport, readInstructions(transport, (instruction) => instruction.opcode === ""));
      break;
    }
  }
  return transport;
}

async function guarded(transport: Connection, opening: Promise<void>): Promise<void> {
  try {
    await opening;
  } catch (error) {
    await transport.close();
    throw error;
  }
}

// ---------------------------------------------------------------- guacamole-lite's token

export const liteTokenKey = randomBytes(16).toString("hex"); // 32 characters: AES-256's key length

/** guacamole-lite's token: base64 of JSON { iv, value } with value the AES-256-CBC encrypted settings. */
export function liteToken(key: string): string {
  const settings = {
    connection: {
      type: "ssh",
      settings: { hostname: "127.0.0.1", port: 22, username: "learner", ...display },
    },
  };
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", Buffer.from(key), iv);
  const value = Buffer.concat([cipher.update(JSON.stringify(settings), "utf8"), cipher.final()]).toString("base64");
  return Buffer.from(JSON.stringify({ iv: iv.toString("base64"), value })).toString("base64");
}
