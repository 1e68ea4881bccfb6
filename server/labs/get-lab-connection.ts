// What the tunnel needs to connect to one of a lab's endpoints: address, display settings and the
// decrypted secrets of that protocol only. Nothing else may call this: its result carries secrets.
import type { CredentialKind, LabState, Protocol } from "../db/generated/sqlite/enums.ts";
import { openSecret } from "../crypto/secret-box.ts";
import { db } from "../db/index.ts";
import { isAppError } from "../errors.ts";
import { credentialContext } from "./credential-context.ts";
import { parsePaneSettings, type PaneSettings } from "./template-settings.ts";

export type LabSecrets = {
  privateKey?: string;
  passphrase?: string;
  password?: string;
  /** Not secret, but only the tunnel needs it (guacd's host-key). */
  hostKey?: string;
};

type ConnectionOf<P extends Protocol> = {
  labId: string;
  ownerId: string;
  /** The owner's display name (their email when they have none), for guacd's `name`. */
  ownerName: string;
  protocol: P;
  state: LabState;
  host: string;
  port: number;
  username: string | null;
  settings: PaneSettings[P];
  secrets: LabSecrets;
};

/** One lab endpoint's connection; `protocol` tells which settings type `settings` has. */
export type LabConnection = { [P in Protocol]: ConnectionOf<P> }[Protocol];

/** The connection type for a protocol known at compile time, the whole union otherwise. */
export type LabConnectionOf<P extends Protocol> = Extract<LabConnection, { protocol: P }>;

const secretKindsOf: Record<Protocol, Partial<Record<CredentialKind, keyof LabSecrets>>> = {
  ssh: { ssh_private_key: "privateKey", ssh_passphrase: "passphrase" },
  rdp: { rdp_password: "password" },
  vnc: { vnc_password: "password" },
};

function paneSettings<P extends Protocol>(protocol: P, stored: string | undefined, templateSlug: string): PaneSettings[P] {
  try {
    return parsePaneSettings(protocol, stored === undefined ? {} : JSON.parse(stored));
  } catch (error) {
    // Settings are validated when content is imported; a bad row is a server fault, not the user's.
    const detail = isAppError(error) ? Object.keys(error.fields ?? {}).join(", ") : "not JSON";
    throw new Error(`Lab template "${templateSlug}" has invalid ${protocol} pane settings (${detail}).`);
  }
}

/**
 * The connection to lab `labId` over `protocol`, or null when the lab or that endpoint does not
 * exist. A torn-down lab is returned with its state and no secrets (its credentials are deleted).
 * Throws SecretBoxError when a credential does not decrypt (wrong LABDECK_ENCRYPTION_KEY).
 */
export async function getLabConnection<P extends Protocol>(options: { labId: string; protocol: P }): Promise<LabConnectionOf<P> | null> {
  const { labId, protocol } = options;
  const kinds = secretKindsOf[protocol];
  const lab = await db().lab.findUnique({
    where: { id: labId },
    select: {
      id: true,
      ownerId: true,
      owner: { select: { name: true, email: true } },
      state: true,
      host: true,
      sshHostKey: protocol === "ssh",
      endpoints: { where: { protocol }, select: { port: true, username: true } },
      credentials: { where: { kind: { in: Object.keys(kinds) as CredentialKind[] } }, select: { kind: true, ciphertext: true } },
      template: { select: { slug: true, panes: { where: { protocol }, select: { settings: true } } } },
    },
  });
  const endpoint = lab?.endpoints[0];
  if (!lab || !endpoint) return null;

  const secrets: LabSecrets = {};
  if (lab.state !== "torn_down") {
    for (const credential of lab.credentials) {
      const name = kinds[credential.kind];
      if (name) secrets[name] = openSecret(credential.ciphertext, credentialContext(lab.id, credential.kind));
    }
    if (protocol === "ssh" && lab.sshHostKey) secrets.hostKey = lab.sshHostKey;
  }
  const connection: ConnectionOf<P> = {
    labId: lab.id,
    ownerId: lab.ownerId,
    ownerName: lab.owner.name ?? lab.owner.email,
    protocol,
    state: lab.state,
    host: lab.host,
    port: endpoint.port,
    username: endpoint.username,
    settings: paneSettings(protocol, lab.template.panes[0]?.settings, lab.template.slug),
    secrets,
  };
  // The same type for a concrete P; TypeScript cannot see that through Extract of a generic.
  return connection as unknown as LabConnectionOf<P>;
}
