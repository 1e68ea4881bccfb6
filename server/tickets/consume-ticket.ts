import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { db } from "../db/index.ts";
import { hashTicketToken, isWellFormedTicketToken } from "./ticket-token.ts";

export type ConsumedTicket = { userId: string; labId: string; protocol: Protocol };

/**
 * Uses a ticket up: returns whose and for what, or null when it is malformed, unknown, expired or
 * already used. Single use is one conditional UPDATE, so of any number of concurrent callers (in any
 * process) exactly one wins. A malformed token is refused without a query.
 */
export async function consumeTicket(options: { token: string }): Promise<ConsumedTicket | null> {
  if (!isWellFormedTicketToken(options.token)) return null;
  const tokenHash = hashTicketToken(options.token);
  const now = new Date();
  const { count } = await db().connectionTicket.updateMany({
    where: { tokenHash, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
  });
  if (count !== 1) return null;
  return db().connectionTicket.findUnique({ where: { tokenHash }, select: { userId: true, labId: true, protocol: true } });
}
