// Ticket tokens: 32 random bytes, base64url (43 characters). Only their SHA-256 is stored, so a
// database leak yields no usable ticket.
import { createHash, randomBytes } from "node:crypto";

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export function newTicketToken(): string {
  return randomBytes(32).toString("base64url");
}

export function isWellFormedTicketToken(token: unknown): token is string {
  return typeof token === "string" && tokenPattern.test(token);
}

export function hashTicketToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
