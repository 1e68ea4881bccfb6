// POST /api/v1/labs/{id}/state with { "state": "ready" | "stopped" }.
import { apiRoute, json, readJson } from "@/server/api/handler.ts";
import { setLabState } from "@/server/labs/set-lab-state.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>(async (request, { id }) => {
  const body = await readJson(request);
  // The path names the lab; unknown body keys are refused by setLabState.
  return json({ lab: await setLabState({ ...body, labId: id } as Parameters<typeof setLabState>[0]) });
});
