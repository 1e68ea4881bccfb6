import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";

/** A lab by id (torn-down ones too); AppError("not_found") when there is none. */
export async function getLab(options: { labId: string }): Promise<LabView> {
  const row = await db().lab.findUnique({ where: { id: options.labId }, select: labViewSelect });
  if (!row) throw new AppError("not_found", `No lab ${options.labId}.`);
  return toLabView(row);
}
