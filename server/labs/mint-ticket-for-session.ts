// The viewer's ticket: one, for the signed-in user's own lab, minted right before each (re)connect.
// Ownership is checked by mintTickets inside its query: someone else's lab is "not_found", exactly
// like a missing one.
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { mintTickets, maxTicketTtlSeconds } from "../tickets/mint-tickets.ts";

export type SessionTicket = { ticket: string; expiresAt: Date };

export type MintTicketForSessionOptions = {
  /** The signed-in user, from the session; never from the request body. */
  userId: string;
  labId: string;
  /** Validated by mintTickets ("invalid_input" for anything but ssh, rdp or vnc). */
  protocol: Protocol | unknown;
};

export async function mintTicketForSession(options: MintTicketForSessionOptions): Promise<SessionTicket> {
  // Taken before minting, so the answer never promises more time than the stored expiry allows.
  const expiresAt = new Date(Date.now() + maxTicketTtlSeconds * 1000);
  const [ticket] = await mintTickets({
    userId: options.userId,
    labId: options.labId,
    protocol: options.protocol as Protocol,
    count: 1,
    ttlSeconds: maxTicketTtlSeconds,
  });
  return { ticket: ticket!, expiresAt };
}
