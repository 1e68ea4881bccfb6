// GET /api/v1/labs/{id}: one lab. DELETE /api/v1/labs/{id}: tear it down (idempotent).
import { apiRoute, json } from "@/server/api/handler.ts";
import { getLab } from "@/server/labs/get-lab.ts";
import { teardownLab } from "@/server/labs/teardown-lab.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async (_request, { id }) => json({ lab: await getLab({ labId: id }) }));

export const DELETE = apiRoute<{ id: string }>(async (_request, { id }) => json({ lab: await teardownLab({ labId: id }) }));
