import assert from "node:assert/strict";
import { test } from "node:test";
import { verifyPassword } from "../auth/password.ts";
import { AppError } from "../errors.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { createUser } from "./create-user.ts";
import { findUserByEmail } from "./find-user-by-email.ts";

describeOnDatabases("createUser and findUserByEmail", (database) => {
  test("stores the email trimmed and lowercased, learner by default, without a password", async () => {
    const user = await createUser({ email: "  Ada.Lovelace@Example.ORG " });
    assert.equal(user.email, "ada.lovelace@example.org");
    assert.equal(user.role, "learner");
    assert.equal(user.name, null);
    assert.ok(!("passwordHash" in user));
    const row = await database().db.user.findUniqueOrThrow({ where: { id: user.id } });
    assert.equal(row.passwordHash, null);
  });

  test("hashes the password and keeps name and role", async () => {
    const user = await createUser({ email: "grace@example.org", name: "Grace Hopper", role: "instructor", password: "cobol-forever" });
    assert.equal(user.name, "Grace Hopper");
    assert.equal(user.role, "instructor");
    const { passwordHash } = await database().db.user.findUniqueOrThrow({ where: { id: user.id } });
    assert.ok(passwordHash && !passwordHash.includes("cobol-forever"));
    assert.equal(await verifyPassword("cobol-forever", passwordHash), true);
  });

  test("a taken email in any letter case is a conflict", async () => {
    await createUser({ email: "dup@example.org" });
    await assert.rejects(createUser({ email: "DUP@example.org" }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "conflict");
      assert.match(error.message, /dup@example\.org/);
      return true;
    });
    assert.equal(await database().db.user.count({ where: { email: "dup@example.org" } }), 1);
  });

  test("invalid input names its fields and never echoes the password", async () => {
    await assert.rejects(createUser({ email: "not-an-email", password: "short" }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "invalid_input");
      assert.deepEqual(Object.keys(error.fields ?? {}).sort(), ["email", "password"]);
      assert.ok(!error.message.includes("short"));
      return true;
    });
    await assert.rejects(createUser({ email: "x@example.org", role: "root" as "admin" }), (error: unknown) => {
      assert.deepEqual((error as AppError).fields, { role: "must be one of learner, instructor, admin" });
      return true;
    });
    await assert.rejects(createUser({ email: "y@example.org", extra: 1 } as never), (error: unknown) => {
      assert.deepEqual((error as AppError).fields, { extra: "is not allowed" });
      return true;
    });
    await assert.rejects(createUser({} as never), (error: unknown) => {
      assert.deepEqual((error as AppError).fields, { email: "is required" });
      return true;
    });
  });

  test("findUserByEmail ignores case and returns null for strangers", async () => {
    const created = await createUser({ email: "finder@example.org" });
    const found = await findUserByEmail({ email: "FINDER@example.org" });
    assert.equal(found?.id, created.id);
    assert.ok(found && !("passwordHash" in found));
    assert.equal(await findUserByEmail({ email: "nobody@example.org" }), null);
  });
});
