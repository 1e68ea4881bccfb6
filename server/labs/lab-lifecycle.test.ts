import assert from "node:assert/strict";
import { before, test } from "node:test";
import { appError } from "../testing/app-error.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { mintTickets } from "../tickets/mint-tickets.ts";
import { consumeTicket } from "../tickets/consume-ticket.ts";
import { findLabForUser } from "./find-lab-for-page.ts";
import { getLab } from "./get-lab.ts";
import { onLabTornDown } from "./lab-events.ts";
import { listLabs } from "./list-labs.ts";
import { registerLab } from "./register-lab.ts";
import { setLabState } from "./set-lab-state.ts";
import { teardownLab } from "./teardown-lab.ts";
import { createTestTemplate, createTestUser } from "./test-fixtures.ts";

describeOnDatabases("lab lifecycle: get, list, state, teardown, the page's lab", (database) => {
  let alice = { id: "", email: "" };
  let bob = { id: "", email: "" };
  before(async () => {
    alice = await createTestUser(database().db, "alice@example.org");
    bob = await createTestUser(database().db, "bob@example.org");
    await createTestTemplate(database().db, "linux-shell");
    await createTestTemplate(database().db, "desktop", [{ protocol: "rdp" }]);
  });

  const register = (ownerEmail: string, templateSlug = "linux-shell") =>
    registerLab({ ownerEmail, templateSlug, host: "10.1.0.1", rdp: { port: 3389, username: "u", password: "rdp-secret" } }).then((r) => r.lab);

  test("getLab returns the view; an unknown id is not_found", async () => {
    const lab = await register(alice.email);
    assert.deepEqual(await getLab({ labId: lab.id }), lab);
    assert.equal((await appError(getLab({ labId: "missing" }))).code, "not_found");
  });

  test("listLabs filters by owner, state and template, newest first", async () => {
    const first = await register(bob.email);
    const second = await register(bob.email, "desktop");
    await setLabState({ labId: second.id, state: "ready" });
    const bobs = await listLabs({ ownerEmail: "BOB@example.org" });
    assert.deepEqual(bobs.map((lab) => lab.id), [second.id, first.id]);
    assert.deepEqual((await listLabs({ ownerEmail: bob.email, state: "ready" })).map((lab) => lab.id), [second.id]);
    assert.deepEqual((await listLabs({ ownerEmail: bob.email, templateSlug: "desktop" })).map((lab) => lab.id), [second.id]);
    assert.ok((await listLabs()).length >= 2);
    assert.ok((await appError(listLabs({ state: "exploded" as "ready" }))).fields?.state);
  });

  test("setLabState moves between ready and stopped; not_found for unknown labs; nothing else", async () => {
    const lab = await register(alice.email);
    assert.equal((await setLabState({ labId: lab.id, state: "ready" })).state, "ready");
    assert.equal((await setLabState({ labId: lab.id, state: "stopped" })).state, "stopped");
    assert.equal((await getLab({ labId: lab.id })).state, "stopped");
    assert.equal((await appError(setLabState({ labId: "missing", state: "ready" }))).code, "not_found");
    assert.equal((await appError(setLabState({ labId: lab.id, state: "torn_down" as "ready" }))).code, "invalid_input");
  });

  test("teardown deletes credentials and unused tickets, keeps used ones, tells listeners; state is then fixed", async () => {
    const { db } = database();
    const lab = await register(alice.email);
    await setLabState({ labId: lab.id, state: "ready" });
    const [used, unused] = await mintTickets({ userId: alice.id, labId: lab.id, protocol: "rdp", count: 2 });
    assert.ok(await consumeTicket({ token: used! }));
    const heard: string[] = [];
    const unsubscribe = onLabTornDown((event) => heard.push(event.labId));
    try {
      const view = await teardownLab({ labId: lab.id });
      assert.equal(view.state, "torn_down");
      assert.ok(view.tornDownAt instanceof Date);
      assert.deepEqual(view.hasCredentials, { ssh: false, rdp: false, vnc: false });
      assert.deepEqual(heard, [lab.id]);
    } finally {
      unsubscribe();
    }
    assert.equal(await db.labCredential.count({ where: { labId: lab.id } }), 0);
    assert.equal(await db.connectionTicket.count({ where: { labId: lab.id } }), 1, "the consumed ticket stays for the record");
    assert.equal(await consumeTicket({ token: unused! }), null);
    assert.equal((await appError(setLabState({ labId: lab.id, state: "ready" }))).code, "gone");
    assert.equal((await getLab({ labId: lab.id })).state, "torn_down");
  });

  test("teardown is idempotent: the second call succeeds and keeps the first time", async () => {
    const lab = await register(alice.email);
    const first = await teardownLab({ labId: lab.id });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await teardownLab({ labId: lab.id });
    assert.equal(second.state, "torn_down");
    assert.equal(second.tornDownAt?.getTime(), first.tornDownAt?.getTime());
    assert.equal((await appError(teardownLab({ labId: "missing" }))).code, "not_found");
  });

  test("a throwing listener neither fails the teardown nor silences the others; unsubscribe works", async () => {
    const lab = await register(alice.email);
    const heard: string[] = [];
    const offThrowing = onLabTornDown(() => {
      throw new Error("listener bug");
    });
    const offHeard = onLabTornDown((event) => heard.push(event.labId));
    offThrowing();
    const offThrowingAgain = onLabTornDown(() => {
      throw new Error("listener bug");
    });
    try {
      await teardownLab({ labId: lab.id });
    } finally {
      offHeard();
      offThrowingAgain();
    }
    assert.deepEqual(heard, [lab.id]);
    await teardownLab({ labId: lab.id });
    assert.deepEqual(heard, [lab.id], "unsubscribed listeners are not called");
  });

  test("findLabForUser: the user's newest lab of that template that is not torn down", async () => {
    const carol = await createTestUser(database().db, "carol@example.org");
    assert.equal(await findLabForUser({ userId: carol.id, templateSlug: "linux-shell" }), null);
    const older = await register(carol.email);
    const newer = await register(carol.email);
    await register(carol.email, "desktop");
    await register(alice.email);
    assert.equal((await findLabForUser({ userId: carol.id, templateSlug: "linux-shell" }))?.id, newer.id);
    await teardownLab({ labId: newer.id });
    assert.equal((await findLabForUser({ userId: carol.id, templateSlug: "linux-shell" }))?.id, older.id);
    await teardownLab({ labId: older.id });
    assert.equal(await findLabForUser({ userId: carol.id, templateSlug: "linux-shell" }), null);
    assert.equal(await findLabForUser({ userId: carol.id, templateSlug: "no-such-template" }), null);
  });
});
