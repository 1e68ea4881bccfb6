// The additional authenticated data of a lab secret: a ciphertext opens only for its own lab and kind.
import type { CredentialKind } from "../db/generated/sqlite/enums.ts";

export function credentialContext(labId: string, kind: CredentialKind): string {
  return `${labId}:${kind}`;
}
