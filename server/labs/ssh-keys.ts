// SSH keys for labs, with Node's crypto only. guacd 1.3 (libssh2) reads RSA keys in PEM form, so
// generated keys are RSA 3072 in PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"); the public half is written in
// OpenSSH's authorized_keys format for the provisioner to install on the lab.
import { createPrivateKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);

export type SshKeyPair = { privateKeyPem: string; publicKey: KeyObject };

/** A fresh RSA 3072 key pair; the private key as PKCS#1 PEM. */
export async function generateSshKeyPair(): Promise<SshKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", { modulusLength: 3072, publicExponent: 0x10001 });
  return { privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(), publicKey };
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** RFC 4251 mpint of a non-negative big-endian integer: no leading zeros, one 0x00 if the top bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const digits = unsigned.subarray(start);
  const needsPad = digits.length > 0 && (digits[0]! & 0x80) !== 0;
  return sshString(needsPad ? Buffer.concat([Buffer.of(0), digits]) : digits);
}

/** An RSA public key as an OpenSSH line: `ssh-rsa AAAA... comment` (RFC 4253 section 6.6 wire format). */
export function openSshPublicKey(publicKey: KeyObject, comment: string): string {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) throw new Error("only RSA public keys are supported");
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    sshMpint(Buffer.from(jwk.e, "base64url")),
    sshMpint(Buffer.from(jwk.n, "base64url")),
  ]);
  const safeComment = comment.replace(/\s+/g, "-");
  return `ssh-rsa ${blob.toString("base64")}${safeComment ? ` ${safeComment}` : ""}`;
}

export type SshPrivateKeyInfo = {
  type: "rsa" | "ec" | "ed25519";
  /** RSA modulus length or EC curve size. */
  bits: number | undefined;
  format: "pkcs1" | "pkcs8" | "sec1";
  encrypted: boolean;
};

export type SshPrivateKeyCheck =
  | ({ ok: true } & SshPrivateKeyInfo)
  | { ok: false; field: "privateKey" | "passphrase"; problem: string };

const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

/**
 * Checks that a provided private key can be used by guacd: PEM, parseable (with its passphrase when
 * encrypted), and of a type SSH uses. The problem text never quotes the key.
 */
export function inspectSshPrivateKey(options: { privateKey: string; passphrase?: string | undefined }): SshPrivateKeyCheck {
  const text = options.privateKey.trim();
  if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) {
    return {
      ok: false,
      field: "privateKey",
      problem: "is in OpenSSH format, which guacd cannot read; convert it to PEM with: ssh-keygen -p -m PEM -f KEYFILE",
    };
  }
  const headers = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]);
  if (headers.length !== 1) return { ok: false, field: "privateKey", problem: "must be exactly one PEM private key" };
  const header = headers[0];
  const format =
    header === "RSA PRIVATE KEY" ? "pkcs1" : header === "EC PRIVATE KEY" ? "sec1" : header === "PRIVATE KEY" || header === "ENCRYPTED PRIVATE KEY" ? "pkcs8" : undefined;
  if (!format) return { ok: false, field: "privateKey", problem: "must be a PEM private key (RSA, EC or PKCS#8)" };
  const encrypted = header === "ENCRYPTED PRIVATE KEY" || /^Proc-Type:\s*4,ENCRYPTED/m.test(text);
  if (encrypted && !options.passphrase) return { ok: false, field: "passphrase", problem: "is required: the private key is encrypted" };
  if (!encrypted && options.passphrase) return { ok: false, field: "passphrase", problem: "was given, but the private key is not encrypted" };

  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem", ...(encrypted ? { passphrase: options.passphrase } : {}) });
  } catch {
    return encrypted
      ? { ok: false, field: "passphrase", problem: "does not decrypt the private key" }
      : { ok: false, field: "privateKey", problem: "could not be read as a private key" };
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && type !== "ec" && type !== "ed25519") {
    return { ok: false, field: "privateKey", problem: `is a ${type ?? "unknown"} key; SSH labs need RSA, ECDSA or Ed25519` };
  }
  const details = key.asymmetricKeyDetails;
  const bits = type === "rsa" ? details?.modulusLength : type === "ec" ? curveBits[details?.namedCurve ?? ""] : 256;
  return { ok: true, type, bits, format, encrypted };
}
