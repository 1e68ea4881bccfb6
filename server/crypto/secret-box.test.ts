import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import { useTestConfig } from "../testing/config.ts";
import { openSecret, sealSecret, secretBox, SecretBoxError } from "./secret-box.ts";

useTestConfig();
const secret = "correct horse battery staple ✓";

function flipCharAt(text: string, index: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const current = text[index]!;
  const replacement = alphabet[(alphabet.indexOf(current) + 1) % alphabet.length]!;
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("sealSecret / openSecret", () => {
  test("round-trips text under the configured key", () => {
    assert.equal(openSecret(sealSecret(secret, "lab1:rdp_password"), "lab1:rdp_password"), secret);
    assert.equal(openSecret(sealSecret("", "lab1:vnc_password"), "lab1:vnc_password"), "");
  });

  test("writes v1.<iv>.<ciphertext>.<tag> in base64url, without the plaintext", () => {
    const sealed = sealSecret(secret, "lab1:rdp_password");
    const [version, iv, ciphertext, tag, ...rest] = sealed.split(".");
    assert.equal(version, "v1");
    assert.equal(Buffer.from(iv!, "base64url").length, 12);
    assert.equal(Buffer.from(ciphertext!, "base64url").length, Buffer.byteLength(secret));
    assert.equal(Buffer.from(tag!, "base64url").length, 16);
    assert.deepEqual(rest, []);
    assert.ok(!sealed.includes("horse"));
  });

  test("uses a fresh IV each time", () => {
    const seals = new Set(Array.from({ length: 50 }, () => sealSecret(secret, "ctx")));
    assert.equal(seals.size, 50);
    const ivs = new Set([...seals].map((sealed) => sealed.split(".")[1]));
    assert.equal(ivs.size, 50);
  });

  test("a ciphertext moved to another context (row or kind) does not open", () => {
    const sealed = sealSecret(secret, "lab1:rdp_password");
    assert.throws(() => openSecret(sealed, "lab2:rdp_password"), SecretBoxError);
    assert.throws(() => openSecret(sealed, "lab1:vnc_password"), SecretBoxError);
  });

  test("another key does not open it", () => {
    const sealed = secretBox(randomBytes(32)).seal(secret, "ctx");
    assert.throws(() => openSecret(sealed, "ctx"), SecretBoxError);
    assert.throws(() => secretBox(randomBytes(32)).open(sealSecret(secret, "ctx"), "ctx"), SecretBoxError);
  });

  test("any altered part is refused, and the error never contains the secret", () => {
    const sealed = sealSecret(secret, "ctx");
    const iv = sealed.split(".")[1]!;
    // One character inside the IV, the ciphertext and the tag.
    const positions = ["v1.".length + 1, "v1.".length + iv.length + 2, sealed.length - 2];
    for (const index of positions) {
      const tampered = flipCharAt(sealed, index);
      assert.notEqual(tampered, sealed);
      assert.throws(
        () => openSecret(tampered, "ctx"),
        (error: unknown) => error instanceof SecretBoxError && !error.message.includes(secret) && /could not be decrypted|format/.test(error.message),
      );
    }
  });

  test("unknown versions and malformed text are refused as unknown formats", () => {
    const sealed = sealSecret(secret, "ctx");
    for (const bad of ["", "v1", sealed.replace(/^v1/, "v2"), `${sealed}.x`, sealed.replace(/\.[^.]+$/, ".AAAA"), "v1.!!!.a.b"]) {
      assert.throws(() => openSecret(bad, "ctx"), /not in a known sealed format|could not be decrypted/);
    }
  });

  test("a key that is not 32 bytes is refused", () => {
    assert.throws(() => secretBox(randomBytes(16)), SecretBoxError);
  });

  test("property: any text in any context round-trips, and only in that context", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string(), fc.string(), (plaintext, context, other) => {
        const sealed = sealSecret(plaintext, context);
        assert.equal(openSecret(sealed, context), plaintext);
        if (other !== context) assert.throws(() => openSecret(sealed, other), SecretBoxError);
      }),
      { numRuns: 200 },
    );
  });
});
