// What a tunnel needs from the rest of Labdeck, as one narrow interface: authorizing a ticket,
// recording the audit row, and hearing of labs torn down. The relay itself (tunnel.ts, endpoint.ts)
// imports no database code: the app server passes the database's services (database-services.ts),
// and a test or benchmark can pass its own.
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
export type AuditRecord = { end(result: AuditEnd): void };

export type TunnelServices = {
  /** The guacd connection a ticket grants; rejects with a GuacamoleError carrying the refusal's status. */
  authorize(query: Pick<ConnectQuery, "ticket">): Promise<TunnelGrant>;
  /** Records a tunnel's start, and its end through the result; neither throws (audit writes must not break a live tunnel). */
  startAudit(start: AuditStart): AuditRecord;
  /** Of these labs, the ones torn down or deleted (found by polling: changes made by other processes). */
  tornDownLabs(labIds: string[]): Promise<string[]>;
  /** Calls `listener` at once on teardowns this process hears of; returns an unsubscribe function. */
  onLabTornDown(listener: (labId: string) => void): () => void;
};
