// What the viewer says and does for each way a connection can end: every Guacamole status in
// server/guacamole/status.ts (the one status table) gets a message for people and a reaction.
// Pure: no DOM, no timers; the connection asks, this answers.
import type { Protocol } from "../../../server/db/generated/sqlite/enums.ts";
import { statusByCode, statuses, type StatusName } from "../../../server/guacamole/status.ts";

/**
 * - retry: a transient failure; reconnect by itself after the backoff delay.
 * - retry-now: the ticket was refused (expired or used); a fresh one usually fixes it at once.
 * - wait: the lab is not running yet; keep trying with the backoff delay.
 * - ended: the session is over for a reason the user should know; reconnect only when asked.
 * - fatal: retrying cannot help; reconnect only when asked.
 */
export type Reaction = "retry" | "retry-now" | "wait" | "ended" | "fatal";

export type Outcome = {
  code: number | undefined;
  message: string;
  reaction: Reaction;
  /** guacd could not reach the lab's desktop: counts toward the attempts a desktop gets (see outcomeOfError). */
  desktopUnreachable?: true;
};

const byStatus: Record<StatusName, { message: string; reaction: Reaction }> = {
  SUCCESS: { message: "The connection to your lab was interrupted.", reaction: "retry" },
  UNSUPPORTED: { message: "The lab does not support what this viewer asked for.", reaction: "fatal" },
  SERVER_ERROR: { message: "The lab gateway is unavailable.", reaction: "retry" },
  SERVER_BUSY: { message: "Labdeck is busy or restarting.", reaction: "retry" },
  UPSTREAM_TIMEOUT: { message: "Your lab stopped responding.", reaction: "retry" },
  UPSTREAM_ERROR: { message: "The connection to your lab failed.", reaction: "retry" },
  RESOURCE_NOT_FOUND: { message: "This lab no longer exists.", reaction: "fatal" },
  RESOURCE_CONFLICT: { message: "Your lab is busy with another connection.", reaction: "retry" },
  RESOURCE_CLOSED: { message: "This lab has been shut down.", reaction: "ended" },
  UPSTREAM_NOT_FOUND: { message: "Labdeck cannot reach your lab right now.", reaction: "retry" },
  UPSTREAM_UNAVAILABLE: { message: "Your lab isn't running yet.", reaction: "wait" },
  SESSION_CONFLICT: { message: "Your lab was opened somewhere else.", reaction: "ended" },
  SESSION_TIMEOUT: { message: "Your session ended after inactivity.", reaction: "ended" },
  SESSION_CLOSED: { message: "Your lab session was closed.", reaction: "ended" },
  CLIENT_BAD_REQUEST: { message: "The lab refused this viewer's request.", reaction: "fatal" },
  CLIENT_UNAUTHORIZED: { message: "Your session link expired — reconnecting…", reaction: "retry-now" },
  CLIENT_FORBIDDEN: { message: "You don't have access to this lab.", reaction: "fatal" },
  CLIENT_TIMEOUT: { message: "Your session ended after inactivity.", reaction: "ended" },
  CLIENT_OVERRUN: { message: "Too much was sent to the lab at once.", reaction: "retry" },
  CLIENT_BAD_TYPE: { message: "The lab refused data from this viewer.", reaction: "fatal" },
  CLIENT_TOO_MANY: { message: "Too many lab windows are open. Close one, then reconnect.", reaction: "ended" },
};

/** The outcome of a connection that ended with Guacamole status `code`. */
export function outcomeOfStatus(code: number): Outcome {
  const entry = statusByCode(code);
  if (entry) return { code, ...byStatus[entry.name] };
  // Unknown codes: server-side classes (0x02xx) may pass; client-side ones (0x03xx) will not.
  if (code >= 0x0200 && code < 0x0300) return { code, message: "The lab gateway reported a problem.", reaction: "retry" };
  return { code, message: "The lab connection failed.", reaction: "fatal" };
}

/** Where an `error` instruction came from, and what came before it. */
export type ErrorContext = {
  protocol: Protocol;
  /**
   * The tunnel had opened (sent its UUID) before the error. Labdeck's tunnel refuses a ticket, a lab
   * that is not ready and an unreachable guacd before it opens, and after that sends neither 0x0207
   * nor 0x0301 itself: those two after the UUID are guacd's own, about the lab, relayed as they are.
   */
  afterOpen: boolean;
  /** Attempts in a row, just before this one, that ended with guacd unable to reach the desktop. */
  desktopUnreachableBefore: number;
};

