// The demo's two accounts. Their passwords are fixed and public (README, start banner): the demo
// binds to loopback and is for trying Labdeck on your own machine, never for a shared server.
import { createUser } from "../users/create-user.ts";
import { findUserByEmail } from "../users/find-user-by-email.ts";

export type DemoAccount = {
  email: string;
  name: string;
  role: "learner" | "instructor";
  password: string;
  /** The local account their lab logs in as (when the demo runs as root). */
  labUser: string;
};

export const demoAccounts: readonly DemoAccount[] = [
  { email: "learner@labdeck.local", name: "Demo Learner", role: "learner", password: "learn-linux", labUser: "labdeck-learner" },
  { email: "instructor@labdeck.local", name: "Demo Instructor", role: "instructor", password: "teach-linux", labUser: "labdeck-instructor" },
];

/** Creates the accounts that do not exist yet; existing ones are left as they are. */
export async function ensureDemoAccounts(): Promise<void> {
  for (const account of demoAccounts) {
    if (await findUserByEmail({ email: account.email })) continue;
    await createUser({ email: account.email, name: account.name, role: account.role, password: account.password });
  }
}
