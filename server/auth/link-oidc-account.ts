import { db } from "../db/index.ts";
import { emailSchema } from "../users/email.ts";
import { userViewSelect, type UserView } from "../users/user-view.ts";

export type LinkOidcAccountOptions = {
  /** The provider's id in next-auth ("oidc") and the user's subject at the provider. */
  provider: string;
  providerAccountId: string;
  type: string;
  email: unknown;
  /** The ID token's email_verified claim; some providers send the string "true". */
  emailVerified: unknown;
  name: unknown;
};

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

async function userOfAccount(provider: string, providerAccountId: string): Promise<UserView | null> {
  const account = await db().account.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    select: { user: { select: userViewSelect } },
  });
  return account?.user ?? null;
}

/**
 * The user behind an OIDC sign-in. A known account gives its user; otherwise the account is linked to
 * the user with the same email, or to a new learner, but only when the provider says the email is
 * verified (an unverified address could be anyone's). Null means: refuse the sign-in.
 */
export async function linkOidcAccount(options: LinkOidcAccountOptions): Promise<UserView | null> {
  const { provider, providerAccountId, type } = options;
  const known = await userOfAccount(provider, providerAccountId);
  if (known) return known;

  const email = emailSchema.safeParse(options.email);
  if (!email.success || (options.emailVerified !== true && options.emailVerified !== "true")) return null;
  const name = typeof options.name === "string" && options.name.trim() ? options.name.trim().slice(0, 200) : null;

  try {
    return await db().$transaction(async (tx) => {
      const user =
        (await tx.user.findUnique({ where: { email: email.data }, select: userViewSelect })) ??
        (await tx.user.create({ data: { email: email.data, name, role: "learner", emailVerified: new Date() }, select: userViewSelect }));
      await tx.account.create({ data: { userId: user.id, type, provider, providerAccountId } });
      return user;
    });
  } catch (error) {
    // Two first sign-ins at once: the other one linked (or created) first.
    if (isUniqueViolation(error)) return userOfAccount(provider, providerAccountId);
    throw error;
  }
}
