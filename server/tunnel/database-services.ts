// The tunnel's services backed by the database: what app-server.ts and the tunnel test harness use.
import { db, processDatabaseKind } from "../db/index.ts";
import { onLabTornDown } from "../labs/lab-events.ts";
import { startAudit } from "./audit.ts";
import { authorizeTunnel } from "./authorize.ts";
import { takingTurns, type Turns } from "./taking-turns.ts";
import type { TunnelServices } from "./tunnel-services.ts";

export function databaseTunnelServices(): TunnelServices {
  // SQLite answers synchronously, so its work for tunnels takes turns (see taking-turns.ts);
  // PostgreSQL's queries wait on the network, which lets other work run between them anyway.
  const sqliteTurns = takingTurns();
  const inTurn: Turns = (work) => (processDatabaseKind() === "sqlite" ? sqliteTurns(work) : work());
  return {
    authorize: (query) => inTurn(() => authorizeTunnel(query)),
    startAudit: (start) => startAudit(start, inTurn),
    async tornDownLabs(labIds) {
      // A lab that is no longer there (its owner was deleted, and the lab with them) is gone as well.
      const live = await db().lab.findMany({ where: { id: { in: labIds }, state: { not: "torn_down" } }, select: { id: true } });
      const liveIds = new Set(live.map((lab) => lab.id));
      return labIds.filter((labId) => !liveIds.has(labId));
    },
    onLabTornDown(listener) {
      return onLabTornDown(({ labId }) => listener(labId));
    },
  };
}
