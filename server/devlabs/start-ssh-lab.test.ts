import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { connectThroughGuacd } from "./guacd-probe.ts";
import { startGuacd, type GuacdHandle } from "./start-guacd.ts";
import { startSshLab, type SshLabHandle } from "./start-ssh-lab.ts";
import { acceptsConnections } from "./wait-for-port.ts";

const run = promisify(execFile);

type KeyPair = { privateKeyFile: string; privateKey: string; publicKey: string };

/** The kind of key the app hands guacd 1.3: RSA in PEM form. */
function generateKey(dir: string, name: string): KeyPair {
  const privateKeyFile = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-C", name, "-f", privateKeyFile]);
  return { privateKeyFile, privateKey: readFileSync(privateKeyFile, "utf8"), publicKey: readFileSync(`${privateKeyFile}.pub`, "utf8") };
}

function ssh(lab: SshLabHandle, key: KeyPair, command: string) {
  return run("ssh", [
    "-i", key.privateKeyFile,
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes",
    "-o", "LogLevel=ERROR",
    "-p", String(lab.port),
    `${lab.username}@${lab.host}`,
    command,
  ], { timeout: 20_000 });
}

describe("startSshLab", { timeout: 120_000 }, () => {
  let keyDir: string;
  let key: KeyPair;
  let otherKey: KeyPair;
  let lab: SshLabHandle;

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), "labdeck-keys-"));
    key = generateKey(keyDir, "learner");
    otherKey = generateKey(keyDir, "stranger");
    lab = await startSshLab({ authorizedKey: key.publicKey });
  });

  after(async () => {
    await lab?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test("accepts the authorized key: a real ssh client runs a command as the lab user", async () => {
    const { stdout } = await ssh(lab, key, "echo ok; id -un; pwd");
    assert.deepEqual(stdout.trim().split("\n"), ["ok", lab.username, lab.homeDir]);
    assert.equal(lab.host, "127.0.0.1");
  });

  test("refuses any other key", async () => {
    await assert.rejects(ssh(lab, otherKey, "true"), /Permission denied/);
  });

  test("updateAuthorizedKey() swaps the one key it accepts", async () => {
    lab.updateAuthorizedKey(otherKey.publicKey);
    try {
      assert.equal((await ssh(lab, otherKey, "echo swapped")).stdout.trim(), "swapped");
      await assert.rejects(ssh(lab, key, "true"), /Permission denied/);
    } finally {
      lab.updateAuthorizedKey(key.publicKey);
    }
  });

  test("rejects something that is not one public key line", async () => {
    assert.throws(() => lab.updateAuthorizedKey(`${key.publicKey}\n${otherKey.publicKey}`), /one OpenSSH public key line/);
    assert.throws(() => lab.updateAuthorizedKey(`command="sh" ${key.publicKey}`), /one OpenSSH public key line/);
  });

  test("guacd logs in with the PEM RSA key (SHA-1 ssh-rsa signatures) and runs the session", async (t) => {
    const guacd: GuacdHandle = await startGuacd();
    t.after(() => guacd.stop());
    const marker = join(lab.homeDir, `.labdeck-guacd-probe-${process.pid}`);
    t.after(() => rmSync(marker, { force: true }));
    const connection = await connectThroughGuacd(guacd.host, guacd.port, "ssh", {
      hostname: lab.host,
      port: String(lab.port),
      username: lab.username,
      "private-key": key.privateKey,
      command: `echo through-guacd > ${marker}`,
    });
    try {
      const deadline = Date.now() + 15_000;
      while (!existsSync(marker) && Date.now() < deadline) {
        const instruction = await connection.next();
        assert.notEqual(instruction.opcode, "error", `guacd: ${instruction.args.join(", ")}`);
      }
      assert.equal(readFileSync(marker, "utf8").trim(), "through-guacd");
      assert.match(lab.readLog(), new RegExp(`Accepted publickey for ${lab.username} from 127\\.0\\.0\\.1`));
    } finally {
      connection.close();
    }
  });

  test("guacd verifies the lab against its hostKey, and refuses a lab whose key differs", async (t) => {
    const guacd: GuacdHandle = await startGuacd();
    t.after(() => guacd.stop());
    const values = { hostname: lab.host, port: String(lab.port), username: lab.username, "private-key": key.privateKey };
    const firstFrame = async (hostKey: string) => {
      const connection = await connectThroughGuacd(guacd.host, guacd.port, "ssh", { ...values, "host-key": hostKey });
      try {
        for (;;) {
          const instruction = await connection.next();
          if (instruction.opcode === "error" || instruction.opcode === "sync") return instruction.opcode;
        }
      } finally {
        connection.close();
      }
    };
    assert.match(lab.hostKey, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${lab.port} ssh-rsa AAAA`));
    assert.equal(await firstFrame(lab.hostKey), "sync");
    const other = await startSshLab({ authorizedKey: key.publicKey });
    t.after(() => other.stop());
    assert.equal(await firstFrame(other.hostKey.replace(`:${other.port} `, `:${lab.port} `)), "error");
  });

  test("without a key at start it accepts none until updateAuthorizedKey()", async (t) => {
    const late = await startSshLab({});
    t.after(() => late.stop());
    await assert.rejects(ssh(late, key, "true"), /Permission denied/);
    late.updateAuthorizedKey(key.publicKey);
    assert.equal((await ssh(late, key, "echo late")).stdout.trim(), "late");
  });

  test("stop() frees the port, removes its files, and a second stop() is harmless", async () => {
    const extra = await startSshLab({ authorizedKey: key.publicKey });
    assert.equal(await acceptsConnections("127.0.0.1", extra.port), true);
    await extra.stop();
    await extra.stop();
    assert.equal(await acceptsConnections("127.0.0.1", extra.port), false);
    assert.equal(extra.readLog(), "", "its temp dir, log included, is gone");
  });
});
