import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { selectProtocol } from "./guacd-probe.ts";
import { ensureGuacd, startGuacd } from "./start-guacd.ts";
import { acceptsConnections } from "./wait-for-port.ts";

describe("startGuacd", { timeout: 60_000 }, () => {
  test("starts a guacd on loopback that answers select,ssh with its arg names", async () => {
    const guacd = await startGuacd();
    try {
      assert.equal(guacd.host, "127.0.0.1");
      assert.equal(guacd.started, true);
      const connection = await selectProtocol(guacd.host, guacd.port, "ssh");
      connection.close();
      assert.match(connection.version, /^VERSION_\d+_\d+_\d+$/);
      for (const name of ["hostname", "port", "username", "private-key"]) assert.ok(connection.argNames.includes(name), name);
    } finally {
      await guacd.stop();
    }
  });

  test("stop() frees the port, and a second stop() is harmless", async () => {
    const guacd = await startGuacd();
    assert.equal(await acceptsConnections("127.0.0.1", guacd.port), true);
    await guacd.stop();
    await guacd.stop();
    assert.equal(await acceptsConnections("127.0.0.1", guacd.port), false);
  });

  test("a fixed port that is taken fails at once instead of mistaking the holder for guacd", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await assert.rejects(startGuacd({ port }), /127\.0\.0\.1:\d+ is already in use/);
    } finally {
      blocker.close();
    }
  });
});

describe("ensureGuacd", { timeout: 60_000 }, () => {
  test("uses GUACD_HOST as given, starting nothing", async () => {
    const guacd = await ensureGuacd({ GUACD_HOST: "guacd.internal", GUACD_PORT: "4823" });
    assert.deepEqual({ host: guacd.host, port: guacd.port, started: guacd.started }, { host: "guacd.internal", port: 4823, started: false });
  });

  test("uses a guacd already listening on GUACD_PORT and leaves it running on stop()", async () => {
    const running = await startGuacd();
    try {
      const guacd = await ensureGuacd({ GUACD_PORT: String(running.port) });
      assert.equal(guacd.started, false);
      await guacd.stop();
      assert.equal(await acceptsConnections("127.0.0.1", running.port), true);
    } finally {
      await running.stop();
    }
  });

  test("refuses a port held by something that is not guacd", async () => {
    const impostor = createServer((socket) => {
      socket.on("error", () => {});
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    await new Promise<void>((resolve) => impostor.listen(0, "127.0.0.1", resolve));
    const address = impostor.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await assert.rejects(ensureGuacd({ GUACD_PORT: String(port) }), /not a working guacd/);
    } finally {
      impostor.close();
    }
  });
});
