// The tunnel end to end against a real guacd and a real OpenSSH lab on loopback: the handshake,
// a command typed through the tunnel runs on the lab, and the lab's output comes back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startGuacd, type GuacdHandle } from "../devlabs/start-guacd.ts";
import { startSshLab, type SshLabHandle } from "../devlabs/start-ssh-lab.ts";
import type { Instruction } from "../guacamole/instruction.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { createLearnerWithLab, defaultQuery, isTunnelUuid, openTunnel, startTunnelHarness, type TunnelHarness } from "../testing/tunnel-harness.ts";

const enterKeysym = 0xff0d;

/** Types text as guacamole-common-js would: a press and a release per character (ASCII keysym = code). */
function typeText(client: ReturnType<typeof openTunnel>, text: string): void {
  for (const char of text) {
    const keysym = char === "\n" ? enterKeysym : char.codePointAt(0)!;
    client.send("key", keysym, 1);
    client.send("key", keysym, 0);
  }
}

const isDrawing = (i: Instruction) => i.opcode === "blob" || i.opcode === "img" || i.opcode === "png";

describeOnDatabases(
  "tunnel with a real guacd and a real sshd lab",
  () => {
    let guacd: GuacdHandle;
    let lab: SshLabHandle;
    let harness: TunnelHarness;
    let keyDir: string;
    let privateKey: string;

    before(async () => {
      keyDir = mkdtempSync(join(tmpdir(), "labdeck-key-"));
      // The format every guacd from 1.3 on reads.
      execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-C", "tunnel-test", "-f", join(keyDir, "id_rsa")]);
      privateKey = readFileSync(join(keyDir, "id_rsa"), "utf8");
      guacd = await startGuacd();
      lab = await startSshLab({ authorizedKey: readFileSync(join(keyDir, "id_rsa.pub"), "utf8").trim() });
      harness = await startTunnelHarness({ guacd: { host: guacd.host, port: guacd.port } });
    });
    after(async () => {
      await harness?.close();
      await lab?.stop();
      await guacd?.stop();
      rmSync(keyDir, { recursive: true, force: true });
    });

    test("a command typed through the tunnel runs on the lab, and its output is drawn back", async () => {
      const { ticket } = await createLearnerWithLab({ labHost: lab.host, labPort: lab.port, username: lab.username, privateKey });
      const client = openTunnel(harness.url, defaultQuery(await ticket()));
      await client.waitFor(isTunnelUuid, 15_000);
      // The prompt is drawn once the SSH session is up.
      await client.waitFor(isDrawing, 20_000);
      await sleep(500);

      const marker = `labdeck-${randomBytes(6).toString("hex")}`;
      const drawnBefore = client.messages.join("").split("4.blob,").length;
      typeText(client, `echo ${marker} > ${marker}.txt\n`);

      const file = join(lab.homeDir, `${marker}.txt`);
      let content = "";
      for (let i = 0; i < 100 && !content; i++) {
        await sleep(100);
        try {
          content = readFileSync(file, "utf8");
        } catch {
          // Not written yet.
        }
      }
      rmSync(file, { force: true });
      assert.equal(content, `${marker}\n`, "the lab ran the command");
      const drawnAfter = client.messages.join("").split("4.blob,").length;
      assert.ok(drawnAfter > drawnBefore, "the lab's output came back as drawing instructions");
      assert.doesNotMatch(client.messages.join(""), /\$[0-9a-f]{8}-[0-9a-f]{4}-/, "guacd's connection id never reaches the browser");
      client.ws.close();
    });
  },
  ["sqlite"],
);
