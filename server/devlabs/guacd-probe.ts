// Talks just enough Guacamole to check a guacd: `select` to read its arg names, and a full handshake
// to prove a lab is reachable through it. The app's tunnel does this properly (server/tunnel/); this
// is a small, dependency-free client for the demo's and the tests' own checks.
import { connect, type Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";

export type Instruction = { opcode: string; args: string[] };

const encodeElement = (value: string) => `${[...value].length}.${value}`;
export const encode = (opcode: string, ...args: string[]) => `${[opcode, ...args].map(encodeElement).join(",")};`;

/** Reads instructions from a socket; lengths count codepoints, text is decoded across chunk borders. */
class InstructionReader {
  private buffer = "";
  private readonly queue: Instruction[] = [];
  private readonly waiters: { resolve: (i: Instruction) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(socket: Socket) {
    const decoder = new StringDecoder("utf8");
    socket.on("data", (chunk: Buffer) => {
      this.buffer += decoder.write(chunk);
      this.drain();
    });
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("guacd closed the connection")));
  }

  next(): Promise<Instruction> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }

  private drain(): void {
    for (;;) {
      const elements: string[] = [];
      const chars = [...this.buffer];
      let at = 0;
      let complete = false;
      while (at < chars.length) {
        const dot = chars.indexOf(".", at);
        if (dot === -1) break;
        const length = Number(chars.slice(at, dot).join(""));
        if (!Number.isInteger(length) || dot === at) return this.fail(new Error("guacd sent something that is not Guacamole"));
        const end = dot + 1 + length;
        if (end >= chars.length) break;
        elements.push(chars.slice(dot + 1, end).join(""));
        const terminator = chars[end];
        at = end + 1;
        if (terminator === ";") {
          complete = true;
          break;
        }
        if (terminator !== ",") return this.fail(new Error("guacd sent something that is not Guacamole"));
      }
      if (!complete) return;
      this.buffer = chars.slice(at).join("");
      const [opcode = "", ...args] = elements;
      const instruction = { opcode, args };
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(instruction);
      else this.queue.push(instruction);
    }
  }
}

export type GuacdConnection = {
  /** guacd's protocol version, e.g. VERSION_1_3_0 ("" from a 1.0 guacd). */
  version: string;
  argNames: string[];
  next(): Promise<Instruction>;
  send(opcode: string, ...args: string[]): void;
  close(): void;
};

/** Connects and sends `select,PROTOCOL`; resolves with guacd's `args` answer. */
export async function selectProtocol(host: string, port: number, protocol: string, timeoutMs = 5_000): Promise<GuacdConnection> {
  const socket = connect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`guacd at ${host}:${port} did not answer within ${timeoutMs} ms`)));
  const reader = new InstructionReader(socket);
  socket.write(encode("select", protocol));
  const answer = await reader.next().catch((error: Error) => {
    socket.destroy();
    throw error;
  });
  if (answer.opcode !== "args") {
    socket.destroy();
    throw new Error(`guacd answered select with "${answer.opcode}" (${answer.args.join(", ")})`);
  }
  socket.setTimeout(0);
  const versioned = answer.args[0]?.startsWith("VERSION_") ?? false;
  return {
    version: versioned ? (answer.args[0] ?? "") : "",
    argNames: versioned ? answer.args.slice(1) : answer.args,
    next: () => reader.next(),
    send: (opcode, ...args) => void socket.write(encode(opcode, ...args)),
    close: () => socket.destroy(),
  };
}

/**
 * A complete handshake: select, the client's capabilities, connect with `values` by arg name.
 * Resolves with the open connection once guacd answers `ready`; rejects with guacd's error otherwise.
 */
export async function connectThroughGuacd(
  host: string,
  port: number,
  protocol: string,
  values: Readonly<Record<string, string>>,
): Promise<GuacdConnection> {
  const connection = await selectProtocol(host, port, protocol);
  try {
    connection.send("size", "1024", "768", "96");
    connection.send("audio");
    connection.send("video");
    connection.send("image", "image/png");
    const connectValues = connection.argNames.map((name) => values[name] ?? "");
    connection.send("connect", ...(connection.version ? [connection.version] : []), ...connectValues);
    const answer = await connection.next();
    if (answer.opcode === "ready") return connection;
    throw new Error(`guacd answered connect with "${answer.opcode}" (${answer.args.join(", ")})`);
  } catch (error) {
    connection.close();
    throw error;
  }
}
