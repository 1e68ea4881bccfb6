// The tunnel against a scriptable synthetic guacd: one test per promise of the endpoint (origin and
// query), the tickets, the relay and the error statuses.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { after, before, test } from "node:test";
import { setImmediate, setTimeout as sleep } from "node:timers/promises";
import { db } from "../db/index.ts";
import { encodeInstruction } from "../guacamole/instruction.ts";
import { InstructionParser } from "../guacamole/parser.ts";
import { statuses } from "../guacamole/status.ts";
import { getLabConnection } from "../labs/get-lab-connection.ts";
import { teardownLab } from "../labs/teardown-lab.ts";
import { log } from "../log.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { startSyntheticGuacd, type SyntheticGuacd, type SyntheticGuacdOptions, type SyntheticSession } from "../testing/synthetic-guacd.ts";
import {
  createLearnerWithLab,
  defaultQuery,
  openTunnel,
  isTunnelUuid,
  startTunnelHarness,
  type TunnelHarness,
} from "../testing/tunnel-harness.ts";
import { databaseTunnelServices } from "./database-services.ts";

const internalUuid = /^0\.,36\.[0-9a-f-]{36};/;

async function closedWith(client: ReturnType<typeof openTunnel>, status: { code: number; webSocketCode: number }) {
  const closed = await client.closed;
  assert.equal(closed.reason, String(status.code), `close reason is the decimal status (got ${closed.reason})`);
  assert.equal(closed.code, status.webSocketCode);
  return closed;
}

function errorInstructionIn(client: ReturnType<typeof openTunnel>): string | undefined {
  return client.messages.find((message) => message.includes("5.error,"));
}

