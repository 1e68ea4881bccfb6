// Fills the environment with valid throwaway secrets for tests that load the configuration.
import { randomBytes } from "node:crypto";

export function useTestConfig(overrides: Record<string, string> = {}): void {
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64");
  process.env.LABDECK_API_TOKEN ??= randomBytes(32).toString("base64url");
  process.env.LABDECK_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  Object.assign(process.env, overrides);
}