/** Attempts a desktop gets when guacd cannot reach it (TigerVNC blacklists guacd after 5 failed logins). */
export const desktopAttempts = 3;

// guacd 1.3 after it opened the session: 0x0301 for a refused login (SSH key, RDP security
// negotiation or credentials); 0x0207 for anything that kept it from the desktop, a wrong VNC
// password included (VNC tells guacd nothing more).
const loginRefused: Record<Protocol, string> = {
  ssh: "Your lab refused the login (wrong key or password).",
  rdp: "The lab's desktop refused the login (wrong password or security settings).",
  vnc: "The lab's desktop refused the login (wrong password or security settings).",
};
const desktopUnreachable: Record<Exclude<Protocol, "ssh">, string> = {
  rdp: "Labdeck cannot reach your lab's desktop.",
  vnc: "Labdeck cannot reach your lab's desktop, or the desktop refused the password.",
};

/** The outcome of an `error` instruction with status `code`. */
export function outcomeOfError(code: number, context: ErrorContext): Outcome {
  if (!context.afterOpen) return outcomeOfStatus(code);
  const { protocol } = context;
  // Not an expired ticket but the lab refusing guacd: a fresh ticket changes nothing.
  if (code === statuses.CLIENT_UNAUTHORIZED.code) return { code, message: loginRefused[protocol], reaction: "fatal" };
  if (code === statuses.UPSTREAM_NOT_FOUND.code && protocol !== "ssh") {
    // A desktop still starting deserves another try; a wrong password does not get better with more.
    const last = context.desktopUnreachableBefore + 1 >= desktopAttempts;
    return { code, message: desktopUnreachable[protocol], reaction: last ? "fatal" : "retry", desktopUnreachable: true };
  }
  return outcomeOfStatus(code);
}

/** The tunnel closed without an error instruction: the network, a restart, or a lost gateway. */
export function outcomeOfDrop(code: number | undefined): Outcome {
  if (code === undefined || code === 0x0000) return { code, ...byStatus.SUCCESS };
  // guacamole-common-js reports an abnormal WebSocket close (1006) as UPSTREAM_NOT_FOUND, and its own
  // receive timeout (no data for 15 s) as UPSTREAM_TIMEOUT: both are the network until proven otherwise.
  if (code === 0x0207) return { code, message: "The connection to Labdeck was lost.", reaction: "retry" };
  if (code === 0x0202) return { code, message: "The connection to Labdeck stopped responding.", reaction: "retry" };
  return outcomeOfStatus(code);
}

/** guacd closed the session itself (a `disconnect` instruction): e.g. `exit` in the lab's shell. */
export const sessionEnded: Outcome = { code: undefined, message: "The lab session ended.", reaction: "ended" };

/** The session opened but the lab's screen never appeared (lab-connection.ts, noPictureMs). */
export const noPicture: Outcome = { code: undefined, message: "Your lab's screen did not appear. Trying again…", reaction: "retry" };

/** The ticket request failed with HTTP `status` (0: no answer at all). */
export function outcomeOfTicketFailure(status: number): Outcome {
  switch (status) {
    case 0:
      return { code: undefined, message: "Labdeck cannot be reached. Check your network.", reaction: "retry" };
    case 401:
      return { code: undefined, message: "You are signed out. Sign in again to open your lab.", reaction: "fatal" };
    case 403:
      return { code: undefined, message: "You don't have access to this lab.", reaction: "fatal" };
    case 404:
      return { code: undefined, message: "This lab no longer exists.", reaction: "fatal" };
    case 410:
      return { code: undefined, message: "This lab has been shut down.", reaction: "ended" };
    case 400:
      return { code: undefined, message: "This lab cannot be opened this way.", reaction: "fatal" };
    default:
      return { code: undefined, message: "Labdeck could not open your lab.", reaction: "retry" };
  }
}

export const maxReconnectDelayMs = 30_000;

/** Exponential backoff: 1, 2, 4, 8, 16, 30, 30, ... seconds for attempts 0, 1, 2, ... */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(maxReconnectDelayMs, 1000 * 2 ** Math.max(0, Math.min(attempt, 16)));
}

/** Whether the viewer reconnects without being asked. */
export function reconnectsByItself(reaction: Reaction): boolean {
  return reaction === "retry" || reaction === "retry-now" || reaction === "wait";
}
