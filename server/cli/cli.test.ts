// The labdeck command, run as a separate process against a temporary SQLite database, as an
// operator would run it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { verifyPassword } from "../auth/password.ts";
import { closeDb, type Db } from "../db/index.ts";
import { openDatabase } from "../db/open.ts";
import { getLabConnection } from "../labs/get-lab-connection.ts";
import { createTestTemplate } from "../labs/test-fixtures.ts";
import { projectRoot } from "../project-root.ts";
import { consumeTicket } from "../tickets/consume-ticket.ts";

const launcher = join(projectRoot, "bin", "labdeck.mjs");
const dir = mkdtempSync(join(tmpdir(), "labdeck-cli-"));
const dbFile = join(dir, "labdeck.db");
const secrets = {
  AUTH_SECRET: randomBytes(32).toString("base64"),
  LABDECK_API_TOKEN: randomBytes(32).toString("base64url"),
  LABDECK_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};
// The test process decrypts with the same key as the CLI processes.
Object.assign(process.env, secrets);
const baseEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? dir,
  DATABASE_URL: `file:${dbFile}`,
  // Keeps a developer's data/.env out of the test.
  LABDECK_ENV_FILE: join(dir, "no-such.env"),
  ...secrets,
};

type Run = { code: number; stdout: string; stderr: string; lines: string[] };

