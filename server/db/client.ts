// The Prisma client for a DATABASE_URL: SQLite through better-sqlite3, or PostgreSQL through pg.
// Both generated clients come from one schema (prisma/schema.prisma) and have the same API; the
// SQLite one's types stand for both.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client.ts";

export type Db = SqliteClient;
export type DatabaseKind = "sqlite" | "postgresql";

export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error("DATABASE_URL must start with file: or postgres(ql)://");
}

/** The driver adapter for a URL; the SQLite file's folder is created when missing. */
export function adapterFor(url: string): SqlMigrationAwareDriverAdapterFactory {
  if (databaseKind(url) === "postgresql") return new PrismaPg({ connectionString: url });
  const path = url.slice("file:".length);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // A busy timeout lets the CLI and the server write to the same file without "database is locked".
  return new PrismaBetterSqlite3({ url: path, timeout: 10_000 });
}

export function createPrismaClient(url: string): Db {
  const adapter = adapterFor(url);
  if (databaseKind(url) === "postgresql") {
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  return new SqliteClient({ adapter });
}
