// POST /api/v1/users: create a user (the provisioning system's learners and instructors).
import { apiRoute, json, readJson } from "@/server/api/handler.ts";
import { createUser, type CreateUserOptions } from "@/server/users/create-user.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute(async (request) => json({ user: await createUser((await readJson(request)) as CreateUserOptions) }, 201));
