// The one database handle of a process. The custom server and the CLI open it with openDatabase()
// (which migrates first); Next's route code, bundled separately but running in the same process,
// reaches the same client through globalThis.
import { config } from "../config.ts";
import { createPrismaClient, databaseKind, type DatabaseKind, type Db } from "./client.ts";

export type { Db } from "./client.ts";

type Holder = { url: string; client: Db };
const holderKey = Symbol.for("labdeck.db");
const globals = globalThis as typeof globalThis & { [holderKey]?: Holder };

/** Registers an opened client as the process's database (server/db/open.ts calls this). */
export function setProcessDb(url: string, client: Db): void {
  globals[holderKey] = { url, client };
}

/** The process's database client. */
export function db(): Db {
  const holder = globals[holderKey];
  if (holder) return holder.client;
  // Only reached when Next runs without the custom server (e.g. `next dev`): the schema is assumed migrated.
  const url = config().DATABASE_URL;
  const client = createPrismaClient(url);
  setProcessDb(url, client);
  return client;
}

/** Which database the process's client talks to. */
export function processDatabaseKind(): DatabaseKind {
  return databaseKind(globals[holderKey]?.url ?? config().DATABASE_URL);
}

/** Closes the process's database, if open. */
export async function closeDb(): Promise<void> {
  const holder = globals[holderKey];
  globals[holderKey] = undefined;
  await holder?.client.$disconnect();
}
