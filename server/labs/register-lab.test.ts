import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, test } from "node:test";
import { appError } from "../testing/app-error.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { registerLab, type RegisterLabOptions } from "./register-lab.ts";
import { createTestTemplate, createTestUser } from "./test-fixtures.ts";

const providedKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const rdpPassword = "rdp-Pa55word-unique-7731";

describeOnDatabases("registerLab", (database) => {
  let owner = "";
  before(async () => {
    owner = (await createTestUser(database().db, "owner@example.org")).email;
    await createTestTemplate(database().db, "linux-shell");
    await createTestTemplate(database().db, "desktop", [{ protocol: "rdp" }, { protocol: "vnc" }]);
  });

  const base = (): RegisterLabOptions => ({ ownerEmail: owner, templateSlug: "linux-shell", host: "10.0.0.5" });

  test("writes the lab, its endpoints and encrypted credentials; the view has no secrets", async () => {
    const { lab, sshPublicKey } = await registerLab({
      ...base(),
      ownerEmail: "OWNER@example.org",
      ssh: { port: 22, username: "learner", privateKey: providedKey },
      rdp: { port: 3389, username: "learner", password: rdpPassword },
      vnc: { port: 5901, password: "vncpass1" },
    });
    assert.equal(sshPublicKey, undefined);
    assert.equal(lab.ownerEmail, "owner@example.org");
    assert.equal(lab.templateSlug, "linux-shell");
    assert.equal(lab.state, "provisioning");
    assert.equal(lab.host, "10.0.0.5");
    assert.deepEqual(lab.endpoints, [
      { protocol: "ssh", port: 22, username: "learner" },
      { protocol: "rdp", port: 3389, username: "learner" },
      { protocol: "vnc", port: 5901, username: null },
    ]);
    assert.deepEqual(lab.hasCredentials, { ssh: true, rdp: true, vnc: true });
    const text = JSON.stringify(lab);
    assert.ok(!text.includes(rdpPassword) && !text.includes("PRIVATE KEY"));

    const rows = await database().db.labCredential.findMany({ where: { labId: lab.id }, orderBy: { kind: "asc" } });
    assert.deepEqual(rows.map((row) => row.kind).sort(), ["rdp_password", "ssh_private_key", "vnc_password"]);
    for (const row of rows) {
      assert.match(row.ciphertext, /^v1\./);
      assert.ok(!row.ciphertext.includes(rdpPassword) && !row.ciphertext.includes("vncpass1") && !row.ciphertext.includes("BEGIN"));
    }
  });

  test("generateKey: returns the OpenSSH public key, stores the private one", async () => {
    const { lab, sshPublicKey } = await registerLab({ ...base(), ssh: { port: 2222, username: "u", generateKey: true }, state: "ready" });
    assert.match(sshPublicKey ?? "", new RegExp(`^ssh-rsa AAAA[A-Za-z0-9+/=]+ labdeck-${lab.id}$`));
    assert.equal(lab.state, "ready");
    const kinds = (await database().db.labCredential.findMany({ where: { labId: lab.id } })).map((row) => row.kind).sort();
    assert.deepEqual(kinds, ["ssh_private_key", "ssh_public_key"]);
  });

  test("accepts hostnames and IPv6 literals; keeps the host key and expiry", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    for (const host of ["lab-7.labs.example.edu", "::1", "fd00::5", "localhost"]) {
      const { lab } = await registerLab({ ...base(), host, vnc: { port: 5900, password: "pw" }, expiresAt: expiresAt.toISOString() });
      assert.equal(lab.host, host);
      assert.equal(lab.expiresAt?.getTime(), expiresAt.getTime());
    }
    const { lab } = await registerLab({ ...base(), ssh: { port: 22, username: "u", privateKey: providedKey, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH" } });
    const row = await database().db.lab.findUniqueOrThrow({ where: { id: lab.id } });
    assert.equal(row.sshHostKey, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH");
  });

  test("invalid input names each field and echoes no secret", async () => {
    const error = await appError(
      registerLab({
        ownerEmail: "nope",
        templateSlug: "linux-shell",
        host: "bad host!",
        ssh: { port: 0, username: "", generateKey: true, privateKey: providedKey },
        rdp: { port: 70000, username: "u", password: "" },
        vnc: { port: 5900 } as never,
        state: "torn_down" as never,
      }),
    );
    assert.equal(error.code, "invalid_input");
    assert.deepEqual(Object.keys(error.fields ?? {}).sort(), [
      "host",
      "ownerEmail",
      "rdp.password",
      "rdp.port",
      "ssh.generateKey",
      "ssh.port",
      "ssh.username",
      "state",
      "vnc.password",
    ]);
    assert.ok(!error.message.includes("PRIVATE KEY"));
    assert.equal(error.fields?.["vnc.password"], "is required");
  });

  test("each protocol needs its credentials; at least one protocol; no unknown keys", async () => {
    assert.equal((await appError(registerLab({ ...base(), ssh: { port: 22, username: "u" } }))).fields?.["ssh.privateKey"], "is required unless generateKey is true");
    assert.equal(
      (await appError(registerLab({ ...base(), ssh: { port: 22, username: "u", generateKey: true, passphrase: "x" } }))).fields?.["ssh.passphrase"],
      "is only for a provided privateKey",
    );
    assert.ok((await appError(registerLab({ ...base(), rdp: { port: 3389, password: "x" } as never }))).fields?.["rdp.username"]);
    assert.ok((await appError(registerLab(base()))).fields?.protocols);
    assert.equal((await appError(registerLab({ ...base(), vnc: { port: 1, password: "p" }, color: "red" } as never))).fields?.color, "is not allowed");
    assert.equal((await appError(registerLab({ ...base(), vnc: { port: 1, password: "p" }, expiresAt: "2001-01-01T00:00:00Z" }))).fields?.expiresAt, "must be in the future");
    assert.ok((await appError(registerLab({ ...base(), vnc: { port: 1, password: "p" }, expiresAt: "tomorrow" }))).fields?.expiresAt);
    for (const host of ["[::1]", "999.1.1.1", "10.0.0", "-lab.example", "lab_1.example", "a".repeat(64), ""]) {
      assert.ok((await appError(registerLab({ ...base(), vnc: { port: 1, password: "p" }, host }))).fields?.host, host);
    }
  });

  test("an unusable SSH key or passphrase is refused, naming the field but not quoting the key", async () => {
    const openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----";
    const error = await appError(registerLab({ ...base(), ssh: { port: 22, username: "u", privateKey: openssh } }));
    assert.match(error.fields?.["ssh.privateKey"] ?? "", /ssh-keygen -p -m PEM/);
    assert.ok(!error.message.includes("b3BlbnNzaC1rZXktdjE"));
    const encrypted = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "right" })
      .toString();
    const wrong = await appError(registerLab({ ...base(), ssh: { port: 22, username: "u", privateKey: encrypted, passphrase: "wrong" } }));
    assert.equal(wrong.fields?.["ssh.passphrase"], "does not decrypt the private key");
    const { lab } = await registerLab({ ...base(), ssh: { port: 22, username: "u", privateKey: encrypted, passphrase: "right" } });
    const kinds = (await database().db.labCredential.findMany({ where: { labId: lab.id } })).map((row) => row.kind).sort();
    assert.deepEqual(kinds, ["ssh_passphrase", "ssh_private_key"]);
  });

  test("an unknown owner or template is invalid input naming the field and the value", async () => {
    const before = await database().db.lab.count();
    const owner = await appError(registerLab({ ...base(), ownerEmail: "ghost@example.org", vnc: { port: 5900, password: "p" } }));
    assert.equal(owner.code, "invalid_input");
    assert.ok(owner.fields?.ownerEmail);
    assert.match(owner.message, /ghost@example\.org/);
    const template = await appError(registerLab({ ...base(), templateSlug: "no-such", vnc: { port: 5900, password: "p" } }));
    assert.ok(template.fields?.templateSlug);
    assert.match(template.message, /no-such/);
    assert.equal(await database().db.lab.count(), before);
  });

  test("a failure while writing credentials leaves no lab, endpoint or credential behind", async () => {
    const { kind, db } = database();
    const counts = async () => [await db.lab.count(), await db.labEndpoint.count(), await db.labCredential.count()];
    const before = await counts();
    if (kind === "sqlite") {
      await db.$executeRawUnsafe(`CREATE TRIGGER fail_credentials BEFORE INSERT ON "LabCredential" BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    } else {
      await db.$executeRawUnsafe(`CREATE FUNCTION fail_credentials() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await db.$executeRawUnsafe(`CREATE TRIGGER fail_credentials BEFORE INSERT ON "LabCredential" FOR EACH ROW EXECUTE FUNCTION fail_credentials()`);
    }
    try {
      await assert.rejects(
        registerLab({ ...base(), ssh: { port: 22, username: "u", generateKey: true }, rdp: { port: 3389, username: "u", password: rdpPassword } }),
        // SQLite's adapter reports a trigger's abort as a constraint violation; PostgreSQL passes the message on.
        (error: unknown) => error instanceof Error && (error as { code?: string }).code !== undefined && !error.message.includes(rdpPassword),
      );
      assert.deepEqual(await counts(), before);
    } finally {
      await db.$executeRawUnsafe(kind === "sqlite" ? "DROP TRIGGER fail_credentials" : `DROP TRIGGER fail_credentials ON "LabCredential"`);
    }
    // And the same registration goes through once the fault is gone.
    await registerLab({ ...base(), rdp: { port: 3389, username: "u", password: rdpPassword } });
    assert.equal((await counts())[0], before[0]! + 1);
  });
});
