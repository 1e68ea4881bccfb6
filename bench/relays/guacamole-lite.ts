// Child process: guacamole-lite 1.2.0, the closest Node peer, on its own http server. It reads the
// connection settings from an AES-256-CBC token in the query (see bench/clients.ts).
// Timeouts: its browser inactivity limit is raised to 60 s (a benchmark stream has no browser pings);
// its guacd inactivity limit (10 s) is hard-coded, so idle sessions get guacd's usual nop every 5 s.
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { serveParent } from "../ipc.ts";

type GuacamoleLiteServer = { close(): void; webSocketServer: { clients: Set<{ terminate(): void }> } };
type GuacamoleLiteConstructor = new (
  wsOptions: Record<string, unknown>,
  guacdOptions: { host: string; port: number },
  clientOptions: Record<string, unknown>,
) => GuacamoleLiteServer;

const GuacamoleLite = createRequire(import.meta.url)("guacamole-lite") as GuacamoleLiteConstructor;

const server = createServer((_req, res) => res.writeHead(404).end());
const lite = new GuacamoleLite(
  { server },
  { host: "127.0.0.1", port: Number(process.env.BENCH_GUACD_PORT) },
  {
    crypt: { cypher: "AES-256-CBC", key: process.env.BENCH_LITE_KEY },
    maxInactivityTime: 60_000,
    log: { level: "ERRORS" },
  },
);

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
if (!address || typeof address === "string") throw new Error("no port");

serveParent({ url: `ws://127.0.0.1:${address.port}/` }, {}, async () => {
  lite.close();
  for (const ws of lite.webSocketServer.clients) ws.terminate();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
