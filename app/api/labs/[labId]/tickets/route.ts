// POST /api/labs/{labId}/tickets with { "protocol": "ssh" | "rdp" | "vnc" }: one connection ticket for
// the signed-in user's own lab, which the lab viewer hands to the tunnel right away. The session
// cookie says who asks; someone else's lab is a 404 like a missing one. Nothing here is cacheable.
import { json, readJson } from "@/server/api/handler.ts";
import { getCurrentUser } from "@/server/auth/session.ts";
import { config } from "@/server/config.ts";
import { httpStatusOf, isAppError, type AppErrorCode } from "@/server/errors.ts";
import { mintTicketForSession } from "@/server/labs/mint-ticket-for-session.ts";
import { log } from "@/server/log.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function refuse(code: AppErrorCode | "internal", message: string): Response {
  const status = code === "internal" ? 500 : httpStatusOf[code];
  return json({ error: { code, message } }, status);
}

export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }): Promise<Response> {
  // The same origins that may open the tunnel may ask for its tickets.
  const origin = request.headers.get("origin");
  if (origin !== null && !config().ALLOWED_ORIGINS.includes(origin)) {
    return refuse("forbidden", "This address may not open labs.");
  }
  const user = await getCurrentUser();
  if (!user) return refuse("unauthorized", "Sign in to open your lab.");
  const { labId } = await params;
  try {
    const body = await readJson(request);
    const { ticket, expiresAt } = await mintTicketForSession({ userId: user.id, labId, protocol: body.protocol });
    log.debug({ userId: user.id, labId, protocol: body.protocol }, "viewer ticket minted");
    return json({ ticket, expiresAt: expiresAt.toISOString() });
  } catch (error) {
    if (isAppError(error)) return refuse(error.code, error.message);
    log.error({ err: error, labId }, "could not mint a viewer ticket");
    return refuse("internal", "Internal error.");
  }
}
