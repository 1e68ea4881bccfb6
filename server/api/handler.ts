// The provisioning API's one wrapper: bearer-token check, JSON in and out, and errors mapped to
// `{ error: { code, message, fields? } }` with the status of their code. Route files stay a few lines.
// Request bodies are handed to domain functions as they are: each validates its own input.
import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "../config.ts";
import { AppError, httpStatusOf, isAppError, type AppErrorCode } from "../errors.ts";
import { log } from "../log.ts";

export type RouteContext<P> = { params: Promise<P> };

type ErrorBody = { error: { code: AppErrorCode | "internal"; message: string; fields?: Readonly<Record<string, string>> } };

const maxBodyBytes = 256 * 1024;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function errorResponse(status: number, error: ErrorBody["error"], headers?: Record<string, string>): Response {
  return json({ error } satisfies ErrorBody, status, headers);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Constant time in the token's content and length: both sides are hashed to 32 bytes first. */
function hasApiToken(request: Request): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(config().LABDECK_API_TOKEN));
}

/** The request's body as a JSON object; AppError("invalid_input") for anything else. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBodyBytes) throw new AppError("invalid_input", `The request body is larger than ${maxBodyBytes} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid_input", "The request body must be valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("invalid_input", "The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

/**
 * Wraps a route handler: refuses requests without the API token (401), runs `handle` with the
 * route's params, and turns thrown errors into JSON. Unexpected errors are logged, and answered
 * with a generic 500 that says nothing about them.
 */
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  handle: (request: Request, params: P) => Promise<Response>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    const path = new URL(request.url).pathname;
    try {
      if (!hasApiToken(request)) {
        log.warn({ method: request.method, path }, "api: missing or wrong token");
        return errorResponse(
          401,
          { code: "unauthorized", message: "A valid API token is required: Authorization: Bearer <LABDECK_API_TOKEN>." },
          { "www-authenticate": 'Bearer realm="labdeck"' },
        );
      }
      const response = await handle(request, await context.params);
      log.info({ method: request.method, path, status: response.status }, "api request");
      return response;
    } catch (error) {
      if (isAppError(error)) {
        log.info({ method: request.method, path, code: error.code }, "api request refused");
        return errorResponse(httpStatusOf[error.code], {
          code: error.code,
          message: error.message,
          ...(error.fields && { fields: error.fields }),
        });
      }
      log.error({ err: error, method: request.method, path }, "api request failed");
      return errorResponse(500, { code: "internal", message: "Internal error." });
    }
  };
}
