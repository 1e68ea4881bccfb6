import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, test } from "node:test";
import { SecretBoxError } from "../crypto/secret-box.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { getLabConnection } from "./get-lab-connection.ts";
import { registerLab } from "./register-lab.ts";
import { teardownLab } from "./teardown-lab.ts";
import { createTestTemplate, createTestUser } from "./test-fixtures.ts";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "key-phrase" })
  .toString();

describeOnDatabases("getLabConnection", (database) => {
  let owner = { id: "", email: "" };
  let labId = "";
  before(async () => {
    owner = await createTestUser(database().db, "conn@example.org");
    await createTestTemplate(database().db, "full", [
      { protocol: "ssh", settings: { fontSize: 18, colorScheme: "white-black" } },
      { protocol: "rdp", settings: { security: "tls", ignoreCert: true } },
    ]);
    const { lab } = await registerLab({
      ownerEmail: owner.email,
      templateSlug: "full",
      host: "lab.example.edu",
      state: "ready",
      ssh: { port: 2222, username: "learner", privateKey, passphrase: "key-phrase", hostKey: "lab.example.edu ssh-ed25519 AAAAC3Nz" },
      rdp: { port: 3390, username: "rdpuser", password: "rdp-secret" },
      vnc: { port: 5901, password: "vnc-secret" },
    });
    labId = lab.id;
  });

  test("ssh: address, the template pane's settings, and only the SSH secrets", async () => {
    const connection = await getLabConnection({ labId, protocol: "ssh" });
    assert.ok(connection);
    assert.equal(connection.protocol, "ssh");
    assert.equal(connection.ownerId, owner.id);
    assert.equal(connection.ownerName, owner.email, "the email stands in for a missing display name");
    assert.equal(connection.state, "ready");
    assert.equal(connection.host, "lab.example.edu");
    assert.equal(connection.port, 2222);
    assert.equal(connection.username, "learner");
    assert.deepEqual(connection.settings, { fontName: "monospace", fontSize: 18, colorScheme: "white-black", scrollback: 1000, readOnly: false });
    assert.deepEqual(connection.secrets, { privateKey, passphrase: "key-phrase", hostKey: "lab.example.edu ssh-ed25519 AAAAC3Nz" });
  });

  test("rdp and vnc: their own password only; a protocol without a template pane gets defaults", async () => {
    const rdp = await getLabConnection({ labId, protocol: "rdp" });
    assert.equal(rdp?.username, "rdpuser");
    assert.deepEqual(rdp?.secrets, { password: "rdp-secret" });
    assert.equal(rdp?.settings.security, "tls");
    assert.equal(rdp?.settings.ignoreCert, true);
    assert.equal(rdp?.settings.colorDepth, 24);
    const vnc = await getLabConnection({ labId, protocol: "vnc" });
    assert.equal(vnc?.username, null);
    assert.deepEqual(vnc?.secrets, { password: "vnc-secret" });
    assert.deepEqual(vnc?.settings, { colorDepth: 24, clipboardEncoding: "UTF-8", readOnly: false, disableCopy: false, disablePaste: false });
  });

  test("a missing lab is null", async () => {
    assert.equal(await getLabConnection({ labId: "missing", protocol: "ssh" }), null);
  });

  test("a ciphertext copied to another lab's row does not decrypt there", async () => {
    const { db } = database();
    const { lab: other } = await registerLab({ ownerEmail: owner.email, templateSlug: "full", host: "10.0.0.9", vnc: { port: 5900, password: "other" } });
    const mine = await db.labCredential.findUniqueOrThrow({ where: { labId_kind: { labId, kind: "vnc_password" } } });
    await db.labCredential.update({ where: { labId_kind: { labId: other.id, kind: "vnc_password" } }, data: { ciphertext: mine.ciphertext } });
    await assert.rejects(getLabConnection({ labId: other.id, protocol: "vnc" }), (error: unknown) => {
      assert.ok(error instanceof SecretBoxError);
      assert.ok(!error.message.includes("vnc-secret"));
      return true;
    });
  });

  test("invalid stored settings are a server error naming the template, not the user's", async () => {
    const { db } = database();
    await createTestTemplate(db, "broken", [{ protocol: "vnc", settings: { colorDepth: 7 } }]);
    const { lab } = await registerLab({ ownerEmail: owner.email, templateSlug: "broken", host: "10.0.0.9", vnc: { port: 5900, password: "p" } });
    await assert.rejects(getLabConnection({ labId: lab.id, protocol: "vnc" }), /Lab template "broken" has invalid vnc pane settings \(colorDepth\)/);
  });

  test("torn down: the state says so and no secret is returned", async () => {
    await teardownLab({ labId });
    const connection = await getLabConnection({ labId, protocol: "ssh" });
    assert.equal(connection?.state, "torn_down");
    assert.deepEqual(connection?.secrets, {});
  });
});
