// Browser tests against the production build, served by the real server (server/main.ts) with a
// real guacd and real SSH labs: e2e/global-setup.ts starts them once per run. Chromium is Debian's
// (Playwright's own download is not reachable from the machines this runs on).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  globalSetup: "./e2e/global-setup.ts",
  // One server and one database for the run; tests create their own users and labs.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: process.env.LABDECK_E2E_JSON ?? "test-results/e2e-results.json" }]],
  use: {
    browserName: "chromium",
    // baseURL is set by e2e/fixtures.ts: the port is chosen by global setup, after this file is read.
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    video: "off",
    launchOptions: {
      executablePath: process.env.LABDECK_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
