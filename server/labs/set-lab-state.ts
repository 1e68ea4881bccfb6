import { z } from "zod";
import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";
import { parseInput } from "./validation.ts";

const input = z.strictObject({ labId: z.string().min(1, "must not be empty"), state: z.enum(["ready", "stopped"]) });

/**
 * Marks a lab ready or stopped. A torn-down lab stays torn down: AppError("gone"). The state check
 * is part of the update's where clause, so a concurrent teardown cannot be undone.
 */
export async function setLabState(options: { labId: string; state: "ready" | "stopped" }): Promise<LabView> {
  const { labId, state } = parseInput(input, options, "Invalid lab state");
  const { count } = await db().lab.updateMany({ where: { id: labId, state: { not: "torn_down" } }, data: { state } });
  const row = await db().lab.findUnique({ where: { id: labId }, select: labViewSelect });
  if (!row) throw new AppError("not_found", `No lab ${labId}.`);
  if (count === 0) throw new AppError("gone", `Lab ${labId} has been torn down.`);
  return toLabView(row);
}
