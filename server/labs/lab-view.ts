// What callers see of a lab: where it is and what it offers, never its secrets. Credentials are
// selected by kind only, to say which protocols have theirs.
import type { CredentialKind, LabState, Protocol } from "../db/generated/sqlite/enums.ts";

export type LabEndpointView = { protocol: Protocol; port: number; username: string | null };

export type LabView = {
  id: string;
  ownerEmail: string;
  templateSlug: string;
  state: LabState;
  host: string;
  endpoints: LabEndpointView[];
  /** Whether the secret each protocol needs is stored (SSH private key, RDP/VNC password). */
  hasCredentials: Record<Protocol, boolean>;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  tornDownAt: Date | null;
};

const protocolOrder: readonly Protocol[] = ["ssh", "rdp", "vnc"];

/** The credential that a protocol cannot connect without. */
const requiredCredentialOf: Record<Protocol, CredentialKind> = {
  ssh: "ssh_private_key",
  rdp: "rdp_password",
  vnc: "vnc_password",
};

export const labViewSelect = {
  id: true,
  state: true,
  host: true,
  createdAt: true,
  updatedAt: true,
  expiresAt: true,
  tornDownAt: true,
  owner: { select: { email: true } },
  template: { select: { slug: true } },
  endpoints: { select: { protocol: true, port: true, username: true } },
  credentials: { select: { kind: true } },
} as const;

type LabViewRow = {
  id: string;
  state: LabState;
  host: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  tornDownAt: Date | null;
  owner: { email: string };
  template: { slug: string };
  endpoints: LabEndpointView[];
  credentials: { kind: CredentialKind }[];
};

export function toLabView(row: LabViewRow): LabView {
  const kinds = new Set(row.credentials.map((credential) => credential.kind));
  // Sorted here: the databases order enum columns differently (text vs declaration order).
  const endpoints = [...row.endpoints]
    .sort((a, b) => protocolOrder.indexOf(a.protocol) - protocolOrder.indexOf(b.protocol))
    .map(({ protocol, port, username }) => ({ protocol, port, username }));
  return {
    id: row.id,
    ownerEmail: row.owner.email,
    templateSlug: row.template.slug,
    state: row.state,
    host: row.host,
    endpoints,
    hasCredentials: {
      ssh: kinds.has(requiredCredentialOf.ssh),
      rdp: kinds.has(requiredCredentialOf.rdp),
      vnc: kinds.has(requiredCredentialOf.vnc),
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    expiresAt: row.expiresAt,
    tornDownAt: row.tornDownAt,
  };
}
