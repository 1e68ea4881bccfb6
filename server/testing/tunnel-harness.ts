// Test harness for the tunnel: the endpoint on a bare HTTP server (no Next), a learner with a lab
// and tickets, and a WebSocket client that talks like guacamole-common-js's WebSocketTunnel.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import { db } from "../db/index.ts";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { readContent } from "../content/read-content.ts";
import type { Instruction } from "../guacamole/instruction.ts";
import { encodeInstruction } from "../guacamole/instruction.ts";
import { InstructionParser } from "../guacamole/parser.ts";
import { registerLab } from "../labs/register-lab.ts";
import { projectRoot } from "../project-root.ts";
import { mintTickets } from "../tickets/mint-tickets.ts";
import { databaseTunnelServices } from "../tunnel/database-services.ts";
import { createTunnelEndpoint, tunnelPath, type TunnelEndpoint, type TunnelEndpointOptions } from "../tunnel/endpoint.ts";
import { createUser } from "../users/create-user.ts";

export const testOrigin = "http://labdeck.test";

export type TunnelHarness = { url: string; endpoint: TunnelEndpoint; close(): Promise<void> };

export async function startTunnelHarness(options: Partial<TunnelEndpointOptions> & Pick<TunnelEndpointOptions, "guacd">): Promise<TunnelHarness> {
  const endpoint = createTunnelEndpoint({ allowedOrigins: [testOrigin], services: databaseTunnelServices(), ...options });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  // Upgraded sockets are not the http server's any more: closing the harness destroys them itself,
  // so a socket that stopped reading (backpressure tests) cannot hold up the server's close.
  const upgraded = new Set<Duplex>();
  server.on("upgrade", (req, socket, head) => {
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    socket.on("error", () => socket.destroy());
    if ((req.url ?? "").startsWith(tunnelPath)) endpoint.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    url: `ws://127.0.0.1:${address.port}${tunnelPath}`,
    endpoint,
    close: async () => {
      endpoint.close();
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const templatesReady = new WeakMap<object, Map<string, Promise<unknown>>>();
let userCounter = 0;
let sharedKey: string | undefined;

/** One RSA key for every harness lab: generating 3072-bit keys per test would dominate the run. */
function harnessPrivateKey(): string {
  sharedKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return sharedKey;
}

type HarnessTemplate = { title: string; panes: { protocol: Protocol; label: string; position: number; settings: string }[] };

const harnessTemplates = {
  "harness-shell": (): HarnessTemplate => ({
    title: "Harness shell",
    panes: [{ protocol: "ssh", position: 0, label: "Terminal", settings: "{}" }],
  }),
  // The shipped linux-desktop template's panes, validated and completed as the content importer stores them.
  "harness-desktop": (): HarnessTemplate => {
    const shipped = readContent(join(projectRoot, "content")).templates.find((template) => template.slug === "linux-desktop");
    if (!shipped) throw new Error("content/lab-templates/linux-desktop.json is missing");
    return { title: "Harness desktop", panes: shipped.panes };
  },
};

function ensureTemplate(slug: keyof typeof harnessTemplates): Promise<unknown> {
  const database = db();
  let ready = templatesReady.get(database);
  if (!ready) templatesReady.set(database, (ready = new Map()));
  let upsert = ready.get(slug);
  if (!upsert) {
    const { title, panes } = harnessTemplates[slug]();
    upsert = database.labTemplate.upsert({ where: { slug }, update: {}, create: { slug, title, panes: { create: panes } } });
    ready.set(slug, upsert);
  }
  return upsert;
}

/**
 * A learner with a lab, ready unless told otherwise: an SSH endpoint on `labHost:labPort` always;
 * with `rdp` and/or `vnc`, those endpoints too, and the lab then uses the settings of the shipped
 * linux-desktop template (content/lab-templates/linux-desktop.json), so its panes are what guacd gets.
 */
export async function createLearnerWithLab(options: {
  labHost?: string;
  labPort?: number;
  state?: "provisioning" | "ready";
  privateKey?: string;
  username?: string;
  rdp?: { port: number; username: string; password: string };
  vnc?: { port: number; password: string };
} = {}) {
  const templateSlug = options.rdp !== undefined || options.vnc !== undefined ? "harness-desktop" : "harness-shell";
  await ensureTemplate(templateSlug);
  const email = `learner${++userCounter}-${process.pid}@labdeck.test`;
  const user = await createUser({ email, name: `Learner ${userCounter}`, role: "learner" });
  const { lab } = await registerLab({
    ownerEmail: email,
    templateSlug,
    host: options.labHost ?? "127.0.0.1",
    ssh: { port: options.labPort ?? 22, username: options.username ?? "learner", privateKey: options.privateKey ?? harnessPrivateKey() },
    rdp: options.rdp,
    vnc: options.vnc,
    state: options.state ?? "ready",
  });
  return {
    user,
    labId: lab.id,
    ticket: async (protocol: Protocol = "ssh") => (await mintTickets({ userId: user.id, labId: lab.id, protocol }))[0]!,
  };
}

export type TunnelClient = {
  ws: WebSocket;
  /** Every text message received, as is. */
  messages: string[];
  /** Resolves with the next instruction received (parsed). */
  next(): Promise<Instruction>;
  /** Resolves with the first instruction matching, skipping others. */
  waitFor(predicate: (instruction: Instruction) => boolean, timeoutMs?: number): Promise<Instruction>;
  send(opcode: string, ...args: (string | number)[]): void;
  closed: Promise<{ code: number; reason: string }>;
  /** HTTP status when the upgrade was refused. */
  refused: Promise<number | undefined>;
};

/** Opens a tunnel like guacamole-common-js does; `ping: true` keeps it alive with internal pings. */
export function openTunnel(
  url: string,
  query: Record<string, string | string[]>,
  options: { origin?: string | null; ping?: boolean } = {},
): TunnelClient {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const item of [value].flat()) search.append(key, item);
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? testOrigin : options.origin;
  if (origin !== null) headers.origin = origin;
  const ws = new WebSocket(`${url}?${search}`, "guacamole", { headers });
  const parser = new InstructionParser();
  const messages: string[] = [];
  const inbox: Instruction[] = [];
  const waiters: ((instruction: Instruction) => void)[] = [];
  let refusedStatus: ((status: number | undefined) => void) | undefined;
  const refused = new Promise<number | undefined>((resolve) => (refusedStatus = resolve));
  ws.on("unexpected-response", (_req, res) => {
    refusedStatus?.(res.statusCode);
    res.resume();
    ws.terminate();
  });
  ws.on("open", () => refusedStatus?.(undefined));
  ws.on("error", () => {});
  ws.on("message", (data: Buffer) => {
    const text = data.toString("utf8");
    messages.push(text);
    for (const instruction of parser.push(text)) {
      const waiter = waiters.shift();
      if (waiter) waiter(instruction);
      else inbox.push(instruction);
    }
  });
  let pinger: NodeJS.Timeout | undefined;
  if (options.ping !== false) {
    pinger = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeInstruction("", "ping", Date.now()));
    }, 200);
  }
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => {
      clearInterval(pinger);
      resolve({ code, reason: reason.toString() });
    });
  });
  const next = () => {
    const queued = inbox.shift();
    return queued ? Promise.resolve(queued) : new Promise<Instruction>((resolve) => waiters.push(resolve));
  };
  return {
    ws,
    messages,
    next,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error("timed out waiting for an instruction");
        const instruction = await Promise.race([
          next(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out waiting for an instruction")), remaining).unref()),
        ]);
        if (predicate(instruction)) return instruction;
      }
    },
    send: (opcode, ...args) => ws.send(encodeInstruction(opcode, ...args)),
    closed,
    refused,
  };
}

/** The tunnel's first message, `0.,36.<uuid>;`: the tunnel is open. (Ping replies are internal too.) */
export const isTunnelUuid = (instruction: Instruction): boolean =>
  instruction.opcode === "" && instruction.args.length === 1 && /^[0-9a-f-]{36}$/.test(instruction.args[0] ?? "");

export const defaultQuery = (ticket: string): Record<string, string | string[]> => ({
  ticket,
  width: "1024",
  height: "768",
  dpi: "96",
  timezone: "Europe/Paris",
  audio: ["audio/L16"],
  image: ["image/png", "image/jpeg"],
});
