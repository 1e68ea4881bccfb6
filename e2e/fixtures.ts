// Test fixtures: each test gets the users and labs it asks for, created through the same domain
// functions the app uses and removed (labs torn down, sshd, Xvnc and xrdp stopped) when the test ends.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { closeDb } from "../server/db/index.ts";
import { openDatabase } from "../server/db/open.ts";
import { ensureLabUser } from "../server/devlabs/lab-user.ts";
import { provisionSshLab, type ProvisionedSshLab } from "../server/devlabs/provision-ssh-lab.ts";
import { startDesktopLab, type DesktopLabHandle } from "../server/devlabs/start-desktop-lab.ts";
import { startSshLab, type SshLabHandle } from "../server/devlabs/start-ssh-lab.ts";
import { registerLab } from "../server/labs/register-lab.ts";
import { teardownLab } from "../server/labs/teardown-lab.ts";
import { createUser } from "../server/users/create-user.ts";

export type TestUser = { email: string; password: string; name: string };

type TestFixtures = {
  /** A new learner account (email + password sign-in). */
  learner: TestUser;
  /** The learner's SSH lab from the linux-shell template: a real sshd, registered and ready. */
  learnerLab: ProvisionedSshLab;
  /** The learner's desktop lab from the linux-desktop template: Xvnc + xrdp + sshd, registered and ready. */
  learnerDesktopLab: TestDesktopLab;
};

export type TestDesktopLab = {
  labId: string;
  desktop: DesktopLabHandle;
  /** A file in the desktop user's home (where the xterm's shell starts), removed again by stop(). */
  fileInHome(name: string): string;
  stop(): Promise<void>;
};

/**
 * Starts a desktop lab of its own (so a test's failed VNC logins never count against another test's
 * Xvnc) with sshd beside it, and registers all three for `ownerEmail` like a provisioner would.
 * `registeredVncPassword` registers a VNC password other than the desktop's.
 */
export async function startTestDesktopLab(options: { ownerEmail: string; registeredVncPassword?: string }): Promise<TestDesktopLab> {
  // VNC uses 8 characters at most; xrdp hands the RDP password on to Xvnc, so it is the same one.
  const password = randomBytes(6).toString("base64url");
  let desktop: DesktopLabHandle | undefined;
  let ssh: SshLabHandle | undefined;
  let labId: string | undefined;
  const written: string[] = [];
  const stop = async () => {
    if (labId) await teardownLab({ labId }).catch(() => {});
    await Promise.allSettled([ssh?.stop(), desktop?.stop()]);
    for (const file of written) rmSync(file, { force: true });
  };
  try {
    [desktop, ssh] = await Promise.all([startDesktopLab({ vncPassword: password }), startSshLab({})]);
    const registered = await registerLab({
      ownerEmail: options.ownerEmail,
      templateSlug: "linux-desktop",
      host: "127.0.0.1",
      state: "ready",
      ssh: { port: ssh.port, username: ssh.username, generateKey: true, hostKey: ssh.hostKey },
      rdp: { port: desktop.rdpPort, username: desktop.username, password },
      vnc: { port: desktop.vncPort, password: options.registeredVncPassword ?? password },
    });
    labId = registered.lab.id;
    ssh.updateAuthorizedKey(registered.sshPublicKey!);
    const homeDir = ensureLabUser(desktop.username).homeDir;
    const fileInHome = (name: string) => {
      const path = join(homeDir, name);
      written.push(path);
      return path;
    };
    return { labId, desktop, fileInHome, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

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

  learnerDesktopLab: async ({ learner }, use) => {
    const lab = await startTestDesktopLab({ ownerEmail: learner.email });
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
