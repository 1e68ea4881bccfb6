// Rows the lab, ticket, API and CLI tests need: users and lab templates (the content importer
// creates templates in production).
import { randomBytes } from "node:crypto";
import type { Db } from "../db/index.ts";
import type { Protocol } from "../db/generated/sqlite/enums.ts";

export async function createTestUser(db: Db, email = `user-${randomBytes(4).toString("hex")}@example.org`) {
  return db.user.create({ data: { email }, select: { id: true, email: true } });
}

export async function createTestTemplate(
  db: Db,
  slug: string,
  panes: { protocol: Protocol; settings?: Record<string, unknown> | string }[] = [{ protocol: "ssh" }],
) {
  return db.labTemplate.upsert({
    where: { slug },
    update: {},
    create: {
      slug,
      title: slug,
      panes: {
        create: panes.map((pane, position) => ({
          protocol: pane.protocol,
          position,
          label: pane.protocol.toUpperCase(),
          settings: typeof pane.settings === "string" ? pane.settings : JSON.stringify(pane.settings ?? {}),
        })),
      },
    },
    select: { id: true, slug: true },
  });
}
