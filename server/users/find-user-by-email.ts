import { z } from "zod";
import { db } from "../db/index.ts";
import { parseInput } from "../labs/validation.ts";
import { emailSchema } from "./email.ts";
import { userViewSelect, type UserView } from "./user-view.ts";

/** The user with this email (any letter case), or null. */
export async function findUserByEmail(options: { email: string }): Promise<UserView | null> {
  const { email } = parseInput(z.strictObject({ email: emailSchema }), options, "Invalid email");
  return db().user.findUnique({ where: { email }, select: userViewSelect });
}
