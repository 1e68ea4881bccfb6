// What a tunnel needs from the rest of Labdeck, as one narrow interface: authorizing a ticket,
// recording the audit row, and hearing of labs torn down. The relay itself (tunnel.ts, endpoint.ts)
// imports no database code, so it can run in a lean process of its own (relay-process.ts) that
// reaches these through its parent, or in-process with the database ones (database-services.ts).
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import type { ConnectQuery } from "./connect-query.ts";
import type { GuacdParameters } from "./guacd-parameters.ts";

export type TunnelGrant = {
  userId: string;
  /** Shown to other participants of the session (guacd's `name`, protocol 1.5+). */
  userName: string;
  labId: string;
  protocol: Protocol;
  parameters: GuacdParameters;
};

export type AuditStart = { tunnelId: string; userId: string; labId: string; protocol: Protocol };
export type AuditEnd = { bytesToLab: number; bytesToUser: number; closeStatus: number };

export type TunnelServices = {
  /** The guacd connection a ticket grants; rejects with a GuacamoleError carrying the refusal's status. */
  authorize(query: Pick<ConnectQuery, "ticket">): Promise<TunnelGrant>;
  /** Records a tunnel's start; never throws (audit writes must not break a live tunnel). */
  auditStart(start: AuditStart): void;
  /** Records its end; never throws. */
  auditEnd(tunnelId: string, end: AuditEnd): void;
  /** Of these labs, the ones torn down (found by polling: teardowns by other processes). */
  tornDownLabs(labIds: string[]): Promise<string[]>;
  /** Calls `listener` at once on teardowns this process hears of; returns an unsubscribe function. */
  onLabTornDown(listener: (labId: string) => void): () => void;
};
