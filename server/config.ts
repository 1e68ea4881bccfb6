// Labdeck's configuration: read from the environment once, validated, frozen. A bad value stops the
// process at start with a message that names the variable.
import { join } from "node:path";
import { z } from "zod";
import { projectRoot } from "./project-root.ts";

const port = z.coerce.number().int().min(1).max(65535);

const base64Key32 = z
  .string()
  .refine((value) => Buffer.from(value, "base64").length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(value), {
    message: "must be 32 bytes encoded as base64 (try: openssl rand -base64 32)",
  });

const secret = z.string().min(32, "must be at least 32 characters (try: openssl rand -base64 32)");

const databaseUrl = z
  .string()
  .refine((value) => /^(file:|postgres(ql)?:\/\/)/.test(value), {
    message: "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)",
  });

const originList = z.string().transform((value, ctx) => {
  const origins: string[] = [];
  for (const item of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    try {
      const url = new URL(item);
      if (url.origin === "null" || item.replace(/\/$/, "") !== url.origin) throw new Error();
      origins.push(url.origin);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${item}" is not an origin like https://labs.example.edu` });
    }
  }
  return origins;
});

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  // The embedded default lives in the checkout, wherever the server or the CLI is started from.
  DATABASE_URL: databaseUrl.default(`file:${join(projectRoot, "data", "labdeck.db")}`),
  GUACD_HOST: z.string().min(1).default("127.0.0.1"),
  GUACD_PORT: port.default(4822),
  AUTH_SECRET: secret,
  LABDECK_ENCRYPTION_KEY: base64Key32,
  LABDECK_API_TOKEN: secret,
  // Origins allowed to open the tunnel and post forms; defaults to the app's own (AUTH_URL or http://localhost:PORT).
  ALLOWED_ORIGINS: originList.optional(),
  AUTH_URL: z.string().url().optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Config = Readonly<
  Omit<z.infer<typeof schema>, "ALLOWED_ORIGINS"> & {
    ALLOWED_ORIGINS: readonly string[];
    oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | null;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment into a Config; throws ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`));
  }
  const values = result.data;
  const oidcParts = [values.OIDC_ISSUER, values.OIDC_CLIENT_ID, values.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new ConfigError(["OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: set all three to enable OIDC sign-in, or none"]);
  }
  const ownOrigin = values.AUTH_URL ? new URL(values.AUTH_URL).origin : `http://localhost:${values.PORT}`;
  return Object.freeze({
    ...values,
    ALLOWED_ORIGINS: Object.freeze(values.ALLOWED_ORIGINS?.length ? values.ALLOWED_ORIGINS : [ownOrigin]),
    oidc:
      values.OIDC_ISSUER && values.OIDC_CLIENT_ID && values.OIDC_CLIENT_SECRET
        ? { issuer: values.OIDC_ISSUER, clientId: values.OIDC_CLIENT_ID, clientSecret: values.OIDC_CLIENT_SECRET, name: values.OIDC_NAME }
        : null,
  });
}

let loaded: Config | undefined;

/** The process's configuration, parsed on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}
