// Auth.js's endpoints: OIDC callbacks, CSRF token, session, providers.
import type { NextRequest } from "next/server";
import { handlers } from "../../../../server/auth/auth.ts";
import { atPublicOrigin } from "../../../../server/auth/public-request.ts";

export function GET(request: NextRequest): Promise<Response> {
  return handlers.GET(atPublicOrigin(request));
}

export function POST(request: NextRequest): Promise<Response> {
  return handlers.POST(atPublicOrigin(request));
}
