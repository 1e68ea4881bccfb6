#!/usr/bin/env node
// The `labdeck` command (`npx labdeck ...` in the checkout, or `node bin/labdeck.mjs ...`).
// Loads <repo>/data/.env (the demo writes its generated secrets there) without overriding variables
// already set, registers tsx so the TypeScript sources run as they are, and starts server/cli/main.ts.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const envFile = process.env.LABDECK_ENV_FILE || fileURLToPath(new URL("../data/.env", import.meta.url));

/** KEY=VALUE lines; blank lines, comments and `export ` prefixes allowed; one pair of quotes removed. */
function loadEnvFile(path) {
  for (const rawLine of readFileSync(path, "utf8").split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rawValue] = match;
    const value = /^(["']).*\1$/.test(rawValue) ? rawValue.slice(1, -1) : rawValue;
    if (process.env[key] === undefined) process.env[key] = value;
  }
}

if (existsSync(envFile)) loadEnvFile(envFile);
register();
await import("../server/cli/main.ts");