describeOnDatabases(
  "tunnel endpoint with a synthetic guacd",
  () => {
    let guacd: SyntheticGuacd;
    let harness: TunnelHarness;

    before(async () => {
      guacd = await startSyntheticGuacd({ nopIntervalMs: 1_000 });
      harness = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: guacd.port }, maxTunnelsPerUser: 2 });
    });
    after(async () => {
      await harness.close();
      await guacd.stop();
    });

    // 1. Endpoint: origin and query
    test("an Origin outside ALLOWED_ORIGINS is refused with HTTP 403 before the upgrade", async () => {
      const { ticket } = await createLearnerWithLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { origin: "http://evil.example" });
      assert.equal(await client.refused, 403);
    });

    test("the handshake uses the query's display (clamped), allowlisted mimetypes and valid timezone only", async () => {
      const { ticket, user } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, {
        ...defaultQuery(await ticket()),
        width: "100000",
        height: "5",
        dpi: "abc",
        timezone: "Not/AZone",
        audio: ["audio/L16", "audio/evil;x=1"],
        image: ["image/png", "text/html"],
        hostname: "attacker.example",
        "private-key": "nope",
      });
      const session = await sessionPromise;
      const byOpcode = Object.fromEntries(session.handshake.map((i) => [i.opcode, i.args]));
      assert.deepEqual(byOpcode.size, ["8192", "16", "96"]);
      assert.deepEqual(byOpcode.audio, ["audio/L16"]);
      assert.deepEqual(byOpcode.image, ["image/png"]);
      assert.equal(byOpcode.timezone, undefined, "an invalid timezone is not sent");
      assert.deepEqual(byOpcode.name, [user.name], "the lab owner's display name");
      assert.equal(session.connectValues.hostname, "127.0.0.1", "hostname comes from the lab record");
      assert.match(session.connectValues["private-key"] ?? "", /BEGIN RSA PRIVATE KEY/);
      assert.equal(session.connectValues.command, "", "args the server does not set are empty");
      assert.equal(session.connectValues["recording-path"], "");
      client.ws.close();
    });

    test("a request without Origin header (non-browser client) is accepted", async () => {
      const { ticket } = await createLearnerWithLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { origin: null });
      await client.waitFor(isTunnelUuid);
      client.ws.close();
    });

    // 4. Tickets
    test("a missing ticket closes with CLIENT_UNAUTHORIZED (769)", async () => {
      const client = openTunnel(harness.url, { width: "800", height: "600" });
      await closedWith(client, statuses.CLIENT_UNAUTHORIZED);
      assert.match(errorInstructionIn(client) ?? "", /3\.769;$/);
    });

    test("a replayed ticket closes with 769; the first use works", async () => {
      const { ticket } = await createLearnerWithLab();
      const token = await ticket();
      const first = openTunnel(harness.url, defaultQuery(token));
      await first.waitFor(isTunnelUuid);
      const replay = openTunnel(harness.url, defaultQuery(token));
      await closedWith(replay, statuses.CLIENT_UNAUTHORIZED);
      first.ws.close();
    });

    test("an expired ticket closes with 769", async () => {
      const { ticket } = await createLearnerWithLab();
      const token = await ticket();
      const tokenHash = createHash("sha256").update(token).digest("hex");
      await db().connectionTicket.update({ where: { tokenHash }, data: { expiresAt: new Date(Date.now() - 1_000) } });
      await closedWith(openTunnel(harness.url, defaultQuery(token)), statuses.CLIENT_UNAUTHORIZED);
    });

    test("two sockets racing for one ticket: exactly one connects", async () => {
      const { ticket } = await createLearnerWithLab();
      const token = await ticket();
      const clients = [openTunnel(harness.url, defaultQuery(token)), openTunnel(harness.url, defaultQuery(token))];
      const outcomes = await Promise.all(
        clients.map((client) =>
          Promise.race([
            client.waitFor(isTunnelUuid).then(() => "open"),
            client.closed.then((closed) => closed.reason),
          ]),
        ),
      );
      assert.deepEqual(outcomes.sort(), ["769", "open"]);
      for (const client of clients) client.ws.close();
    });

    test("a ticket bound to someone else's lab gets RESOURCE_NOT_FOUND (0x0204), like a missing lab", async () => {
      const owner = await createLearnerWithLab();
      const intruder = await createLearnerWithLab();
      // A ticket can only be minted by a lab's owner; forge one in the database to test the tunnel's own check.
      const token = randomBytes(32).toString("base64url");
      await db().connectionTicket.create({
        data: {
          tokenHash: createHash("sha256").update(token).digest("hex"),
          userId: intruder.user.id,
          labId: owner.labId,
          protocol: "ssh",
          expiresAt: new Date(Date.now() + 60_000),
        },
      });
      const client = openTunnel(harness.url, defaultQuery(token));
      await closedWith(client, statuses.RESOURCE_NOT_FOUND);
      assert.ok(!client.messages.join("").includes("127.0.0.1"), "nothing of the lab is shown");
    });

    test("a lab that is not ready closes with UPSTREAM_UNAVAILABLE (0x0208)", async () => {
      const { ticket } = await createLearnerWithLab({ state: "provisioning" });
      await closedWith(openTunnel(harness.url, defaultQuery(await ticket())), statuses.UPSTREAM_UNAVAILABLE);
    });

    test("a lab torn down during a session closes it with RESOURCE_CLOSED (0x0206)", async () => {
      const { ticket, labId } = await createLearnerWithLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      await client.waitFor(isTunnelUuid);
      await teardownLab({ labId });
      await closedWith(client, statuses.RESOURCE_CLOSED);
    });

    test("a lab torn down by this process while its tunnel is being authorized closes it with RESOURCE_CLOSED, not a poll later", async () => {
      // Authorization has read the lab (still ready) but not returned when the teardown lands.
      let releaseAuthorization!: () => void;
      const authorizationHeld = new Promise<void>((resolve) => (releaseAuthorization = resolve));
      let authorizationRead!: () => void;
      const labRead = new Promise<void>((resolve) => (authorizationRead = resolve));
      const services = databaseTunnelServices();
      const slow = await startTunnelHarness({
        guacd: { host: "127.0.0.1", port: guacd.port },
        // One poll only, at the endpoint's first sweep: it would close the tunnel, but only after it
        // opened, which is what the teardown heard in this process must prevent.
        labCheckIntervalMs: 600_000,
        services: {
          ...services,
          async authorize(query) {
            const grant = await services.authorize(query);
            authorizationRead();
            await authorizationHeld;
            return grant;
          },
        },
      });
      try {
        const { ticket, labId } = await createLearnerWithLab();
        const client = openTunnel(slow.url, defaultQuery(await ticket()));
        await labRead;
        await teardownLab({ labId });
        releaseAuthorization();
        await closedWith(client, statuses.RESOURCE_CLOSED);
        assert.ok(!client.messages.some((message) => internalUuid.test(message)), "the tunnel never opened");
      } finally {
        releaseAuthorization();
        await slow.close();
      }
    });

    test("a lab deleted during a session (its owner deleted elsewhere) closes it with RESOURCE_CLOSED", { timeout: 15_000 }, async () => {
      const polling = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: guacd.port }, labCheckIntervalMs: 200 });
      try {
        const { ticket, user } = await createLearnerWithLab();
        const client = openTunnel(polling.url, defaultQuery(await ticket()));
        await client.waitFor(isTunnelUuid);
        await db().user.delete({ where: { id: user.id } });
        await closedWith(client, statuses.RESOURCE_CLOSED);
      } finally {
        await polling.close();
      }
    });

    // 5. Relay
    test("the first message is the tunnel UUID; guacd's connection id never reaches the browser", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      session.send(encodeInstruction("sync", 1234));
      await client.waitFor((i) => i.opcode === "sync");
      assert.match(client.messages[0] ?? "", internalUuid);
      assert.ok(!client.messages.join("").includes("$synthetic"), "no connection id in any message");
      client.ws.close();
    });

    test("internal pings are answered by the tunnel itself and never reach guacd", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      client.send("", "ping", 424242);
      const pong = await client.waitFor((i) => i.opcode === "" && i.args[0] === "ping");
      assert.deepEqual(pong.args, ["ping", "424242"]);
      client.send("nop");
      assert.equal((await session.next()).opcode, "nop", "guacd sees the nop, not the ping");
      client.ws.close();
    });

    test("guacd -> browser: many instructions per WebSocket message, whole instructions only", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      const before = client.messages.length;
      const burst = Array.from({ length: 2_000 }, (_, i) => encodeInstruction("rect", 0, i, i, 10, 10)).join("");
      session.send(burst + encodeInstruction("sync", 99));
      await client.waitFor((i) => i.opcode === "sync" && i.args[0] === "99");
      const relayed = client.messages.slice(before);
      assert.ok(relayed.length < 50, `2,001 instructions arrived in ${relayed.length} messages`);
      for (const message of relayed) assert.ok(message.endsWith(";"), "each message ends on an instruction boundary");
      assert.ok(relayed.join("").includes(burst));
      client.ws.close();
    });

    test("a multi-byte character split across guacd's TCP writes arrives intact", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      const bytes = Buffer.from(encodeInstruction("name", "Grüße 😀 日本"));
      for (let i = 0; i < bytes.length; i++) {
        session.send(bytes.subarray(i, i + 1));
        await sleep(2);
      }
      const name = await client.waitFor((i) => i.opcode === "name");
      assert.deepEqual(name.args, ["Grüße 😀 日本"]);
      client.ws.close();
    });

    test("an instruction split across guacd's reads arrives whole in one message; a ping answered meanwhile is its own", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      const before = client.messages.length;
      // One instruction of 80 KB (ten elements at guacd's cap): its message needs a 64-bit frame length.
      const blob = encodeInstruction("blob", 1, ...Array.from({ length: 10 }, () => "QUJD".repeat(2_000)));
      session.send(encodeInstruction("sync", 1) + blob.slice(0, 2_000));
      await client.waitFor((i) => i.opcode === "sync");
      client.send("", "ping", 77);
      await client.waitFor((i) => i.opcode === "" && i.args[0] === "ping");
      await sleep(50);
      session.send(blob.slice(2_000, 50_000));
      await sleep(50);
      session.send(blob.slice(50_000) + encodeInstruction("sync", 2));
      await client.waitFor((i) => i.opcode === "sync" && i.args[0] === "2");
      const relayed = client.messages.slice(before);
      for (const message of relayed) assert.ok(new InstructionParser().push(message).length > 0 && message.endsWith(";"), "each message is whole instructions");
      assert.ok(relayed.some((message) => message.startsWith(blob)), "the blob arrived whole at the start of a message");
      assert.ok(relayed.some((message) => message === encodeInstruction("", "ping", 77)), "the pong is a message of its own");
      client.ws.close();
    });

    test("guacd's error in the same write as `ready` reaches the browser and closes the tunnel with its status", async () => {
      const refusing = await startSyntheticGuacd({ afterReady: encodeInstruction("error", "Authentication failure", 0x0209) });
      const via = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: refusing.port } });
      try {
        const { ticket, labId } = await createLearnerWithLab();
        const client = openTunnel(via.url, defaultQuery(await ticket()));
        const closed = await Promise.race([client.closed, sleep(3_000).then(() => ({ code: -1, reason: "still open after 3 s" }))]);
        assert.equal(closed.reason, String(0x0209));
        assert.match(client.messages[0] ?? "", internalUuid);
        assert.match(errorInstructionIn(client) ?? "", /Authentication failure/);
        let row;
        for (let i = 0; i < 50 && !row?.endedAt; i++) {
          row = await db().tunnelSession.findFirst({ where: { labId } });
          await sleep(50);
        }
        assert.equal(row?.closeStatus, 0x0209);
      } finally {
        await via.close();
        await refusing.stop();
      }
    });

    test("an instruction guacd began in the same write as `ready` reaches the browser whole, after the UUID", async () => {
      const eager = await startSyntheticGuacd({ afterReady: "4.sync,2.4" });
      const via = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: eager.port } });
      try {
        const sessionPromise = eager.nextSession();
        const client = openTunnel(via.url, defaultQuery(await (await createLearnerWithLab()).ticket()));
        const session = await sessionPromise;
        await client.waitFor(isTunnelUuid);
        await sleep(50);
        session.send("2;");
        assert.deepEqual((await client.waitFor((i) => i.opcode === "sync")).args, ["42"]);
        assert.match(client.messages[0] ?? "", internalUuid);
        for (const message of client.messages) assert.ok(new InstructionParser().push(message).length > 0, `whole instructions: ${message}`);
        client.ws.close();
      } finally {
        await via.close();
        await eager.stop();
      }
    });

    test("guacd garbage in the middle of an instruction: the browser never sees the half, and gets the status", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      session.send("4.rect,1.0,2.1");
      await sleep(50);
      session.send("0;garbage");
      await closedWith(client, statuses.UPSTREAM_ERROR);
      assert.ok(!client.messages.some((message) => message.includes("rect")), "the unfinished message was never delivered");
    });

    test("browser -> guacd: instructions are parsed, allowlisted and re-encoded", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      client.ws.send(encodeInstruction("key", 65307, 1) + encodeInstruction("madeup", "x") + encodeInstruction("clipboard", 1, "text/plain"));
      assert.deepEqual(await session.next(), { opcode: "key", args: ["65307", "1"] });
      assert.deepEqual(await session.next(), { opcode: "clipboard", args: ["1", "text/plain"] });
      client.ws.close();
    });

    test("browser -> guacd: a message already in canonical form is passed on byte for byte; any other is re-encoded", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      const session = await sessionPromise;
      const raw: Buffer[] = [];
      session.socket.on("data", (chunk: Buffer) => raw.push(chunk));
      await client.waitFor(isTunnelUuid);
      const canonical = encodeInstruction("mouse", 512, 384, 1) + encodeInstruction("key", 65307, 1);
      client.ws.send(canonical);
      assert.deepEqual(await session.next(), { opcode: "mouse", args: ["512", "384", "1"] });
      assert.deepEqual(await session.next(), { opcode: "key", args: ["65307", "1"] });
      client.ws.send("03.key,1.1,1.0;0.,4.ping,1.1;");
      assert.deepEqual(await session.next(), { opcode: "key", args: ["1", "0"] });
      assert.equal(Buffer.concat(raw).toString("latin1"), canonical + "3.key,1.1,1.0;", "the ping stays in the tunnel, the leading zero is gone");
      client.ws.close();
    });

    test("a browser that stops reading makes the tunnel stop reading guacd (bounded memory), then all data arrives", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      const tunnel = [...harness.endpoint.tunnels].at(-1)!;
      const rawSocket = (client.ws as unknown as { _socket: import("node:net").Socket })._socket;
      rawSocket.pause();
      const blob = encodeInstruction("blob", 1, "A".repeat(8_000));
      let written = 0;
      // Write until guacd's own socket reports backpressure: the tunnel has stopped reading it.
      while (session.socket.write(blob)) {
        written += blob.length;
        if (written > 256 * 1024 * 1024) break;
        await sleep(0);
      }
      await sleep(200);
      assert.ok(written < 64 * 1024 * 1024, `guacd was throttled after ${written} bytes`);
      assert.ok(tunnel.browserBufferedBytes <= 4 * 1024 * 1024, `tunnel buffers ${tunnel.browserBufferedBytes} bytes for the browser`);
      rawSocket.resume();
      session.send(encodeInstruction("sync", 7));
      await client.waitFor((i) => i.opcode === "sync" && i.args[0] === "7", 30_000);
      client.ws.close();
    });

    test("a silent browser is closed with CLIENT_TIMEOUT (0x0308)", async () => {
      const quick = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: guacd.port }, idleTimeoutMs: 600 });
      try {
        const { ticket } = await createLearnerWithLab();
        const client = openTunnel(quick.url, defaultQuery(await ticket()), { ping: false });
        await closedWith(client, statuses.CLIENT_TIMEOUT);
      } finally {
        await quick.close();
      }
    });

    test("a tunnel whose browser pings and whose guacd sends nops outlives the idle timeout", async () => {
      const chattyGuacd = await startSyntheticGuacd({ nopIntervalMs: 150 });
      const quick = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: chattyGuacd.port }, idleTimeoutMs: 600 });
      try {
        const { ticket } = await createLearnerWithLab();
        const client = openTunnel(quick.url, defaultQuery(await ticket()));
        await client.waitFor((i) => i.opcode === "nop");
        const outcome = await Promise.race([client.closed, sleep(2_000).then(() => "still open" as const)]);
        assert.equal(outcome, "still open", `closed after ${JSON.stringify(outcome)}`);
        client.ws.close();
      } finally {
        await quick.close();
        await chattyGuacd.stop();
      }
    });

    /**
     * Opens a tunnel, lets `stall` make the tunnel stop reading one side (backpressure), and checks
     * that it is still open three idle timeouts later. A paused client never reads a close frame, so
     * this watches the tunnel itself.
     */
    async function assertOutlivesStall(guacdOptions: SyntheticGuacdOptions, stall: (client: ReturnType<typeof openTunnel>) => Promise<void>) {
      const stalling = await startSyntheticGuacd({ nopIntervalMs: 150, ...guacdOptions });
      const quick = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: stalling.port }, idleTimeoutMs: 600 });
      let client: ReturnType<typeof openTunnel> | undefined;
      try {
        const { ticket } = await createLearnerWithLab();
        client = openTunnel(quick.url, defaultQuery(await ticket()));
        await client.waitFor(isTunnelUuid);
        await stall(client);
        const [tunnel] = quick.endpoint.tunnels;
        await sleep(2_000);
        assert.equal(tunnel?.state, "open");
      } finally {
        // First: a paused client would hold up the server's close until ws's 30 s close timeout.
        client?.ws.terminate();
        await quick.close();
        await stalling.stop();
      }
    }

    test("a browser that falls behind but keeps pinging: guacd, paused for it, is not taken for silent", { timeout: 30_000 }, async () => {
      const blob = encodeInstruction("blob", 0, "Q".repeat(8_000));
      // As fast as the tunnel reads, and no faster (this process holds the synthetic guacd's queue).
      const flood = (session: SyntheticSession) => {
        const timer = setInterval(() => {
          if (session.socket.destroyed) clearInterval(timer);
          else while (session.socket.writableLength < 1024 * 1024) session.send(blob);
        }, 5);
      };
      await assertOutlivesStall({ onSession: flood }, async (client) => {
        await client.waitFor((i) => i.opcode === "blob");
        client.ws.pause(); // its network is slow: it stops reading, and goes on pinging
      });
    });

    test("a guacd that stops reading: the pinging browser, paused for it, is not taken for silent", { timeout: 30_000 }, async () => {
      await assertOutlivesStall({ onSession: (session) => session.socket.pause() }, async (client) => {
        // About 20 MB, far more than guacd's socket holds, in batches: one long loop would keep the
        // tunnel from reading anything for longer than the idle timeout.
        const input = encodeInstruction("blob", 0, "Q".repeat(8_000)).repeat(7);
        for (let i = 0; i < 360; i++) {
          client.ws.send(input);
          if (i % 20 === 19) await setImmediate();
        }
      });
    });

    test("pings from a browser that does not read get no replies once its queue is full (memory stays bounded)", { timeout: 30_000 }, async () => {
      const { ticket } = await createLearnerWithLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      try {
        await client.waitFor(isTunnelUuid);
        client.ws.pause();
        const pings = encodeInstruction("", "ping", "9".repeat(8_000)).repeat(8);
        for (let i = 0; i < 1_000; i++) client.ws.send(pings); // replies would be about 64 MB
        await sleep(1_000);
        const [tunnel] = harness.endpoint.tunnels;
        assert.ok(tunnel, "the tunnel is still open");
        assert.ok(tunnel.browserBufferedBytes < 2 * 1024 * 1024, `${tunnel.browserBufferedBytes} bytes queued for one browser`);
      } finally {
        client.ws.terminate();
      }
    });

    test("a silent guacd is closed with UPSTREAM_TIMEOUT (0x0202)", async () => {
      const quietGuacd = await startSyntheticGuacd({ nopIntervalMs: 0 });
      const quick = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: quietGuacd.port }, idleTimeoutMs: 600 });
      try {
        const { ticket } = await createLearnerWithLab();
        const client = openTunnel(quick.url, defaultQuery(await ticket()));
        await closedWith(client, statuses.UPSTREAM_TIMEOUT);
      } finally {
        await quick.close();
        await quietGuacd.stop();
      }
    });

    // 6. Errors and statuses
    test("guacd unreachable: SERVER_ERROR (0x0200) within a second", async () => {
      const nowhere = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: 1 } });
      try {
        const { ticket } = await createLearnerWithLab();
        const token = await ticket();
        const started = Date.now();
        await closedWith(openTunnel(nowhere.url, defaultQuery(token)), statuses.SERVER_ERROR);
        assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
      } finally {
        await nowhere.close();
      }
    });

    test("guacd's own error is relayed as is and its status closes the socket", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      session.send(encodeInstruction("error", "Lab exploded", 0x0207));
      const closed = await client.closed;
      assert.equal(closed.reason, String(0x0207));
      assert.ok(client.messages.join("").includes(encodeInstruction("error", "Lab exploded", 0x0207)));
    });

    test("an error from guacd during the handshake reaches the browser with its status", async () => {
      const failing = await startSyntheticGuacd({ handshake: { error: "Upstream refused", status: 0x0208 } });
      const via = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: failing.port } });
      try {
        const { ticket } = await createLearnerWithLab();
        const client = openTunnel(via.url, defaultQuery(await ticket()));
        await closedWith(client, statuses.UPSTREAM_UNAVAILABLE);
        assert.match(errorInstructionIn(client) ?? "", /Upstream refused/);
      } finally {
        await via.close();
        await failing.stop();
      }
    });

    test("garbage from guacd closes with UPSTREAM_ERROR and the server carries on", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      session.send("12345678901234567890.garbage;");
      await closedWith(client, statuses.UPSTREAM_ERROR);
      const again = openTunnel(harness.url, defaultQuery(await (await createLearnerWithLab()).ticket()));
      await again.waitFor(isTunnelUuid);
      again.ws.close();
    });

    const browserMisbehaviour: [string, (client: ReturnType<typeof openTunnel>) => void, keyof typeof statuses][] = [
      ["malformed input", (c) => c.ws.send("4.key,5.65;"), "CLIENT_BAD_REQUEST"],
      ["a text frame that is not valid UTF-8", (c) => c.ws.send(Buffer.from("4.sync,1.\xff;", "latin1"), { binary: false }), "CLIENT_BAD_REQUEST"],
      ["a handshake opcode", (c) => c.ws.send(encodeInstruction("select", "rdp")), "CLIENT_BAD_REQUEST"],
      ["a binary frame", (c) => c.ws.send(Buffer.from("3.key,1.1,1.1;"), { binary: true }), "CLIENT_BAD_TYPE"],
      ["a frame over 64 KiB", (c) => c.ws.send(encodeInstruction("clipboard", "x".repeat(70_000))), "CLIENT_OVERRUN"],
      ["an element over 8192 codepoints", (c) => c.ws.send(encodeInstruction("blob", 1, "x".repeat(9_000))), "CLIENT_OVERRUN"],
    ];
    for (const [what, misbehave, statusName] of browserMisbehaviour) {
      test(`${what} from the browser closes with ${statusName}`, async () => {
        const { ticket } = await createLearnerWithLab();
        const client = openTunnel(harness.url, defaultQuery(await ticket()));
        await client.waitFor(isTunnelUuid);
        misbehave(client);
        await closedWith(client, statuses[statusName]);
        assert.match(errorInstructionIn(client) ?? "", new RegExp(`${statuses[statusName].code};$`));
      });
    }

    test("a message over the WebSocket layer's 1 MiB cap: ws closes with 1009, the audit row says CLIENT_OVERRUN", async () => {
      const { ticket, labId } = await createLearnerWithLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      await client.waitFor(isTunnelUuid);
      client.ws.send("x".repeat(2 * 1024 * 1024));
      assert.equal((await client.closed).code, 1009);
      let row;
      for (let i = 0; i < 50 && !row?.endedAt; i++) {
        row = await db().tunnelSession.findFirst({ where: { labId } });
        await sleep(50);
      }
      assert.equal(row?.closeStatus, statuses.CLIENT_OVERRUN.code);
    });

    test("more than 256 KiB of input before guacd is ready closes with CLIENT_OVERRUN; less waits for it", async () => {
      const slowGuacd = await startSyntheticGuacd({ handshake: "silent" });
      const via = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: slowGuacd.port } });
      try {
        const clipboard = encodeInstruction("clipboard", 0, "text/plain") + encodeInstruction("blob", 0, "Q".repeat(8_000)).repeat(7);
        const patient = openTunnel(via.url, defaultQuery(await (await createLearnerWithLab()).ticket()));
        await once(patient.ws, "open");
        for (let i = 0; i < 4; i++) patient.ws.send(clipboard);
        const flooding = openTunnel(via.url, defaultQuery(await (await createLearnerWithLab()).ticket()));
        await once(flooding.ws, "open");
        for (let i = 0; i < 5; i++) flooding.ws.send(clipboard);
        await closedWith(flooding, statuses.CLIENT_OVERRUN);
        const outcome = await Promise.race([patient.closed, sleep(300).then(() => "still waiting" as const)]);
        assert.equal(outcome, "still waiting");
        patient.ws.close();
      } finally {
        await via.close();
        await slowGuacd.stop();
      }
    });

    test("too many tunnels for one user: CLIENT_TOO_MANY (0x031D)", async () => {
      const { ticket } = await createLearnerWithLab();
      const open = [openTunnel(harness.url, defaultQuery(await ticket())), openTunnel(harness.url, defaultQuery(await ticket()))];
      for (const client of open) await client.waitFor(isTunnelUuid);
      await closedWith(openTunnel(harness.url, defaultQuery(await ticket())), statuses.CLIENT_TOO_MANY);
      for (const client of open) client.ws.close();
    });

    // 7. Audit
    test("each tunnel leaves one audit row with bytes both ways and its close status", async () => {
      const { ticket, labId, user } = await createLearnerWithLab();
      const sessionPromise = guacd.nextSession();
      const client = openTunnel(harness.url, defaultQuery(await ticket()), { ping: false });
      const session = await sessionPromise;
      await client.waitFor(isTunnelUuid);
      client.send("key", 97, 1);
      await session.next();
      session.send(encodeInstruction("error", "bye", 0x020b));
      await client.closed;
      let row;
      for (let i = 0; i < 50 && !row?.endedAt; i++) {
        row = await db().tunnelSession.findFirst({ where: { labId } });
        await sleep(50);
      }
      assert.ok(row?.endedAt, "the session row was closed");
      assert.equal(row.userId, user.id);
      assert.equal(row.protocol, "ssh");
      assert.equal(row.closeStatus, 0x020b);
      assert.ok(row.bytesToLab > 0n);
      // Everything the browser received: the tunnel's UUID and guacd's error.
      const received = client.messages.reduce((sum, message) => sum + Buffer.byteLength(message), 0);
      assert.equal(row.bytesToUser, BigInt(received));
    });

    test("a failing audit write never breaks a live tunnel", async () => {
      const { ticket } = await createLearnerWithLab();
      const sessions = db().tunnelSession as unknown as { create: (...args: unknown[]) => Promise<unknown> };
      const realCreate = sessions.create;
      sessions.create = () => Promise.reject(new Error("audit database is down"));
      try {
        const sessionPromise = guacd.nextSession();
        const client = openTunnel(harness.url, defaultQuery(await ticket()));
        const session = await sessionPromise;
        await client.waitFor(isTunnelUuid);
        session.send(encodeInstruction("sync", 5));
        await client.waitFor((i) => i.opcode === "sync");
        client.ws.close();
      } finally {
        sessions.create = realCreate;
      }
    });
  },
  ["sqlite"],
);

