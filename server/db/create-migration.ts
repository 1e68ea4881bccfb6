// `npm run migration:new NAME`: writes the migration that takes both databases (SQLite, PostgreSQL)
// from the schema of the latest migration to prisma/schema.prisma as it is now. Each migration
// folder keeps the schema it was made from (schema.prisma), so the diff needs no live database.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postgresSchemaFrom } from "../../scripts/prisma-schema-variants.mjs";
import { projectRoot } from "../project-root.ts";
import { adapterFor, type DatabaseKind } from "./client.ts";
import { loadMigrations, migrationsDir, noFilters } from "./migrate.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { openSchemaEngine } from "./schema-engine.ts";


function schemaFor(kind: DatabaseKind): string {
  const sqliteSchema = readFileSync(join(projectRoot, "prisma", "schema.prisma"), "utf8");
  return kind === "sqlite" ? sqliteSchema : postgresSchemaFrom(sqliteSchema, "unused");
}

async function writeMigration(kind: DatabaseKind, folderName: string, engineUrl: string): Promise<boolean> {
  const baseDir = migrationsDir(kind);
  const previous = loadMigrations(kind).migrationDirectories.at(-1);
  const previousSchemaPath = previous && join(baseDir, previous.path, "schema.prisma");
  const target = schemaFor(kind);
  const { engine, close } = await openSchemaEngine(target, adapterFor(engineUrl));
  try {
    const from = previousSchemaPath
      ? { tag: "schemaDatamodel" as const, files: [{ path: "schema.prisma", content: readFileSync(previousSchemaPath, "utf8") }] }
      : { tag: "empty" as const };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: target }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const sql = (result.stdout ?? "").trim();
    if (!sql || /^-- This is an empty migration/.test(sql)) return false;
    mkdirSync(join(baseDir, folderName), { recursive: true });
    writeFileSync(join(baseDir, folderName, "migration.sql"), `${sql}\n`);
    writeFileSync(join(baseDir, folderName, "schema.prisma"), target);
    if (!existsSync(join(baseDir, "migration_lock.toml"))) {
      writeFileSync(join(baseDir, "migration_lock.toml"), `# Written by server/db/create-migration.ts\nprovider = "${kind}"\n`);
    }
    return true;
  } finally {
    await close();
  }
}

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new NAME   (NAME: lowercase letters, digits, underscores)");
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
// The diff itself is pure, but the PostgreSQL engine insists on a live connection at start.
const postgres = await startEmbeddedPostgres();
try {
  const engineUrls: Record<DatabaseKind, string> = { sqlite: "file::memory:", postgresql: postgres.url };
  for (const kind of ["sqlite", "postgresql"] as const) {
    const wrote = await writeMigration(kind, `${stamp}_${name}`, engineUrls[kind]);
    console.log(wrote ? `${kind}: prisma/migrations/${kind}/${stamp}_${name}/migration.sql` : `${kind}: no schema change`);
  }
} finally {
  await postgres.stop();
}
