"use server";

import { signOut } from "../server/auth/auth.ts";

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
