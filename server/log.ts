// The process logger (pino, JSON lines on stdout). Secrets must never reach it: callers log ids, not
// records, and these paths are redacted as a second line of defence.
import { pino } from "pino";

const underTest = Boolean(process.env.NODE_TEST_CONTEXT);

// Errors are logged with their message and stack, which a library may have built from a connection
// string or a password: those are cut out too.
const secretPatterns: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, "[redacted key]"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1[redacted]@"],
  [/\b(password|passphrase|passwd|secret|token|ticket)\b([=:\s]+)\S+/gi, "$1$2[redacted]"],
];

/** `text` with anything that looks like a credential replaced. */
export function scrubSecrets(text: string): string {
  return secretPatterns.reduce((scrubbed, [pattern, replacement]) => scrubbed.replace(pattern, replacement), text);
}

function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!serialized || typeof serialized !== "object") return serialized;
  for (const field of ["message", "stack"]) {
    if (typeof serialized[field] === "string") serialized[field] = scrubSecrets(serialized[field] as string);
  }
  return serialized;
}

const options: import("pino").LoggerOptions = {
  // Quiet under test runners (node:test marks its child processes with NODE_TEST_CONTEXT).
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" || underTest ? "warn" : "info"),
  base: undefined,
  serializers: { err: serializeError },
  redact: {
    paths: [
      "ticket",
      "*.ticket",
      "password",
      "*.password",
      "privateKey",
      "*.privateKey",
      "token",
      "*.token",
      "authorization",
      "*.authorization",
      "req.headers.authorization",
      "req.headers.cookie",
    ],
    censor: "[redacted]",
  },
};

// Under node:test the log goes through process.stdout, where a test can read what would be logged.
export const log = underTest ? pino(options, process.stdout) : pino(options);

/** A URL's path with its query string replaced, for logs: tunnel queries carry one-time tickets. */
export function redactUrl(url: string | undefined): string {
  if (!url) return "";
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
}
