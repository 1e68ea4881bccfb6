// Applies the migrations shipped in prisma/migrations/<kind>/ to a database, creating its tables on
// first open. Runs through Prisma's WebAssembly schema engine and records history in Prisma's own
// _prisma_migrations table, so `prisma migrate status` would agree with us.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import { adapterFor, databaseKind, type DatabaseKind, type Db } from "./client.ts";
import { openSchemaEngine } from "./schema-engine.ts";
import { projectRoot } from "../project-root.ts";

export const noFilters = { externalTables: [], externalEnums: [] };

export function migrationsDir(kind: DatabaseKind): string {
  return join(projectRoot, "prisma", "migrations", kind);
}

/** The migrations on disk for one kind of database, oldest first, as the schema engine wants them. */
export function loadMigrations(kind: DatabaseKind): MigrationList {
  const baseDir = migrationsDir(kind);
  const lockPath = join(baseDir, "migration_lock.toml");
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: readFileSync(join(baseDir, name, "migration.sql"), "utf8") } },
    })),
  };
}

/** Brings the database at `url` up to the latest migration; returns the names applied now. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const kind = databaseKind(url);
  const schema = readFileSync(join(projectRoot, "prisma", "schema.prisma"), "utf8");
  const { engine, close } = await openSchemaEngine(schema, adapterFor(url));
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: loadMigrations(kind), filters: noFilters });
    return appliedMigrationNames;
  } finally {
    await close();
  }
}

/**
 * The shipped migrations that the database has not finished yet. Read through an ordinary client:
 * the schema engine locks a SQLite file exclusively, so it is only started when this is non-empty.
 */
export async function pendingMigrations(client: Db, kind: DatabaseKind): Promise<string[]> {
  const shipped = loadMigrations(kind).migrationDirectories.map((m) => m.path);
  let applied: Set<string>;
  try {
    const rows = await client.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    applied = new Set(); // a brand-new database: no history table yet
  }
  return shipped.filter((name) => !applied.has(name));
}
