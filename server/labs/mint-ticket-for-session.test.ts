import assert from "node:assert/strict";
import { before, test } from "node:test";
import { AppError } from "../errors.ts";
import { consumeTicket } from "../tickets/consume-ticket.ts";
import { hashTicketToken } from "../tickets/ticket-token.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { mintTicketForSession } from "./mint-ticket-for-session.ts";
import { registerLab } from "./register-lab.ts";
import { createTestTemplate, createTestUser } from "./test-fixtures.ts";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    return error.code;
  }
  assert.fail("expected an AppError");
}

describeOnDatabases(
  "mintTicketForSession",
  (database) => {
    let owner = { id: "", email: "" };
    let stranger = { id: "", email: "" };
    let labId = "";
    before(async () => {
      owner = await createTestUser(database().db, "viewer-owner@example.org");
      stranger = await createTestUser(database().db, "viewer-stranger@example.org");
      await createTestTemplate(database().db, "linux-shell");
      const { lab } = await registerLab({
        ownerEmail: owner.email,
        templateSlug: "linux-shell",
        host: "10.3.0.1",
        state: "ready",
        ssh: { port: 22, username: "u", generateKey: true },
      });
      labId = lab.id;
    });

    test("one ticket for the owner's lab, expiring no later than it says", async () => {
      const { ticket, expiresAt } = await mintTicketForSession({ userId: owner.id, labId, protocol: "ssh" });
      const row = await database().db.connectionTicket.findUniqueOrThrow({ where: { tokenHash: hashTicketToken(ticket) } });
      assert.ok(expiresAt.getTime() <= row.expiresAt.getTime());
      assert.ok(expiresAt.getTime() > Date.now() + 50_000);
      assert.deepEqual(await consumeTicket({ token: ticket }), { userId: owner.id, labId, protocol: "ssh" });
    });

    test("someone else's lab is not_found; a bad or missing protocol is invalid_input", async () => {
      assert.equal(await codeOf(mintTicketForSession({ userId: stranger.id, labId, protocol: "ssh" })), "not_found");
      assert.equal(await codeOf(mintTicketForSession({ userId: owner.id, labId, protocol: "telnet" })), "invalid_input");
      assert.equal(await codeOf(mintTicketForSession({ userId: owner.id, labId, protocol: undefined })), "invalid_input");
      assert.equal(await codeOf(mintTicketForSession({ userId: owner.id, labId, protocol: "rdp" })), "invalid_input");
    });
  },
  ["sqlite"],
);
