// Opens a database for the server or the CLI: migrate, connect, register as the process's client.
import Database from "better-sqlite3";
import { config } from "../config.ts";
import { adapterFor, createPrismaClient, databaseKind, type Db } from "./client.ts";
import { setProcessDb } from "./index.ts";
import { migrateDatabase, pendingMigrations } from "./migrate.ts";

/** WAL lets the CLI read and write while the server holds the file open; the mode persists in the file. */
function useWriteAheadLog(url: string): void {
  adapterFor(url); // creates the file's folder
  const file = new Database(url.slice("file:".length));
  try {
    file.pragma("journal_mode = WAL");
  } finally {
    file.close();
  }
}

/**
 * Opens the database at `url`, applying any shipped migration it lacks (a brand-new database gets
 * them all), and registers it as the process's client.
 */
export async function openDatabase(url: string = config().DATABASE_URL): Promise<Db> {
  const kind = databaseKind(url);
  if (kind === "sqlite") useWriteAheadLog(url);
  let client = createPrismaClient(url);
  if ((await pendingMigrations(client, kind)).length > 0) {
    // The schema engine needs the SQLite file to itself.
    await client.$disconnect();
    await migrateDatabase(url);
    client = createPrismaClient(url);
  }
  setProcessDb(url, client);
  return client;
}
