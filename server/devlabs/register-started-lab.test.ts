// The register -> key -> ready sequence and its roll-back. The machine is a stand-in that records what
// it was told (the real sshd path runs in the e2e suite and the demo); the registry is the real one.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { describeOnDatabases } from "../testing/databases.ts";
import type { RegisterLabOptions } from "../labs/register-lab.ts";
import { createTestTemplate, createTestUser } from "../labs/test-fixtures.ts";
import { registerStartedLab } from "./register-started-lab.ts";
import type { SshLabHandle } from "./start-ssh-lab.ts";

function standInMachine(options: { refuseKey?: boolean } = {}) {
  const keys: string[] = [];
  let stops = 0;
  const ssh: SshLabHandle = {
    host: "127.0.0.1",
    port: 2222,
    username: "learner",
    homeDir: "/nonexistent",
    hostKey: "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleHostKeyOnlyForThisTest",
    readLog: () => "",
    updateAuthorizedKey(key) {
      if (options.refuseKey) throw new Error("authorized_keys is read-only");
      keys.push(key);
    },
    stop: async () => void stops++,
  };
  return { ssh, keys, stopMachines: async () => void stops++, stops: () => stops };
}

describeOnDatabases("registerStartedLab", (database) => {
  let ownerEmail = "";
  before(async () => {
    ownerEmail = (await createTestUser(database().db, "provisioned@example.org")).email;
    await createTestTemplate(database().db, "linux-shell");
  });
  const registration = (templateSlug = "linux-shell"): RegisterLabOptions => ({
    ownerEmail,
    templateSlug,
    host: "127.0.0.1",
    ssh: { port: 2222, username: "learner", generateKey: true },
  });
  const stateOf = async (labId: string) => (await database().db.lab.findUniqueOrThrow({ where: { id: labId } })).state;

  test("registers the lab, installs the generated key's public half, marks it ready; stop() tears down and stops once", async () => {
    const machine = standInMachine();
    const lab = await registerStartedLab({ registration: registration(), ssh: machine.ssh, stopMachines: machine.stopMachines });
    assert.equal(await stateOf(lab.labId), "ready");
    assert.equal(machine.keys.length, 1);
    assert.match(machine.keys[0]!, new RegExp(`^ssh-rsa AAAA\\S+ labdeck-${lab.labId}$`));
    await Promise.all([lab.stop(), lab.stop()]);
    await lab.stop();
    assert.equal(await stateOf(lab.labId), "torn_down");
    assert.equal(machine.stops(), 1);
  });

  test("a registration the registry refuses stops the machines and rethrows", async () => {
    const machine = standInMachine();
    await assert.rejects(registerStartedLab({ registration: registration("no-such-template"), ssh: machine.ssh, stopMachines: machine.stopMachines }));
    assert.equal(machine.stops(), 1);
    assert.equal(machine.keys.length, 0);
  });

  test("a step failing after registration tears the registered lab down (its key is deleted) and stops the machines", async () => {
    const machine = standInMachine({ refuseKey: true });
    const before = await database().db.lab.count();
    await assert.rejects(
      registerStartedLab({ registration: registration(), ssh: machine.ssh, stopMachines: machine.stopMachines }),
      /read-only/,
    );
    const labs = await database().db.lab.findMany({ orderBy: { createdAt: "desc" }, take: 1 });
    assert.equal(await database().db.lab.count(), before + 1);
    assert.equal(labs[0]!.state, "torn_down");
    assert.equal(await database().db.labCredential.count({ where: { labId: labs[0]!.id } }), 0);
    assert.equal(machine.stops(), 1);
  });
});
