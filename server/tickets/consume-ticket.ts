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
  // UPDATE ... RETURNING: the winner learns whose ticket it was in the same statement.
  const [ticket] = await db().connectionTicket.updateManyAndReturn({
    where: { tokenHash, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
    select: { userId: true, labId: true, protocol: true },
  });
  return ticket ?? null;
}
