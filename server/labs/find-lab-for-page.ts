import { db } from "../db/index.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";

/** The user's newest lab of this template that is not torn down, or null (a course page's lab). */
export async function findLabForUser(options: { userId: string; templateSlug: string }): Promise<LabView | null> {
  const row = await db().lab.findFirst({
    where: { ownerId: options.userId, template: { slug: options.templateSlug }, state: { not: "torn_down" } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: labViewSelect,
  });
  return row ? toLabView(row) : null;
}
