// Next's request handler, run from our own server, reports request URLs at the address it was
// configured with (e.g. http://localhost:3000), not the one the browser used. Auth.js builds OIDC
// redirect URLs from the request URL, so its route gets the request re-addressed to the origin in
// the Host / X-Forwarded-* headers — the same origin Auth.js's server actions already derive from
// them (trustHost). AUTH_URL, when set, wins: next-auth applies it itself.
import { NextRequest } from "next/server";

/** The browser's origin for a request per its headers, or null when they do not name one. */
export function publicOriginOf(headers: Headers, fallbackProtocol: string): string | null {
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  const protocol = (headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || fallbackProtocol).replace(/:$/, "");
  if (!host || (protocol !== "http" && protocol !== "https")) return null;
  // A name or an IP literal with an optional port; anything else (paths, credentials) is not a host.
  if (!/^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host)) return null;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return null;
  }
}

/** `request` as addressed by the browser (see above). */
export function atPublicOrigin(request: NextRequest): NextRequest {
  if (process.env.AUTH_URL || process.env.NEXTAUTH_URL) return request;
  const origin = publicOriginOf(request.headers, request.nextUrl.protocol);
  if (!origin || origin === request.nextUrl.origin) return request;
  const url = new URL(request.nextUrl.pathname + request.nextUrl.search, origin);
  return new NextRequest(url, request);
}
