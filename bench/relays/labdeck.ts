// Child process: Labdeck's tunnel as production wires it (server/app-server.ts): createTunnelEndpoint
// behind an http server's upgrade event, authorizing one-time tickets from its database.
// The process owns that database (a throwaway SQLite file): it creates the learner and the lab, and
// mints tickets when the parent asks, so no other process ever holds a lock on the file.
// Differences from production, for the benchmark only: one learner opens every tunnel (so
// maxTunnelsPerUser is raised), and the browser idle timeout is 60 s instead of 15 s because a
// benchmark stream has no browser pings (idle tunnels do ping, every 5 s).
import { createServer } from "node:http";
import { useTestConfig } from "../../server/testing/config.ts";
import { serveParent } from "../ipc.ts";

useTestConfig();
// Loaded once the configuration is complete (the database and tunnel modules read it).
const { closeDb } = await import("../../server/db/index.ts");
const { openDatabase } = await import("../../server/db/open.ts");
const { mintTickets } = await import("../../server/tickets/mint-tickets.ts");
const { createLearnerWithLab, testOrigin } = await import("../../server/testing/tunnel-harness.ts");
const { createTunnelEndpoint, tunnelPath } = await import("../../server/tunnel/endpoint.ts");
const { databaseTunnelServices } = await import("../../server/tunnel/database-services.ts");

await openDatabase(process.env.DATABASE_URL);
const learner = await createLearnerWithLab();
const endpoint = createTunnelEndpoint({
  guacd: { host: "127.0.0.1", port: Number(process.env.BENCH_GUACD_PORT) },
  allowedOrigins: [testOrigin],
  services: databaseTunnelServices(),
  maxTunnelsPerUser: 100_000,
  idleTimeoutMs: 60_000,
});

const server = createServer((_req, res) => res.writeHead(404).end());
server.on("clientError", (_error, socket) => socket.destroy());
server.on("upgrade", (req, socket, head) => {
  socket.on("error", () => socket.destroy());
  if (new URL(req.url ?? "/", "http://localhost").pathname === tunnelPath) endpoint.handleUpgrade(req, socket, head);
  else socket.destroy();
});

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
if (!address || typeof address === "string") throw new Error("no port");

serveParent(
  { url: `ws://127.0.0.1:${address.port}${tunnelPath}` },
  {
    /** One-time tickets (valid 60 s) for the learner's lab. */
    tickets: async (request) => {
      const tickets: string[] = [];
      for (let left = Number(request.count); left > 0; left -= 100) {
        tickets.push(...(await mintTickets({ userId: learner.user.id, labId: learner.labId, protocol: "ssh", count: Math.min(100, left) })));
      }
      return tickets;
    },
    tunnels: () => endpoint.tunnels.size,
    /** Live tunnels by state, for diagnosing a tunnel that never opened. */
    states: () => {
      const counts: Record<string, number> = {};
      for (const tunnel of endpoint.tunnels) counts[tunnel.state] = (counts[tunnel.state] ?? 0) + 1;
      return counts;
    },
  },
  async () => {
    endpoint.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Let the tunnels' audit rows land before the database goes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await closeDb();
  },
);
