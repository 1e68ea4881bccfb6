import { z } from "zod";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { db } from "../db/index.ts";
import { AppError } from "../errors.ts";
import { parseInput } from "../labs/validation.ts";
import { hashTicketToken, newTicketToken } from "./ticket-token.ts";

export const maxTicketTtlSeconds = 60;

export type MintTicketsOptions = {
  userId: string;
  labId: string;
  protocol: Protocol;
  /** 1..100, default 1. */
  count?: number | undefined;
  /** 1..60, default 60. */
  ttlSeconds?: number | undefined;
};

const input = z.strictObject({
  userId: z.string().min(1, "must not be empty"),
  labId: z.string().min(1, "must not be empty"),
  protocol: z.enum(["ssh", "rdp", "vnc"]),
  count: z.number().int("must be a whole number").min(1, "must be 1-100").max(100, "must be 1-100").default(1),
  ttlSeconds: z
    .number()
    .int("must be a whole number")
    .min(1, `must be 1-${maxTicketTtlSeconds}`)
    .max(maxTicketTtlSeconds, `must be 1-${maxTicketTtlSeconds}`)
    .default(maxTicketTtlSeconds),
});

/**
 * One-time tickets for `userId` to open `protocol` on their lab `labId`; returns the tokens, stores
 * only their hashes. Someone else's lab is "not_found" exactly like a missing one; a torn-down lab
 * is "gone"; a protocol the lab has no endpoint for is "invalid_input".
 */
export async function mintTickets(options: MintTicketsOptions): Promise<string[]> {
  const { userId, labId, protocol, count, ttlSeconds } = parseInput(input, options, "Invalid ticket request");
  const lab = await db().lab.findFirst({
    where: { id: labId, ownerId: userId },
    select: { state: true, endpoints: { where: { protocol }, select: { id: true } } },
  });
  if (!lab) throw new AppError("not_found", `No lab ${labId}.`);
  if (lab.state === "torn_down") throw new AppError("gone", `Lab ${labId} has been torn down.`);
  if (lab.endpoints.length === 0) {
    throw new AppError("invalid_input", `Lab ${labId} has no ${protocol} endpoint.`, { protocol: `the lab has no ${protocol} endpoint` });
  }

  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const tokens = Array.from({ length: count }, newTicketToken);
  await db().connectionTicket.createMany({
    data: tokens.map((token) => ({ tokenHash: hashTicketToken(token), userId, labId, protocol, expiresAt })),
  });
  return tokens;
}
