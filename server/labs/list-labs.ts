import { z } from "zod";
import { db } from "../db/index.ts";
import { emailSchema } from "../users/email.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";
import { parseInput } from "./validation.ts";

export type ListLabsOptions = {
  ownerEmail?: string | undefined;
  state?: "provisioning" | "ready" | "stopped" | "torn_down" | undefined;
  templateSlug?: string | undefined;
};

const input = z.strictObject({
  ownerEmail: emailSchema.optional(),
  state: z.enum(["provisioning", "ready", "stopped", "torn_down"]).optional(),
  templateSlug: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters").optional(),
});

/** Labs, newest first, optionally only one owner's, one state's or one template's. */
export async function listLabs(options: ListLabsOptions = {}): Promise<LabView[]> {
  const filters = parseInput(input, options, "Invalid lab filter");
  const rows = await db().lab.findMany({
    where: {
      ...(filters.ownerEmail !== undefined && { owner: { email: filters.ownerEmail } }),
      ...(filters.state !== undefined && { state: filters.state }),
      ...(filters.templateSlug !== undefined && { template: { slug: filters.templateSlug } }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: labViewSelect,
  });
  return rows.map(toLabView);
}
