import { z } from "zod";
import { hashPassword } from "../auth/password.ts";
import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { parseInput } from "../labs/validation.ts";
import { emailSchema } from "./email.ts";
import { userViewSelect, type UserView } from "./user-view.ts";

export type CreateUserOptions = {
  email: string;
  name?: string | undefined;
  role?: "learner" | "instructor" | "admin" | undefined;
  /** Without one the user can only sign in through OIDC. */
  password?: string | undefined;
};

const input = z.strictObject({
  email: emailSchema,
  name: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
  role: z.enum(["learner", "instructor", "admin"]).default("learner"),
  password: z.string().min(8, "must be at least 8 characters").max(1024, "must be at most 1024 characters").optional(),
});

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** Creates a user; a taken email (in any letter case) is AppError("conflict"). */
export async function createUser(options: CreateUserOptions): Promise<UserView> {
  const { email, name, role, password } = parseInput(input, options, "Invalid user");
  const passwordHash = password === undefined ? null : await hashPassword(password);
  try {
    return await db().user.create({ data: { email, name: name ?? null, role, passwordHash }, select: userViewSelect });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", `A user with email ${email} already exists.`, { email: "is taken" });
    throw error;
  }
}