describeOnDatabases("tunnel tickets under a race", () => {
  let guacd: SyntheticGuacd;
  let harness: TunnelHarness;
  before(async () => {
    guacd = await startSyntheticGuacd();
    harness = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: guacd.port } });
  });
  after(async () => {
    await harness.close();
    await guacd.stop();
  });

  test("eight sockets racing for one ticket: exactly one connects, the others get 769", async () => {
    const { ticket } = await createLearnerWithLab();
    const token = await ticket();
    const clients = Array.from({ length: 8 }, () => openTunnel(harness.url, defaultQuery(token)));
    const outcomes = await Promise.all(
      clients.map((client) =>
        Promise.race([client.waitFor(isTunnelUuid).then(() => "open"), client.closed.then((c) => c.reason)]),
      ),
    );
    assert.equal(outcomes.filter((o) => o === "open").length, 1);
    assert.equal(outcomes.filter((o) => o === "769").length, 7);
    for (const client of clients) client.ws.close();
  });
}, ["postgresql"]);

describeOnDatabases(
  "tunnel logging",
  () => {
    test("tickets, keys and passwords never appear in the logs, even at debug level", async () => {
      const guacd = await startSyntheticGuacd();
      const harness = await startTunnelHarness({ guacd: { host: "127.0.0.1", port: guacd.port } });
      const captured: string[] = [];
      const realWrite = process.stdout.write.bind(process.stdout);
      const previousLevel = log.level;
      log.level = "debug";
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(String(chunk));
        return (realWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
      try {
        const { ticket, labId } = await createLearnerWithLab();
        const privateKey = (await getLabConnection({ labId, protocol: "ssh" }))!.secrets.privateKey!;
        const tokens = [await ticket(), await ticket(), await ticket()];
        const sessionPromise = guacd.nextSession();
        const good = openTunnel(harness.url, defaultQuery(tokens[0]!));
        const session = await sessionPromise;
        await good.waitFor(isTunnelUuid);
        good.ws.send("garbage");
        await good.closed;
        await openTunnel(harness.url, defaultQuery(tokens[1]!), { origin: "http://evil.example" }).refused;
        await openTunnel(harness.url, defaultQuery(tokens[0]!)).closed; // replay
        const log = captured.join("");
        assert.ok(log.includes("tunnel"), "something was logged at all");
        for (const token of tokens) assert.ok(!log.includes(token), "no ticket in the log");
        const keyBody = privateKey.split("\n")[1]!;
        assert.ok(!log.includes(keyBody), "no private key in the log");
        assert.ok(!log.includes(session.connectValues["private-key"]!.split("\n")[2]!), "no key material in the log");
      } finally {
        process.stdout.write = realWrite;
        log.level = previousLevel;
        await harness.close();
        await guacd.stop();
      }
    });
  },
  ["sqlite"],
);
