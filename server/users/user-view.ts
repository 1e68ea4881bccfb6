// What the rest of the app sees of a user: never the password hash.
import type { Role } from "../db/generated/sqlite/enums.ts";

export type UserView = { id: string; email: string; name: string | null; role: Role; createdAt: Date };

export const userViewSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;
