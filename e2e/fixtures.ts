// Test fixtures: each test gets the users and labs it asks for, created through the same domain
// functions the app uses and removed (labs torn down, sshd stopped) when the test ends.
import { randomBytes } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import { closeDb } from "../server/db/index.ts";
import { openDatabase } from "../server/db/open.ts";
import { provisionSshLab, type ProvisionedSshLab } from "../server/devlabs/provision-ssh-lab.ts";
import { createUser } from "../server/users/create-user.ts";

export type TestUser = { email: string; password: string; name: string };

type TestFixtures = {
  /** A new learner account (email + password sign-in). */
  learner: TestUser;
  /** The learner's SSH lab from the linux-shell template: a real sshd, registered and ready. */
  learnerLab: ProvisionedSshLab;
};

type WorkerFixtures = { database: void };

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through playwright.config.ts (its global setup sets it)`);
  return value;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  baseURL: async ({}, use) => use(requireEnv("LABDECK_E2E_URL")),

  // The worker's own connection to the run's database, beside the server's (SQLite in WAL mode).
  database: [
    async ({}, use) => {
      await openDatabase(requireEnv("DATABASE_URL"));
      await use();
      await closeDb();
    },
    { scope: "worker", auto: true },
  ],

  learner: async ({}, use) => {
    const id = randomBytes(4).toString("hex");
    const user = { email: `learner-${id}@e2e.labdeck.test`, password: `pw-${randomBytes(9).toString("base64url")}`, name: `Learner ${id}` };
    await createUser({ ...user, role: "learner" });
    await use(user);
  },

  learnerLab: async ({ learner }, use) => {
    const lab = await provisionSshLab({ ownerEmail: learner.email, templateSlug: "linux-shell" });
    await use(lab);
    await lab.stop();
  },
});

export { expect };

/** Signs in through the real form and waits until the app has left the sign-in page. */
export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(user.email);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}
