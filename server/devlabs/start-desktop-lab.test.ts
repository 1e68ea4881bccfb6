import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connectThroughGuacd, type GuacdConnection } from "./guacd-probe.ts";
import { startDesktopLab, type DesktopLabHandle } from "./start-desktop-lab.ts";
import { startGuacd, type GuacdHandle } from "./start-guacd.ts";
import { acceptsConnections } from "./wait-for-port.ts";

/** Reads until the first frame is complete (a `sync`) or guacd reports an error. */
async function firstFrameOrError(connection: GuacdConnection): Promise<string> {
  for (;;) {
    const instruction = await connection.next();
    if (instruction.opcode === "sync") return "sync";
    if (instruction.opcode === "error") return `error: ${instruction.args.join(", ")}`;
  }
}

describe("startDesktopLab", { timeout: 120_000 }, () => {
  const password = "desk-pw1";
  let guacd: GuacdHandle;
  let lab: DesktopLabHandle;

  before(async () => {
    guacd = await startGuacd();
    lab = await startDesktopLab({ vncPassword: password });
  });
  after(async () => {
    await lab?.stop();
    await guacd?.stop();
  });

  test("guacd draws the desktop over VNC with the password, and refuses a wrong one", async () => {
    const values = { hostname: lab.host, port: String(lab.vncPort) };
    const good = await connectThroughGuacd(guacd.host, guacd.port, "vnc", { ...values, password });
    try {
      assert.equal(await firstFrameOrError(good), "sync");
    } finally {
      good.close();
    }
    const bad = await connectThroughGuacd(guacd.host, guacd.port, "vnc", { ...values, password: "wrong-pw" });
    try {
      assert.match(await firstFrameOrError(bad).catch((error: Error) => `error: ${error.message}`), /^error/);
    } finally {
      bad.close();
    }
  });

  test("guacd reaches the same desktop over RDP through xrdp (security any, ignore-cert, 24-bit)", async () => {
    const connection = await connectThroughGuacd(guacd.host, guacd.port, "rdp", {
      hostname: lab.host,
      port: String(lab.rdpPort),
      username: lab.username,
      password,
      security: "any",
      "ignore-cert": "true",
      "color-depth": "24",
    });
    try {
      assert.equal(await firstFrameOrError(connection), "sync");
      // A wrong password would also draw (xrdp's own dialog): the proof is xrdp reaching Xvnc.
      for (let i = 0; i < 100 && !lab.readRdpLog().includes("VNC connection complete, connected ok"); i++) await sleep(100);
      assert.match(lab.readRdpLog(), /VNC connection complete, connected ok/);
    } finally {
      connection.close();
    }
  });

  test("rejects an RDP password that differs from the VNC password", async () => {
    await assert.rejects(startDesktopLab({ vncPassword: "one-pass", rdpPassword: "two-pass" }), /must equal vncPassword/);
  });

  test("stop() frees both ports and the display, and a second stop() is harmless", async () => {
    const extra = await startDesktopLab({ vncPassword: password });
    const display = extra.display.slice(1);
    assert.equal(existsSync(`/tmp/.X11-unix/X${display}`), true);
    await extra.stop();
    await extra.stop();
    assert.equal(await acceptsConnections("127.0.0.1", extra.vncPort), false);
    assert.equal(await acceptsConnections("127.0.0.1", extra.rdpPort), false);
    assert.equal(existsSync(`/tmp/.X11-unix/X${display}`), false);
  });
});
