import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync, createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { generateSshKeyPair, inspectSshPrivateKey, openSshPublicKey } from "./ssh-keys.ts";

const hasSshKeygen = spawnSync("ssh-keygen", ["-?"]).error === undefined;
const dir = mkdtempSync(join(tmpdir(), "labdeck-ssh-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeKey(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

describe("generateSshKeyPair and openSshPublicKey", () => {
  test("an RSA 3072 key in PKCS#1 PEM, the form guacd 1.3 reads", async () => {
    const { privateKeyPem } = await generateSshKeyPair();
    assert.match(privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(privateKeyPem, /-----END RSA PRIVATE KEY-----\n$/);
    const info = inspectSshPrivateKey({ privateKey: privateKeyPem });
    assert.deepEqual(info, { ok: true, type: "rsa", bits: 3072, format: "pkcs1", encrypted: false });
  });

  test("the public key line is `ssh-rsa <wire format> comment` with e and n as mpints", async () => {
    const { publicKey } = await generateSshKeyPair();
    const line = openSshPublicKey(publicKey, "labdeck-lab123");
    const [type, blobText, comment, ...rest] = line.split(" ");
    assert.equal(type, "ssh-rsa");
    assert.equal(comment, "labdeck-lab123");
    assert.deepEqual(rest, []);
    const blob = Buffer.from(blobText!, "base64");
    let offset = 0;
    const read = () => {
      const length = blob.readUInt32BE(offset);
      const value = blob.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      return value;
    };
    assert.equal(read().toString(), "ssh-rsa");
    assert.deepEqual(read(), Buffer.from([0x01, 0x00, 0x01]));
    const n = read();
    // The modulus' top bit is set, so the mpint carries one leading zero byte.
    assert.equal(n.length, 3072 / 8 + 1);
    assert.equal(n[0], 0);
    assert.equal(offset, blob.length);
    assert.deepEqual(n.subarray(1), Buffer.from(publicKey.export({ format: "jwk" }).n!, "base64url"));
  });

  test("ssh-keygen derives the same public key from the private key", { skip: !hasSshKeygen && "ssh-keygen is not installed" }, async () => {
    const { privateKeyPem, publicKey } = await generateSshKeyPair();
    const keyFile = writeKey("generated", privateKeyPem);
    const derived = execFileSync("ssh-keygen", ["-y", "-f", keyFile], { encoding: "utf8" }).trim();
    const ours = openSshPublicKey(publicKey, "labdeck-x");
    assert.equal(ours.split(" ").slice(0, 2).join(" "), derived.split(" ").slice(0, 2).join(" "));
    const pubFile = writeKey("generated.pub", `${ours}\n`);
    assert.match(execFileSync("ssh-keygen", ["-l", "-f", pubFile], { encoding: "utf8" }), /^3072 SHA256:\S+ labdeck-x \(RSA\)/);
  });

  test("comments cannot add fields", async () => {
    const { publicKey } = await generateSshKeyPair();
    assert.equal(openSshPublicKey(publicKey, "two words\nthree").split(" ").length, 3);
  });
});

describe("inspectSshPrivateKey", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ed = generateKeyPairSync("ed25519");

  test("reports type, size, format and encryption of usable keys", () => {
    const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    assert.deepEqual(inspectSshPrivateKey({ privateKey: pkcs8 }), { ok: true, type: "rsa", bits: 2048, format: "pkcs8", encrypted: false });
    const sec1 = ec.privateKey.export({ type: "sec1", format: "pem" }).toString();
    assert.deepEqual(inspectSshPrivateKey({ privateKey: sec1 }), { ok: true, type: "ec", bits: 256, format: "sec1", encrypted: false });
    const edPem = ed.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    assert.deepEqual(inspectSshPrivateKey({ privateKey: edPem }), { ok: true, type: "ed25519", bits: 256, format: "pkcs8", encrypted: false });
  });

  test("encrypted keys need their passphrase, and only the right one", () => {
    const legacy = rsa.privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "s3cret-phrase" }).toString();
    const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "s3cret-phrase" }).toString();
    for (const key of [legacy, pkcs8]) {
      assert.deepEqual(
        { ...inspectSshPrivateKey({ privateKey: key, passphrase: "s3cret-phrase" }), format: "x" },
        { ok: true, type: "rsa", bits: 2048, format: "x", encrypted: true },
      );
      assert.deepEqual(inspectSshPrivateKey({ privateKey: key }), { ok: false, field: "passphrase", problem: "is required: the private key is encrypted" });
      assert.deepEqual(inspectSshPrivateKey({ privateKey: key, passphrase: "wrong" }), {
        ok: false,
        field: "passphrase",
        problem: "does not decrypt the private key",
      });
    }
    const plain = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    assert.equal(inspectSshPrivateKey({ privateKey: plain, passphrase: "x" }).ok, false);
  });

  test("refuses OpenSSH-format keys with the command that converts them", () => {
    const result = inspectSshPrivateKey({ privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n" });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.problem : "", /ssh-keygen -p -m PEM/);
  });

  test("refuses garbage, public keys, several keys and key types SSH does not use, without quoting them", () => {
    const plain = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const broken = plain.replace(/\n(.{10})/, "\nAAAAAAAAAA");
    const dsa = generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const x25519 = generateKeyPairSync("x25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const publicPem = createPublicKey(rsa.privateKey).export({ type: "spki", format: "pem" }).toString();
    for (const key of ["not a key", broken, dsa, x25519, publicPem, plain + plain]) {
      const result = inspectSshPrivateKey({ privateKey: key });
      assert.equal(result.ok, false, key.slice(0, 40));
      if (!result.ok) {
        assert.equal(result.field, "privateKey");
        assert.ok(!result.problem.includes(key.split("\n")[1] ?? key));
      }
    }
  });
});
