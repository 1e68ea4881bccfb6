// One TunnelSession row per tunnel. Audit writes never break a live tunnel: failures are logged.
import { db } from "../db/index.ts";
import { log } from "../log.ts";
import type { Turns } from "./taking-turns.ts";
import type { AuditRecord, AuditStart } from "./tunnel-services.ts";

/** `inTurn` runs each write (database-services.ts makes SQLite's writes take turns). */
export function startAudit(start: AuditStart, inTurn: Turns = (write) => write()): AuditRecord {
  const created = inTurn(() =>
    db().tunnelSession.create({
      data: { id: start.tunnelId, userId: start.userId, labId: start.labId, protocol: start.protocol },
    }),
  ).then(
    () => true,
    (error: unknown) => {
      log.warn({ err: error, tunnelId: start.tunnelId }, "audit: could not record tunnel start");
      return false;
    },
  );
  return {
    async end(result) {
      if (!(await created)) return;
      try {
        const endedAt = new Date();
        await inTurn(() =>
          db().tunnelSession.update({
            where: { id: start.tunnelId },
            data: {
              endedAt,
              bytesToLab: BigInt(result.bytesToLab),
              bytesToUser: BigInt(result.bytesToUser),
              closeStatus: result.closeStatus,
            },
          }),
        );
      } catch (error) {
        log.warn({ err: error, tunnelId: start.tunnelId }, "audit: could not record tunnel end");
      }
    },
  };
}
