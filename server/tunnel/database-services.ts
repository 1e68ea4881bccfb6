// The tunnel's services backed by this process's database: what app-server.ts's relay parent and the
// in-process test harness use.
import { db } from "../db/index.ts";
import { onLabTornDown } from "../labs/lab-events.ts";
import { startAudit, type AuditRecord } from "./audit.ts";
import { authorizeTunnel } from "./authorize.ts";
import type { TunnelServices } from "./tunnel-services.ts";

export function databaseTunnelServices(): TunnelServices {
  const audits = new Map<string, AuditRecord>();
  return {
    authorize: authorizeTunnel,
    auditStart(start) {
      audits.set(start.tunnelId, startAudit(start));
    },
    auditEnd(tunnelId, end) {
      const audit = audits.get(tunnelId);
      audits.delete(tunnelId);
      void audit?.end(end);
    },
    async tornDownLabs(labIds) {
      if (labIds.length === 0) return [];
      const gone = await db().lab.findMany({ where: { id: { in: labIds }, state: "torn_down" }, select: { id: true } });
      return gone.map((lab) => lab.id);
    },
    onLabTornDown(listener) {
      return onLabTornDown(({ labId }) => listener(labId));
    },
  };
}
