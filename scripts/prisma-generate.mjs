// Generates the Prisma clients for both supported databases from prisma/schema.prisma.
// The PostgreSQL schema is the same text with its provider and output swapped, so the two never
// drift. `prisma generate` does not run the schema engine, but the CLI insists on finding one before
// it starts and cannot download it here; any existing file satisfies that check.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { postgresSchemaFrom } from "./prisma-schema-variants.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sqliteSchema = join(root, "prisma", "schema.prisma");
const postgresSchema = join(root, "node_modules", ".labdeck", "postgresql", "schema.prisma");

mkdirSync(dirname(postgresSchema), { recursive: true });
writeFileSync(
  postgresSchema,
  postgresSchemaFrom(readFileSync(sqliteSchema, "utf8"), join(root, "server", "db", "generated", "postgresql")),
);

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const prismaCli = join(root, "node_modules", "prisma", "build", "index.js");
for (const schema of [sqliteSchema, postgresSchema]) {
  execFileSync(process.execPath, [prismaCli, "generate", "--schema", schema], { env, stdio: ["ignore", "ignore", "inherit"] });
}
console.log("Prisma clients generated (sqlite, postgresql).");