function labdeck(args: string[], env: Record<string, string> = baseEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [launcher, ...args], { env: env as NodeJS.ProcessEnv, cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, lines: stdout.split("\n").filter(Boolean) });
    });
  });
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function assertCleanFailure(run: Run, pattern: RegExp): void {
  assert.notEqual(run.code, 0, `expected failure, got: ${run.stdout}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace for an expected error");
}

describe("labdeck CLI", { concurrency: false }, () => {
  let db: Db;
  before(async () => {
    db = await openDatabase(`file:${dbFile}`);
    await createTestTemplate(db, "linux-shell");
  });
  after(async () => {
    await closeDb();
    rmSync(dir, { recursive: true, force: true });
  });

  test("--help works on every command without a database or secrets", async () => {
    const commands = [[], ["user"], ["user", "add"], ["lab"], ["lab", "register"], ["lab", "list"], ["lab", "show"], ["lab", "ready"], ["lab", "stop"], ["lab", "teardown"], ["ticket"]];
    const bare = { PATH: baseEnv.PATH, LABDECK_ENV_FILE: baseEnv.LABDECK_ENV_FILE };
    const runs: Run[] = [];
    // A few at a time: each is a Node process compiling TypeScript.
    for (let start = 0; start < commands.length; start += 3) {
      runs.push(...(await Promise.all(commands.slice(start, start + 3).map((command) => labdeck([...command, "--help"], bare)))));
    }
    runs.forEach((run, index) => {
      assert.equal(run.code, 0, commands[index]!.join(" "));
      assert.match(run.stdout, new RegExp(`^Usage: labdeck${commands[index]!.map((word) => ` ${word}`).join("")}`));
    });
    assert.match(runs[4]!.stdout, /--generate-ssh-key/);
  });

  test("user add: lowercased email, id last; --password-file drops the trailing newline", async () => {
    const plain = await labdeck(["user", "add", "Learner@Example.org", "--name", "Lee Learner"]);
    assert.equal(plain.code, 0, plain.stderr);
    const user = await db.user.findUniqueOrThrow({ where: { email: "learner@example.org" } });
    assert.equal(plain.lines.at(-1), user.id);
    assert.equal(user.name, "Lee Learner");
    assert.equal(user.passwordHash, null);

    const withPassword = await labdeck(["user", "add", "teacher@example.org", "--role", "instructor", "--password-file", file("pw", "hunter2-hunter2\n")]);
    assert.equal(withPassword.code, 0, withPassword.stderr);
    const teacher = await db.user.findUniqueOrThrow({ where: { email: "teacher@example.org" } });
    assert.equal(teacher.role, "instructor");
    assert.equal(await verifyPassword("hunter2-hunter2", teacher.passwordHash!), true);

    assertCleanFailure(await labdeck(["user", "add", "learner@example.org"]), /already exists/);
    assertCleanFailure(await labdeck(["user", "add", "x@example.org", "--password-file", join(dir, "missing")]), /--password-file .*no such file/);
    assertCleanFailure(await labdeck(["user", "add", "x@example.org", "--role", "root"]), /root/);
  });

  let labId = "";

  test("lab register --generate-ssh-key --ready: the labelled public key, then the id as the last line", async () => {
    const run = await labdeck(["lab", "register", "--owner", "learner@example.org", "--host", "10.3.0.7", "--ssh-user", "learner", "--generate-ssh-key", "--ready"]);
    assert.equal(run.code, 0, run.stderr);
    labId = run.lines.at(-1)!;
    const lab = await db.lab.findUniqueOrThrow({ where: { id: labId }, include: { endpoints: true } });
    assert.equal(lab.state, "ready");
    assert.deepEqual(lab.endpoints.map((e) => [e.protocol, e.port, e.username]), [["ssh", 22, "learner"]]);
    const keyLine = run.lines.find((line) => line.startsWith("ssh-public-key: "));
    assert.match(keyLine ?? "", new RegExp(`^ssh-public-key: ssh-rsa AAAA\\S+ labdeck-${labId}$`));
    assert.ok(run.lines.indexOf(keyLine!) < run.lines.length - 1);
  });

  test("ticket --count 3 prints three distinct working tickets and nothing else", async () => {
    const run = await labdeck(["ticket", labId, "--user", "LEARNER@example.org", "--count", "3"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split("\n").length, 4, "three lines and the final newline");
    assert.equal(run.lines.length, 3);
    assert.equal(new Set(run.lines).size, 3);
    for (const token of run.lines) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await consumeTicket({ token: run.lines[0]! }), { userId: (await db.user.findUniqueOrThrow({ where: { email: "learner@example.org" } })).id, labId, protocol: "ssh" });
    assertCleanFailure(await labdeck(["ticket", labId, "--user", "teacher@example.org"]), /No lab/);
    assertCleanFailure(await labdeck(["ticket", labId, "--user", "nobody@example.org"]), /nobody@example\.org/);
    assertCleanFailure(await labdeck(["ticket", labId, "--user", "learner@example.org", "--protocol", "rdp"]), /no rdp endpoint/);
  });

  test("lab list, show, ready and stop", async () => {
    const list = await labdeck(["lab", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.lines[0]!, /^ID\s+OWNER\s+TEMPLATE\s+STATE\s+HOST\s+PROTOCOLS$/);
    assert.match(list.stdout, new RegExp(`${labId}\\s+learner@example\\.org\\s+linux-shell\\s+ready\\s+10\\.3\\.0\\.7\\s+ssh:22`));
    const show = await labdeck(["lab", "show", labId]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /state:\s+ready/);
    assert.match(show.stdout, /ssh:\s+port 22, user learner, credentials stored/);
    assert.doesNotMatch(show.stdout, /PRIVATE KEY/);
    assert.equal((await labdeck(["lab", "stop", labId])).code, 0);
    assert.equal((await db.lab.findUniqueOrThrow({ where: { id: labId } })).state, "stopped");
    assert.equal((await labdeck(["lab", "ready", labId])).code, 0);
    assert.equal((await db.lab.findUniqueOrThrow({ where: { id: labId } })).state, "ready");
    assertCleanFailure(await labdeck(["lab", "show", "no-such-lab"]), /No lab no-such-lab/);
  });

  test("secrets are encrypted at rest: the database files hold neither the keys nor the RDP password", async () => {
    const providedKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const rdpPassword = `rdp-${randomBytes(8).toString("hex")}`;
    const run = await labdeck([
      "lab", "register", "--owner", "learner@example.org", "--host", "lab.example.edu",
      "--ssh-user", "learner", "--ssh-key-file", file("key.pem", providedKey),
      "--rdp-port", "3390", "--rdp-user", "learner", "--rdp-password-file", file("rdp.txt", `${rdpPassword}\n`),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const providedLab = run.lines.at(-1)!;
    const rdp = await getLabConnection({ labId: providedLab, protocol: "rdp" });
    assert.equal(rdp?.secrets.password, rdpPassword, "stored without the file's newline");
    const generated = await getLabConnection({ labId, protocol: "ssh" });
    assert.match(generated?.secrets.privateKey ?? "", /^-----BEGIN RSA PRIVATE KEY-----/);

    const bytes = Buffer.concat(readdirSync(dir).filter((name) => name.startsWith("labdeck.db")).map((name) => readFileSync(join(dir, name))));
    const keyLines = (pem: string) => pem.split("\n").filter((line) => line.length === 64);
    for (const needle of [rdpPassword, ...keyLines(providedKey).slice(0, 3), ...keyLines(generated!.secrets.privateKey!).slice(0, 3)]) {
      assert.equal(bytes.includes(Buffer.from(needle)), false, "a secret is stored in clear text");
    }
    // The check can see what is stored in clear text.
    assert.equal(bytes.includes(Buffer.from("lab.example.edu")), true);
  });

  test("teardown deletes the credentials; tickets are then refused with a clear message", async () => {
    const run = await labdeck(["lab", "teardown", labId]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await db.labCredential.count({ where: { labId } }), 0);
    assert.equal((await db.lab.findUniqueOrThrow({ where: { id: labId } })).state, "torn_down");
    assert.equal((await labdeck(["lab", "teardown", labId])).code, 0, "teardown is idempotent");
    const ticket = await labdeck(["ticket", labId, "--user", "learner@example.org"]);
    assertCleanFailure(ticket, /torn down/);
    assert.equal(ticket.stdout, "");
  });

  test("an unknown owner fails, naming the owner; bad options name the option", async () => {
    const run = await labdeck(["lab", "register", "--owner", "ghost@example.org", "--host", "h", "--vnc-password-file", file("vnc", "pw")]);
    assertCleanFailure(run, /ghost@example\.org/);
    assert.match(run.stderr, /--owner/);
    assert.equal(run.stdout, "");
    const noUser = await labdeck(["lab", "register", "--owner", "learner@example.org", "--host", "h", "--generate-ssh-key"]);
    assertCleanFailure(noUser, /--ssh-user: is required/);
    const noProtocol = await labdeck(["lab", "register", "--owner", "learner@example.org", "--host", "h"]);
    assertCleanFailure(noProtocol, /at least one of ssh, rdp, vnc/);
    assertCleanFailure(await labdeck(["lab", "register", "--owner", "learner@example.org", "--host", "h", "--ssh-port", "99999"]), /--ssh-port/);
    assertCleanFailure(await labdeck(["lab", "register", "--host", "h"]), /--owner/);
  });

  test("missing configuration is reported by variable name", async () => {
    const { LABDECK_ENCRYPTION_KEY: _key, ...withoutKey } = baseEnv;
    assertCleanFailure(await labdeck(["lab", "list"], withoutKey), /LABDECK_ENCRYPTION_KEY/);
  });

  test("the env file fills unset variables and never overrides set ones", async () => {
    const elsewhere = join(dir, "elsewhere.db");
    const envFile = file(
      "labdeck.env",
      [
        "# written by the demo",
        `DATABASE_URL=file:${elsewhere}`,
        `AUTH_SECRET="${secrets.AUTH_SECRET}"`,
        `export LABDECK_API_TOKEN=${secrets.LABDECK_API_TOKEN}`,
        `LABDECK_ENCRYPTION_KEY='${secrets.LABDECK_ENCRYPTION_KEY}'`,
        "",
      ].join("\n"),
    );
    const run = await labdeck(["user", "add", "from-env-file@example.org"], { PATH: baseEnv.PATH, DATABASE_URL: baseEnv.DATABASE_URL, LABDECK_ENV_FILE: envFile });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await db.user.count({ where: { email: "from-env-file@example.org" } }), 1, "DATABASE_URL from the environment won");
    assert.equal(readdirSync(dir).includes("elsewhere.db"), false);
  });
});
