import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createUser } from "../users/create-user.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { authorizeCredentials } from "./authorize-credentials.ts";
import { defaultCallbackPath, safeCallbackPath } from "./callback-url.ts";
import { linkOidcAccount } from "./link-oidc-account.ts";
import { publicOriginOf } from "./public-request.ts";

describe("safeCallbackPath", () => {
  test("keeps paths on this site", () => {
    assert.equal(safeCallbackPath("/courses/intro-to-linux/first-steps"), "/courses/intro-to-linux/first-steps");
    assert.equal(safeCallbackPath("/courses?x=1#top"), "/courses?x=1#top");
    assert.equal(safeCallbackPath("/"), "/");
  });

  test("refuses other sites, odd forms and loops back to sign-in", () => {
    for (const value of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "courses",
      "/ /evil.example",
      "/\t/evil.example",
      "/sign-in?callbackUrl=/x",
      "/api/auth/signout",
      "",
      undefined,
      ["/courses"],
    ]) {
      assert.equal(safeCallbackPath(value), defaultCallbackPath, String(value));
    }
  });
});

describeOnDatabases("authorizeCredentials and linkOidcAccount", () => {
  test("the right password gives the user; wrong password, unknown email and no password give null", async () => {
    const user = await createUser({ email: "ada@example.org", name: "Ada", role: "instructor", password: "analytical-engine" });
    const signedIn = await authorizeCredentials({ email: " ADA@example.org ", password: "analytical-engine" });
    assert.deepEqual(signedIn && { id: signedIn.id, role: signedIn.role }, { id: user.id, role: "instructor" });
    assert.ok(signedIn && !("passwordHash" in signedIn));

    assert.equal(await authorizeCredentials({ email: "ada@example.org", password: "difference-engine" }), null);
    assert.equal(await authorizeCredentials({ email: "nobody@example.org", password: "analytical-engine" }), null);
    await createUser({ email: "sso-only@example.org" });
    assert.equal(await authorizeCredentials({ email: "sso-only@example.org", password: "anything-at-all" }), null);
    assert.equal(await authorizeCredentials({ email: "not an email", password: "analytical-engine" }), null);
    assert.equal(await authorizeCredentials({ email: "ada@example.org", password: undefined }), null);
    assert.equal(await authorizeCredentials({ email: "ada@example.org", password: "x".repeat(5000) }), null);
  });

  test("OIDC: a verified email creates a learner and records the account; the account signs in again", async () => {
    const options = { provider: "oidc", providerAccountId: "sub-1", type: "oidc", email: "New.Person@Example.org", emailVerified: true, name: "New Person" };
    const created = await linkOidcAccount(options);
    assert.ok(created);
    assert.equal(created.email, "new.person@example.org");
    assert.equal(created.role, "learner");
    assert.equal(created.name, "New Person");
    // The same subject, even with a changed (or unverified) email, is the same user.
    const again = await linkOidcAccount({ ...options, email: "changed@example.org", emailVerified: false });
    assert.equal(again?.id, created.id);
  });

  test("OIDC: a verified email links to the existing user, keeping their role", async () => {
    const existing = await createUser({ email: "grace@example.org", role: "admin", password: "cobol-forever" });
    const linked = await linkOidcAccount({ provider: "oidc", providerAccountId: "sub-2", type: "oidc", email: "grace@example.org", emailVerified: "true", name: "G" });
    assert.equal(linked?.id, existing.id);
    assert.equal(linked?.role, "admin");
  });

  test("OIDC: an unverified or missing email is refused and nothing is written", async () => {
    await createUser({ email: "victim@example.org", role: "admin" });
    for (const emailVerified of [false, undefined, "false", 1]) {
      assert.equal(await linkOidcAccount({ provider: "oidc", providerAccountId: "sub-3", type: "oidc", email: "victim@example.org", emailVerified, name: null }), null);
    }
    assert.equal(await linkOidcAccount({ provider: "oidc", providerAccountId: "sub-4", type: "oidc", email: undefined, emailVerified: true, name: null }), null);
  });
});

describe("publicOriginOf", () => {
  const origin = (headers: Record<string, string>, protocol = "http:") => publicOriginOf(new Headers(headers), protocol);

  test("takes the Host header, or the first X-Forwarded-Host/Proto", () => {
    assert.equal(origin({ host: "labs.example.edu" }), "http://labs.example.edu");
    assert.equal(origin({ host: "127.0.0.1:3917" }), "http://127.0.0.1:3917");
    assert.equal(origin({ host: "internal:3000", "x-forwarded-host": "labs.example.edu", "x-forwarded-proto": "https" }), "https://labs.example.edu");
    assert.equal(origin({ host: "a", "x-forwarded-host": "b.example, c.example", "x-forwarded-proto": "https,http" }), "https://b.example");
    assert.equal(origin({ host: "[::1]:3000" }), "http://[::1]:3000");
    assert.equal(origin({ host: "Labs.Example.EDU:80" }), "http://labs.example.edu");
  });

  test("refuses headers that are not an origin", () => {
    assert.equal(origin({}), null);
    assert.equal(origin({ host: "evil.example/path" }), null);
    assert.equal(origin({ host: "user:pw@evil.example" }), null);
    assert.equal(origin({ host: "labs.example.edu", "x-forwarded-proto": "javascript" }), null);
  });
});
