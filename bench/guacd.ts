// Child process: the synthetic guacd every contender talks to. The parent sets a mode before each
// workload; sessions that finish their handshake while it is set are scripted by it.
import { once } from "node:events";
import type { Socket } from "node:net";
import { startSyntheticGuacd, type SyntheticSession } from "../server/testing/synthetic-guacd.ts";
import { serveParent } from "./ipc.ts";
import { streamChunks, type GuacdMode } from "./workloads.ts";

const nopIntervalMs = 5_000; // what guacd does
const nop = "3.nop;";

let mode: GuacdMode = { kind: "idle" };
const chunks = streamChunks();

async function waitWritable(socket: Socket): Promise<void> {
  await Promise.race([once(socket, "drain"), once(socket, "close")]);
}

/** Sends the stream as fast as the socket's backpressure allows. */
async function stream(session: SyntheticSession, bytes: Buffer, repeats: number): Promise<void> {
  const socket = session.socket;
  for (let i = 0; i < repeats; i++) {
    if (socket.destroyed) return;
    if (!socket.write(bytes)) await waitWritable(socket);
  }
}

function keepAlive(session: SyntheticSession): void {
  const timer = setInterval(() => session.send(nop), nopIntervalMs);
  session.socket.once("close", () => clearInterval(timer));
}

/** Answers each `key,<id>,<pressed>` with `sync,<id>` at once. */
async function echo(session: SyntheticSession): Promise<void> {
  const socket = session.socket;
  while (!socket.destroyed) {
    const instruction = await session.next();
    if (instruction.opcode !== "key") continue;
    const id = instruction.args[0] ?? "";
    session.send(`4.sync,${id.length}.${id};`);
  }
}

function script(session: SyntheticSession): void {
  // Without this, Nagle's algorithm here and the client's delayed ACKs lock the key round trip into
  // step with the clients' sends: each answer waited for the next key (p50 = the 20 ms interval for
  // every contender, straight TCP included), which hides what the relays cost.
  session.socket.setNoDelay(true);
  const current = mode;
  switch (current.kind) {
    case "stream": {
      const chunk = chunks[current.stream];
      // The client's first instruction is the start signal: it has finished opening and started its clock.
      void session.next().then(() => stream(session, chunk.bytes, current.repeats));
      break;
    }
    case "echo":
      keepAlive(session);
      void echo(session);
      break;
    case "idle":
      keepAlive(session);
      break;
  }
}

const guacd = await startSyntheticGuacd({ nopIntervalMs: 0, onSession: script });

serveParent(
  { port: guacd.port },
  {
    mode: (request) => {
      mode = request.mode as GuacdMode;
      return true;
    },
  },
  () => guacd.stop(),
);
