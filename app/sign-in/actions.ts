"use server";

import { AuthError } from "next-auth";
import { oidcProviderId, signIn } from "../../server/auth/auth.ts";
import { safeCallbackPath } from "../../server/auth/callback-url.ts";
import { signInErrorMessage } from "./messages.ts";

/** `badCredentials` marks the fields; other errors (e.g. a refused OIDC sign-in) do not. */
export type SignInState = { error: string | null; badCredentials: boolean; email: string };

/** Email + password sign-in; on success Auth.js sets the session cookie and redirects. */
export async function signInWithPassword(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "").slice(0, 254);
  const password = String(form.get("password") ?? "");
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackPath(form.get("callbackUrl")) });
  } catch (error) {
    // redirect() on success throws too; only Auth.js's own errors mean "not signed in".
    if (!(error instanceof AuthError)) throw error;
    return { error: signInErrorMessage(error.type), badCredentials: error.type === "CredentialsSignin", email };
  }
  return { error: null, badCredentials: false, email };
}

/** Starts the OIDC flow (redirects to the identity provider). */
export async function signInWithOidc(form: FormData): Promise<void> {
  await signIn(oidcProviderId, { redirectTo: safeCallbackPath(form.get("callbackUrl")) });
}
