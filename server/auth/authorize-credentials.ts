import { db } from "../db/index.ts";
import { emailSchema } from "../users/email.ts";
import { userViewSelect, type UserView } from "../users/user-view.ts";
import { hashPassword, verifyPassword } from "./password.ts";

export type AuthorizeCredentialsOptions = { email: unknown; password: unknown };

const maxPasswordLength = 1024;

// Unknown users are checked against this hash too, so the answer takes as long as for a wrong password.
let decoyHash: Promise<string> | undefined;

/**
 * The user these credentials belong to, or null. Unknown email, wrong password, a user without a
 * password (OIDC only) and malformed input all give the same null.
 */
export async function authorizeCredentials(options: AuthorizeCredentialsOptions): Promise<UserView | null> {
  const email = emailSchema.safeParse(options.email);
  const password = typeof options.password === "string" && options.password.length <= maxPasswordLength ? options.password : null;
  if (!email.success || password === null) return null;
  const row = await db().user.findUnique({ where: { email: email.data }, select: { ...userViewSelect, passwordHash: true } });
  if (!row?.passwordHash) {
    decoyHash ??= hashPassword("decoy password, never matches a real one");
    await verifyPassword(password, await decoyHash);
    return null;
  }
  if (!(await verifyPassword(password, row.passwordHash))) return null;
  const { passwordHash: _hash, ...user } = row;
  return user;
}
