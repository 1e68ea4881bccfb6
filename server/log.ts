// The process logger (pino, JSON lines on stdout). Secrets must never reach it: callers log ids, not
// records, and these paths are redacted as a second line of defence.
import { pino } from "pino";

const underTest = Boolean(process.env.NODE_TEST_CONTEXT);

const options: import("pino").LoggerOptions = {
  // Quiet under test runners (node:test marks its child processes with NODE_TEST_CONTEXT).
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" || underTest ? "warn" : "info"),
  base: undefined,
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
