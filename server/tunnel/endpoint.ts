// The WebSocket endpoint guacamole-common-js connects to: GET /api/tunnel, subprotocol "guacamole".
// Checks the Origin before upgrading, then runs one Tunnel per socket and watches all of them with a
// single timer: silent browsers and guacds, and labs torn down while in use (by any process).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { statuses, type StatusEntry } from "../guacamole/status.ts";
import { GuacamoleError } from "../guacamole/status.ts";
import { log, redactUrl } from "../log.ts";
import { parseConnectQuery } from "./connect-query.ts";
import type { GuacdAddress } from "./guacd-socket.ts";
import { Tunnel, tunnelLimits, type TunnelHost } from "./tunnel.ts";
import type { TunnelServices } from "./tunnel-services.ts";
import { tuneV8ForRelaying } from "./v8-tuning.ts";

export const tunnelPath = "/api/tunnel";

export type TunnelEndpointOptions = {
  guacd: GuacdAddress;
  allowedOrigins: readonly string[];
  /** Authorization, audit and lab teardowns (database-services.ts in the app). */
  services: TunnelServices;
  maxTunnelsPerUser?: number;
  /** Silence after which a side is considered gone (guacd sends nop every 5 s, browsers ping every 0.5 s). */
  idleTimeoutMs?: number;
  /** How often to look for labs torn down under live tunnels. */
  labCheckIntervalMs?: number;
};

export type TunnelEndpoint = {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Live tunnels, for tests and metrics. */
  readonly tunnels: ReadonlySet<Tunnel>;
  close(status?: StatusEntry): void;
};

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

export function createTunnelEndpoint(options: TunnelEndpointOptions): TunnelEndpoint {
  tuneV8ForRelaying();
  const maxTunnelsPerUser = options.maxTunnelsPerUser ?? 8;
  const idleTimeoutMs = options.idleTimeoutMs ?? 15_000;
  const labCheckIntervalMs = options.labCheckIntervalMs ?? 2_000;
  const allowedOrigins = new Set(options.allowedOrigins);
  const tunnels = new Set<Tunnel>();
  const admitted = new Map<string, number>();

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // A hard cap far above our own 64 KiB limit, so oversized messages get a proper Guacamole error.
    maxPayload: 16 * tunnelLimits.maxBrowserMessage,
    // The tunnel checks UTF-8 itself (tunnel.ts), to answer with a Guacamole status, not ws's bare 1007.
    skipUTF8Validation: true,
    handleProtocols: (protocols) => (protocols.has("guacamole") ? "guacamole" : false),
  });
  wss.on("error", (error) => log.warn({ err: error }, "tunnel endpoint error"));

  const host: TunnelHost = {
    guacd: options.guacd,
    services: options.services,
    admit(tunnel) {
      const userId = tunnel.grant!.userId;
      const count = admitted.get(userId) ?? 0;
      if (count >= maxTunnelsPerUser) throw new GuacamoleError("CLIENT_TOO_MANY", "Too many open lab connections.");
      admitted.set(userId, count + 1);
      tunnel.admittedUser = userId;
    },
    release(tunnel) {
      tunnels.delete(tunnel);
      const userId = tunnel.admittedUser;
      if (!userId) return;
      tunnel.admittedUser = undefined;
      const count = (admitted.get(userId) ?? 1) - 1;
      if (count > 0) admitted.set(userId, count);
      else admitted.delete(userId);
    },
  };

  let checkingLabs = false;
  let lastLabCheck = 0;
  async function closeTunnelsOfTornDownLabs(): Promise<void> {
    const labIds = [...new Set([...tunnels].map((t) => t.labId).filter((id): id is string => Boolean(id)))];
    if (labIds.length === 0) return;
    for (const labId of await options.services.tornDownLabs(labIds)) closeTunnelsOfLab(labId);
  }

  const closeTunnelsOfLab = (labId: string) => {
    for (const tunnel of tunnels) tunnel.labTornDown(labId);
  };
  // Teardowns in this process close at once; those from elsewhere (the CLI, other nodes) are found by polling.
  const stopListening = options.services.onLabTornDown(closeTunnelsOfLab);

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const tunnel of tunnels) {
      tunnel.recordActivity(now);
      if (now - tunnel.lastBrowserActivity > idleTimeoutMs) {
        tunnel.close(statuses.CLIENT_TIMEOUT, "The browser stopped responding.");
      } else if (tunnel.state === "open" && now - tunnel.lastGuacdActivity > idleTimeoutMs) {
        tunnel.close(statuses.UPSTREAM_TIMEOUT, "The remote desktop gateway stopped responding.");
      }
    }
    if (!checkingLabs && tunnels.size > 0 && now - lastLabCheck >= labCheckIntervalMs) {
      checkingLabs = true;
      lastLabCheck = now;
      closeTunnelsOfTornDownLabs()
        .catch((error: unknown) => log.warn({ err: error }, "could not check labs of live tunnels"))
        .finally(() => (checkingLabs = false));
    }
  }, Math.min(1_000, idleTimeoutMs / 3, labCheckIntervalMs));
  sweep.unref();

  return {
    tunnels,
    handleUpgrade(req, socket, head) {
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins.has(origin)) {
        log.warn({ origin, path: redactUrl(req.url) }, "tunnel refused: origin not allowed");
        refuseUpgrade(socket, 403, "Forbidden");
        return;
      }
      const search = (req.url ?? "").split("?")[1] ?? "";
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const tunnel = new Tunnel(ws, socket, parseConnectQuery(search), host);
        tunnels.add(tunnel);
        void tunnel.start();
      });
    },
    close(status = statuses.SERVER_BUSY) {
      clearInterval(sweep);
      stopListening();
      for (const tunnel of tunnels) tunnel.close(status, "Labdeck is restarting.");
      wss.close();
    },
  };
}
