// GET /api/v1/labs?owner=&state=&template=: list labs. POST /api/v1/labs: register a lab.
import { apiRoute, json, readJson } from "@/server/api/handler.ts";
import { listLabs, type ListLabsOptions } from "@/server/labs/list-labs.ts";
import { registerLab, type RegisterLabOptions } from "@/server/labs/register-lab.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request) => {
  const query = new URL(request.url).searchParams;
  const labs = await listLabs({
    ownerEmail: query.get("owner") ?? undefined,
    state: (query.get("state") ?? undefined) as ListLabsOptions["state"],
    templateSlug: query.get("template") ?? undefined,
  });
  return json({ labs });
});

export const POST = apiRoute(async (request) => json(await registerLab((await readJson(request)) as RegisterLabOptions), 201));
