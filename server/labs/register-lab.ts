// Registers a lab the provisioning system has started: the lab, its endpoints and its encrypted
// credentials are written in one transaction, so a failure leaves nothing behind.
import { z } from "zod";
import type { CredentialKind } from "../db/generated/sqlite/enums.ts";
import { sealSecret } from "../crypto/secret-box.ts";
import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { emailSchema } from "../users/email.ts";
import { credentialContext } from "./credential-context.ts";
import { labViewSelect, toLabView, type LabView } from "./lab-view.ts";
import { generateSshKeyPair, inspectSshPrivateKey, openSshPublicKey, type SshKeyPair } from "./ssh-keys.ts";
import { hostSchema, parseInput, portSchema, secretText } from "./validation.ts";

export type RegisterLabOptions = {
  ownerEmail: string;
  templateSlug: string;
  host: string;
  ssh?: {
    port: number;
    username: string;
    /** A PEM private key; or generateKey: true for a new RSA 3072 key whose public half is returned. */
    privateKey?: string | undefined;
    generateKey?: true | undefined;
    passphrase?: string | undefined;
    /** The lab's host key as guacd's `host-key` takes it (a known_hosts entry), to verify the lab. */
    hostKey?: string | undefined;
  } | undefined;
  rdp?: { port: number; username: string; password: string } | undefined;
  vnc?: { port: number; password: string } | undefined;
  expiresAt?: Date | string | undefined;
  /** "ready" when the lab is already reachable; registration always carries all credentials. */
  state?: "provisioning" | "ready" | undefined;
};

export type RegisterLabResult = {
  lab: LabView;
  /** With ssh.generateKey: the OpenSSH public key to install on the lab (`ssh-rsa AAAA... labdeck-<labId>`). */
  sshPublicKey?: string;
};

const oneLine = (max: number) =>
  z
    .string()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]+$/, "must be one line without control characters");

const sshInput = z
  .strictObject({
    port: portSchema,
    username: oneLine(256),
    privateKey: secretText(16_384).optional(),
    generateKey: z.literal(true, "must be true when given").optional(),
    passphrase: secretText(1024).optional(),
    hostKey: oneLine(16_384).optional(),
  })
  .superRefine((ssh, ctx) => {
    if (ssh.privateKey === undefined && ssh.generateKey === undefined) {
      ctx.addIssue({ code: "custom", path: ["privateKey"], message: "is required unless generateKey is true" });
    }
    if (ssh.privateKey !== undefined && ssh.generateKey !== undefined) {
      ctx.addIssue({ code: "custom", path: ["generateKey"], message: "cannot be combined with privateKey" });
    }
    if (ssh.passphrase !== undefined && ssh.privateKey === undefined) {
      ctx.addIssue({ code: "custom", path: ["passphrase"], message: "is only for a provided privateKey" });
    }
  });

const input = z
  .strictObject({
    ownerEmail: emailSchema,
    templateSlug: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    host: hostSchema,
    ssh: sshInput.optional(),
    rdp: z.strictObject({ port: portSchema, username: oneLine(256), password: secretText(1024) }).optional(),
    vnc: z.strictObject({ port: portSchema, password: secretText(1024) }).optional(),
    expiresAt: z
      .union([z.date(), z.iso.datetime({ offset: true }).transform((text) => new Date(text))], {
        error: "must be an ISO 8601 date-time with a time zone",
      })
      .refine((date) => date.getTime() > Date.now(), "must be in the future")
      .optional(),
    state: z.enum(["provisioning", "ready"]).default("provisioning"),
  })
  .refine((lab) => lab.ssh || lab.rdp || lab.vnc, { message: "must include at least one of ssh, rdp, vnc", path: ["protocols"] });

/**
 * Registers a lab for `ownerEmail` from template `templateSlug`. Unknown owner or template is
 * AppError("invalid_input") naming the field; so is an unreadable SSH key or wrong passphrase.
 */
export async function registerLab(options: RegisterLabOptions): Promise<RegisterLabResult> {
  const lab = parseInput(input, options, "Invalid lab");

  if (lab.ssh?.privateKey !== undefined) {
    const check = inspectSshPrivateKey({ privateKey: lab.ssh.privateKey, passphrase: lab.ssh.passphrase });
    if (!check.ok) {
      throw new AppError("invalid_input", `Invalid lab: ssh.${check.field} ${check.problem}`, { [`ssh.${check.field}`]: check.problem });
    }
  }
  // Before the transaction: RSA generation takes a while and must not hold the database.
  const keyPair: SshKeyPair | undefined = lab.ssh?.generateKey ? await generateSshKeyPair() : undefined;

  return db().$transaction(async (tx) => {
    const owner = await tx.user.findUnique({ where: { email: lab.ownerEmail }, select: { id: true } });
    if (!owner) throw new AppError("invalid_input", `No user with email ${lab.ownerEmail}.`, { ownerEmail: "is not a known user" });
    const template = await tx.labTemplate.findUnique({ where: { slug: lab.templateSlug }, select: { id: true } });
    if (!template) {
      throw new AppError("invalid_input", `No lab template "${lab.templateSlug}".`, { templateSlug: "is not a known lab template" });
    }

    const endpoints = [
      lab.ssh && { protocol: "ssh" as const, port: lab.ssh.port, username: lab.ssh.username },
      lab.rdp && { protocol: "rdp" as const, port: lab.rdp.port, username: lab.rdp.username },
      lab.vnc && { protocol: "vnc" as const, port: lab.vnc.port, username: null },
    ].filter((endpoint) => endpoint !== undefined);

    const { id: labId } = await tx.lab.create({
      data: {
        ownerId: owner.id,
        templateId: template.id,
        state: lab.state,
        host: lab.host,
        sshHostKey: lab.ssh?.hostKey ?? null,
        expiresAt: lab.expiresAt ?? null,
        endpoints: { create: endpoints },
      },
      select: { id: true },
    });

    const sshPublicKey = keyPair ? openSshPublicKey(keyPair.publicKey, `labdeck-${labId}`) : undefined;
    const secrets: [CredentialKind, string | undefined][] = [
      ["ssh_private_key", keyPair?.privateKeyPem ?? lab.ssh?.privateKey],
      ["ssh_passphrase", lab.ssh?.passphrase],
      ["ssh_public_key", sshPublicKey],
      ["rdp_password", lab.rdp?.password],
      ["vnc_password", lab.vnc?.password],
    ];
    const credentials = secrets.flatMap(([kind, plaintext]) =>
      plaintext === undefined ? [] : [{ labId, kind, ciphertext: sealSecret(plaintext, credentialContext(labId, kind)) }],
    );
    await tx.labCredential.createMany({ data: credentials });

    const view = toLabView(await tx.lab.findUniqueOrThrow({ where: { id: labId }, select: labViewSelect }));
    return sshPublicKey ? { lab: view, sshPublicKey } : { lab: view };
  });
}
