// Once per browser-test run: a brand-new SQLite database with the course content, a real guacd, and
// the app in production mode pointed at both. What the tests need beyond that (users, labs) the
// fixtures create. Workers inherit the environment set here (DATABASE_URL, LABDECK_E2E_URL).
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FullConfig } from "@playwright/test";
import { importContent } from "../server/content/import-content.ts";
import { closeDb } from "../server/db/index.ts";
import { openDatabase } from "../server/db/open.ts";
import { startGuacd } from "../server/devlabs/start-guacd.ts";
import { startAppProcess } from "./support/app-process.ts";

const secret = () => randomBytes(32).toString("base64");

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "labdeck-e2e-"));
  const appLog = join(dir, "app.log");
  const outputDir = config.projects[0]?.outputDir ?? join(config.rootDir, "..", "test-results");
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };
  try {
    const env = {
      DATABASE_URL: `file:${join(dir, "labdeck.db")}`,
      AUTH_SECRET: process.env.AUTH_SECRET ?? secret(),
      LABDECK_API_TOKEN: process.env.LABDECK_API_TOKEN ?? secret(),
      LABDECK_ENCRYPTION_KEY: process.env.LABDECK_ENCRYPTION_KEY ?? secret(),
    };
    // The workers and this process's own database calls read these.
    Object.assign(process.env, env);

    await openDatabase(env.DATABASE_URL);
    await importContent();
    await closeDb();

    const guacd = await startGuacd();
    cleanups.push(() => guacd.stop());

    const app = await startAppProcess({
      env: { ...env, GUACD_HOST: guacd.host, GUACD_PORT: String(guacd.port) },
      logFile: appLog,
    });
    cleanups.push(async () => {
      await app.stop();
      // Kept with the other artifacts of the run, for a failure's post-mortem.
      mkdirSync(outputDir, { recursive: true });
      copyFileSync(appLog, join(outputDir, "app-server.log"));
    });
    process.env.LABDECK_E2E_URL = app.url;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
