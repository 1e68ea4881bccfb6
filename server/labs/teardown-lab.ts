import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { emitLabTornDown } from "./lab-events.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";

/**
 * Tears a lab down: state torn_down, its credentials and unused tickets deleted, in one transaction.
 * Idempotent: a second call changes nothing (tornDownAt keeps the first time) and succeeds.
 * Listeners of onLabTornDown are told after the commit, on every call.
 */
export async function teardownLab(options: { labId: string }): Promise<LabView> {
  const { labId } = options;
  const view = await db().$transaction(
    async (tx) => {
      // Write first: on SQLite the transaction then takes the write lock at once (waiting for it if
      // another process holds it) rather than reading first and failing to upgrade a stale snapshot.
      await tx.lab.updateMany({ where: { id: labId, state: { not: "torn_down" } }, data: { state: "torn_down", tornDownAt: new Date() } });
      const exists = await tx.lab.count({ where: { id: labId } });
      if (exists === 0) throw new AppError("not_found", `No lab ${labId}.`);
      await tx.labCredential.deleteMany({ where: { labId } });
      await tx.connectionTicket.deleteMany({ where: { labId, consumedAt: null } });
      return toLabView(await tx.lab.findUniqueOrThrow({ where: { id: labId }, select: labViewSelect }));
    },
    // Longer than SQLite's busy timeout (10 s, server/db/client.ts): a busy file makes it wait, not fail.
    { maxWait: 15_000, timeout: 15_000 },
  );
  emitLabTornDown({ labId });
  return view;
}
