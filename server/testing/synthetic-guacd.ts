// A scriptable stand-in for guacd, for what a real one can't be made to do on demand: split UTF-8,
// garbage, silence, floods, and recording exactly which `connect` values it received. It speaks the
// real handshake (select -> args -> size/audio/video/image/timezone/name/connect -> ready).
import { createServer, type Server, type Socket } from "node:net";
import { encodeInstruction, type Instruction } from "../guacamole/instruction.ts";
import { createUtf8Decoder, InstructionParser } from "../guacamole/parser.ts";

export type SyntheticSession = {
  /** The handshake as received: every instruction up to and including `connect`. */
  readonly handshake: Instruction[];
  /** `connect` values by arg name (the version element removed). */
  readonly connectValues: Readonly<Record<string, string>>;
  /** Instructions received after the handshake. */
  readonly received: Instruction[];
  readonly socket: Socket;
  send(data: string | Buffer): boolean;
  /** Resolves with the next instruction received after the handshake. */
  next(): Promise<Instruction>;
  close(): void;
};

export type SyntheticGuacdOptions = {
  /** First element of `args`; undefined for a 1.0.0 guacd that sends none. */
  version?: string;
  argNames?: readonly string[];
  /** Answer to the handshake: "ready" (default), an error to send instead, or silence. */
  handshake?: "ready" | { error: string; status: number } | "silent";
  /** Called once the handshake is complete; script the session here. */
  onSession?: (session: SyntheticSession) => void;
  /** Send `nop` every this many ms (guacd does every 5 s); 0 = never. */
  nopIntervalMs?: number;
  /** Bytes sent in the same write as `ready` (what a busy guacd may already have queued). */
  afterReady?: string;
};

export type SyntheticGuacd = {
  port: number;
  sessions: SyntheticSession[];
  /** Resolves with the next session to finish its handshake after this call: call it before connecting. */
  nextSession(): Promise<SyntheticSession>;
  stop(): Promise<void>;
};

export const defaultSshArgNames = ["hostname", "host-key", "port", "username", "password", "private-key", "passphrase", "font-name", "font-size", "color-scheme", "scrollback", "read-only", "command", "recording-path", "create-recording-path", "sftp-root-directory", "enable-sftp"];

export async function startSyntheticGuacd(options: SyntheticGuacdOptions = {}): Promise<SyntheticGuacd> {
  const argNames = options.argNames ?? defaultSshArgNames;
  const version = "version" in options ? options.version : "VERSION_1_5_0";
  const sessions: SyntheticSession[] = [];
  const sessionWaiters: ((session: SyntheticSession) => void)[] = [];
  const sockets = new Set<Socket>();
  let counter = 0;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const decode = createUtf8Decoder();
    const parser = new InstructionParser();
    const handshake: Instruction[] = [];
    const received: Instruction[] = [];
    const waiters: ((instruction: Instruction) => void)[] = [];
    let session: SyntheticSession | undefined;
    let nop: NodeJS.Timeout | undefined;
    socket.on("close", () => clearInterval(nop));

    const onInstruction = (instruction: Instruction) => {
      if (session) {
        const waiter = waiters.shift();
        if (waiter) waiter(instruction);
        else received.push(instruction);
        return;
      }
      handshake.push(instruction);
      if (instruction.opcode === "select") {
        socket.write(encodeInstruction("args", ...(version ? [version] : []), ...argNames));
      } else if (instruction.opcode === "connect") {
        const values = version ? instruction.args.slice(1) : instruction.args;
        const connectValues = Object.fromEntries(argNames.map((name, i) => [name, values[i] ?? ""]));
        const answer = options.handshake ?? "ready";
        if (answer === "silent") return;
        if (answer !== "ready") {
          socket.end(encodeInstruction("error", answer.error, answer.status));
          return;
        }
        socket.write(encodeInstruction("ready", `$synthetic-${++counter}`) + (options.afterReady ?? ""));
        session = {
          handshake,
          connectValues,
          received,
          socket,
          send: (data) => socket.write(data),
          next: () => {
            const queued = received.shift();
            return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
          },
          close: () => socket.destroy(),
        };
        sessions.push(session);
        if (options.nopIntervalMs) nop = setInterval(() => socket.write(encodeInstruction("nop")), options.nopIntervalMs);
        options.onSession?.(session);
        sessionWaiters.shift()?.(session);
      }
    };

    socket.on("data", (chunk: Buffer) => {
      try {
        for (const instruction of parser.push(decode(chunk))) onInstruction(instruction);
      } catch {
        socket.destroy();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("synthetic guacd: no port");

  return {
    port: address.port,
    sessions,
    nextSession: () => new Promise((resolve) => sessionWaiters.push(resolve)),
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
