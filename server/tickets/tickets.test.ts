import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, test } from "node:test";
import { db as processDb, setProcessDb, type Db } from "../db/index.ts";
import { registerLab } from "../labs/register-lab.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { createTestTemplate, createTestUser } from "../labs/test-fixtures.ts";
import { appError } from "../testing/app-error.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { consumeTicket } from "./consume-ticket.ts";
import { mintTickets } from "./mint-tickets.ts";
import { purgeExpiredTickets } from "./purge-expired-tickets.ts";

describeOnDatabases("mintTickets, consumeTicket, purgeExpiredTickets", (database) => {
  let owner = { id: "", email: "" };
  let stranger = { id: "", email: "" };
  let labId = "";
  before(async () => {
    owner = await createTestUser(database().db, "ticket-owner@example.org");
    stranger = await createTestUser(database().db, "stranger@example.org");
    await createTestTemplate(database().db, "linux-shell");
    const { lab } = await registerLab({
      ownerEmail: owner.email,
      templateSlug: "linux-shell",
      host: "10.2.0.1",
      state: "ready",
      ssh: { port: 22, username: "u", generateKey: true },
    });
    labId = lab.id;
  });

  test("mints distinct 32-byte base64url tokens; only their SHA-256 is stored, expiring within 60 s", async () => {
    const startedAt = Date.now();
    const tokens = await mintTickets({ userId: owner.id, labId, protocol: "ssh", count: 5 });
    assert.equal(tokens.length, 5);
    assert.equal(new Set(tokens).size, 5);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token, "base64url").length, 32);
      const hash = createHash("sha256").update(token).digest("hex");
      const row = await database().db.connectionTicket.findUniqueOrThrow({ where: { tokenHash: hash } });
      assert.equal(row.userId, owner.id);
      assert.equal(row.protocol, "ssh");
      assert.equal(row.consumedAt, null);
      const ttl = row.expiresAt.getTime() - startedAt;
      assert.ok(ttl > 55_000 && ttl <= 61_000, `expires in ${ttl} ms`);
    }
    const stored = JSON.stringify(await database().db.connectionTicket.findMany());
    for (const token of tokens) assert.ok(!stored.includes(token));
  });

  test("consume: the ticket's user, lab and protocol once; replay is null", async () => {
    const [token] = await mintTickets({ userId: owner.id, labId, protocol: "ssh" });
    assert.deepEqual(await consumeTicket({ token: token! }), { userId: owner.id, labId, protocol: "ssh" });
    assert.equal(await consumeTicket({ token: token! }), null);
  });

  test("20 concurrent consumes of one ticket: exactly one winner", async () => {
    const [token] = await mintTickets({ userId: owner.id, labId, protocol: "ssh" });
    const results = await Promise.all(Array.from({ length: 20 }, () => consumeTicket({ token: token! })));
    const winners = results.filter((result) => result !== null);
    assert.equal(winners.length, 1);
    assert.deepEqual(winners[0], { userId: owner.id, labId, protocol: "ssh" });
  });

  test("an expired ticket is null and stays unconsumed", async () => {
    const [token] = await mintTickets({ userId: owner.id, labId, protocol: "ssh", ttlSeconds: 1 });
    const tokenHash = createHash("sha256").update(token!).digest("hex");
    await database().db.connectionTicket.update({ where: { tokenHash }, data: { expiresAt: new Date(Date.now() - 1) } });
    assert.equal(await consumeTicket({ token: token! }), null);
    assert.equal((await database().db.connectionTicket.findUniqueOrThrow({ where: { tokenHash } })).consumedAt, null);
  });

  test("unknown and malformed tokens are null; malformed ones never reach the database", async () => {
    assert.equal(await consumeTicket({ token: "A".repeat(43) }), null);
    const real = processDb();
    const { url } = database();
    const untouchable = new Proxy({} as Db, {
      get() {
        throw new Error("the database was touched");
      },
    });
    setProcessDb(url, untouchable);
    try {
      for (const token of ["", "short", "A".repeat(42), "A".repeat(44), `${"A".repeat(42)}=`, `${"A".repeat(42)}+`, 42 as unknown as string]) {
        assert.equal(await consumeTicket({ token }), null);
      }
      await assert.rejects(consumeTicket({ token: "A".repeat(43) }), /the database was touched/);
    } finally {
      setProcessDb(url, real);
    }
  });

  test("only the owner gets tickets: someone else's lab is not_found, like a missing one", async () => {
    const theirs = await appError(mintTickets({ userId: stranger.id, labId, protocol: "ssh" }));
    const missing = await appError(mintTickets({ userId: owner.id, labId: "missing", protocol: "ssh" }));
    assert.equal(theirs.code, "not_found");
    assert.equal(missing.code, "not_found");
    assert.equal(theirs.message.replace(labId, "X"), missing.message.replace("missing", "X"));
  });

  test("a protocol without an endpoint, and counts or lifetimes out of bounds, are invalid_input", async () => {
    assert.ok((await appError(mintTickets({ userId: owner.id, labId, protocol: "rdp" }))).fields?.protocol);
    for (const count of [0, 101, 1.5]) {
      assert.ok((await appError(mintTickets({ userId: owner.id, labId, protocol: "ssh", count }))).fields?.count);
    }
    for (const ttlSeconds of [0, 61]) {
      assert.ok((await appError(mintTickets({ userId: owner.id, labId, protocol: "ssh", ttlSeconds }))).fields?.ttlSeconds);
    }
    assert.equal((await mintTickets({ userId: owner.id, labId, protocol: "ssh", count: 100 })).length, 100);
  });

  test("purgeExpiredTickets deletes expired tickets, used or not, and keeps live ones", async () => {
    const { db } = database();
    const [live] = await mintTickets({ userId: owner.id, labId, protocol: "ssh" });
    const [old, oldUsed] = await mintTickets({ userId: owner.id, labId, protocol: "ssh", count: 2 });
    await consumeTicket({ token: oldUsed! });
    const hashes = [old!, oldUsed!].map((token) => createHash("sha256").update(token).digest("hex"));
    await db.connectionTicket.updateMany({ where: { tokenHash: { in: hashes } }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const deleted = await purgeExpiredTickets();
    assert.ok(deleted >= 2);
    assert.equal(await db.connectionTicket.count({ where: { tokenHash: { in: hashes } } }), 0);
    assert.ok(await consumeTicket({ token: live! }));
  });

  test("a torn-down lab gets no tickets: gone", async () => {
    await teardownLab({ labId });
    assert.equal((await appError(mintTickets({ userId: owner.id, labId, protocol: "ssh" }))).code, "gone");
  });
});
