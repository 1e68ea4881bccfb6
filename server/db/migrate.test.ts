import assert from "node:assert/strict";
import { test } from "node:test";
import { describeOnDatabases } from "../testing/databases.ts";
import { createPrismaClient } from "./client.ts";
import { closeDb } from "./index.ts";
import { loadMigrations, migrateDatabase, pendingMigrations } from "./migrate.ts";
import { openDatabase } from "./open.ts";

describeOnDatabases("openDatabase and migrations", (database) => {
  test("a brand-new database gets every shipped migration, recorded in Prisma's history", async () => {
    const { kind, db } = database();
    const shipped = loadMigrations(kind).migrationDirectories.map((m) => m.path);
    assert.ok(shipped.length > 0, "migrations are shipped for this database kind");
    const history = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
    );
    assert.deepEqual(history.map((row) => row.migration_name), shipped);
    assert.deepEqual(await pendingMigrations(db, kind), []);
  });

  test("the migrated schema serves the client, and reopening keeps the data and applies nothing", async () => {
    const { url, db } = database();
    const user = await db.user.create({ data: { email: "migrated@example.org", role: "instructor" } });
    await closeDb();
    assert.deepEqual(await migrateDatabase(url), []);
    const reopened = await openDatabase(url);
    assert.equal((await reopened.user.findUniqueOrThrow({ where: { id: user.id } })).role, "instructor");
  });

  test("a second client can open the database while the first holds it (CLI beside the server)", async () => {
    const { url, db } = database();
    await db.user.count();
    const second = createPrismaClient(url);
    try {
      assert.deepEqual(await pendingMigrations(second, database().kind), []);
      await second.user.create({ data: { email: "from-cli@example.org" } });
      assert.equal(await db.user.count({ where: { email: "from-cli@example.org" } }), 1);
    } finally {
      await second.$disconnect();
    }
  });
});
