import { db } from "../db/index.ts";

/** Deletes tickets that expired before `before` (default now), used or not; returns how many. */
export async function purgeExpiredTickets(options: { before?: Date } = {}): Promise<number> {
  const { count } = await db().connectionTicket.deleteMany({ where: { expiresAt: { lt: options.before ?? new Date() } } });
  return count;
}
