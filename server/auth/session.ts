// Guards for server components, route handlers and server actions. The session says who the user is;
// the database says what they may do, so a changed role or a deleted user takes effect at once.
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import type { Role } from "../db/generated/sqlite/enums.ts";
import { db } from "../db/index.ts";
import { userViewSelect, type UserView } from "../users/user-view.ts";
import { auth, signInPath } from "./auth.ts";
import { safeCallbackPath } from "./callback-url.ts";

export type CurrentUser = UserView;

/** The signed-in user, or null. Read once per request. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  return db().user.findUnique({ where: { id }, select: userViewSelect });
});

/** The sign-in page's address that comes back to `callbackPath` afterwards. */
export function signInUrl(callbackPath: string): string {
  return `${signInPath}?${new URLSearchParams({ callbackUrl: safeCallbackPath(callbackPath) })}`;
}

/** The signed-in user; anyone else is sent to sign in and then back to `callbackPath`. */
export async function requireUser(callbackPath: string): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(signInUrl(callbackPath));
  return user;
}

/**
 * The signed-in user when their role is one of `roles`. Anyone not signed in is sent to sign in;
 * a signed-in user without the role gets a 404, so the page's existence is not revealed.
 */
export async function requireRole(...roles: Role[]): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(signInPath);
  if (!roles.includes(user.role)) notFound();
  return user;
}
