// The HTTP server: Next's request handler for pages and routes, and upgrade routing by path —
// the Guacamole tunnel at /api/tunnel, every other upgrade (Next's dev-mode HMR) to Next.
// next() is not given our http server on purpose: Next would then attach an upgrade listener of its
// own that closes sockets it does not recognise, including the tunnel's.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import next from "next";
import { config } from "./config.ts";
import { log, redactUrl } from "./log.ts";
import { projectRoot } from "./project-root.ts";
import { databaseTunnelServices } from "./tunnel/database-services.ts";
import { createTunnelEndpoint, tunnelPath } from "./tunnel/endpoint.ts";

export type AppServerOptions = { port: number; host: string; dev: boolean };
export type AppServer = { url: string; close(): Promise<void> };

const shutdownGraceMs = 5_000;

function pathnameOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}

/** Starts the app on host:port; the database must already be open (server/db/open.ts). */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const settings = config();
  const nextApp = next({ dev: options.dev, dir: projectRoot, hostname: options.host, port: options.port });
  await nextApp.prepare();
  const handleRequest = nextApp.getRequestHandler();
  const handleNextUpgrade = nextApp.getUpgradeHandler();
  const tunnel = createTunnelEndpoint({
    guacd: { host: settings.GUACD_HOST, port: settings.GUACD_PORT },
    allowedOrigins: settings.ALLOWED_ORIGINS,
    services: databaseTunnelServices(),
  });

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error({ err: error, path: redactUrl(req.url) }, "request failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (error) => log.debug({ err: error }, "upgrade socket error"));
    if (pathnameOf(req) === tunnelPath) {
      tunnel.handleUpgrade(req, socket, head);
    } else {
      Promise.resolve(handleNextUpgrade(req, socket, head)).catch(() => socket.destroy());
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://${options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        tunnel.close();
        server.closeIdleConnections();
        const forced = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
        await stopped;
        clearTimeout(forced);
        await nextApp.close?.();
      })();
      return closing;
    },
  };
}
