// Lab secrets at rest: AES-256-GCM under LABDECK_ENCRYPTION_KEY. The caller's context (e.g.
// `${labId}:${kind}`) is authenticated with the ciphertext, so a sealed value copied to another row
// or kind does not open. Format: "v1.<iv>.<ciphertext>.<tag>", each part base64url; the version is
// authenticated too and leaves room for key rotation.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { config } from "../config.ts";

const version = "v1";
const ivBytes = 12;
const tagBytes = 16;
const base64url = /^[A-Za-z0-9_-]*$/;

/** Opening failed: wrong key, wrong context, or altered data. Never carries the secret. */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

export type SecretBox = {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
};

function additionalData(context: string): Buffer {
  return Buffer.from(`labdeck-secret:${version}:${context}`, "utf8");
}

/** A box for one 32-byte key; sealSecret/openSecret use the configured key. */
export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError("The encryption key must be 32 bytes.");
  return {
    seal(plaintext, context) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
      cipher.setAAD(additionalData(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [version, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
    },
    open(sealed, context) {
      const parts = sealed.split(".");
      const [versionText, ivText, ciphertextText, tagText] = parts;
      if (parts.length !== 4 || versionText !== version || !parts.every((part) => base64url.test(part))) {
        throw new SecretBoxError(`The secret for ${context} is not in a known sealed format.`);
      }
      const iv = Buffer.from(ivText!, "base64url");
      const authTag = Buffer.from(tagText!, "base64url");
      if (iv.length !== ivBytes || authTag.length !== tagBytes) {
        throw new SecretBoxError(`The secret for ${context} is not in a known sealed format.`);
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
        decipher.setAAD(additionalData(context));
        decipher.setAuthTag(authTag);
        return Buffer.concat([decipher.update(Buffer.from(ciphertextText!, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError(
          `The secret for ${context} could not be decrypted: wrong LABDECK_ENCRYPTION_KEY, wrong context, or altered data.`,
        );
      }
    },
  };
}

let configured: { keyText: string; box: SecretBox } | undefined;

function configuredBox(): SecretBox {
  const keyText = config().LABDECK_ENCRYPTION_KEY;
  if (configured?.keyText !== keyText) configured = { keyText, box: secretBox(Buffer.from(keyText, "base64")) };
  return configured.box;
}

/** Encrypts `plaintext` for `context` under the configured key. */
export function sealSecret(plaintext: string, context: string): string {
  return configuredBox().seal(plaintext, context);
}

/** Decrypts a sealed secret; throws SecretBoxError on a wrong key, wrong context or tampering. */
export function openSecret(sealed: string, context: string): string {
  return configuredBox().open(sealed, context);
}
