// Every Guacamole status in one table: the protocol code guacd and guacamole-common-js use, the
// WebSocket close code and HTTP status guacamole-client's Java endpoint pairs with it
// (org.apache.guacamole.protocol.GuacamoleStatus), and a default message for people.
// Errors carry one of these entries; nothing classifies an error by its message text.

export type StatusEntry = {
  readonly name: StatusName;
  /** Guacamole protocol status code, as sent in `error` and as the WebSocket close reason. */
  readonly code: number;
  readonly webSocketCode: number;
  readonly httpStatus: number;
  readonly message: string;
};

type StatusRow = Omit<StatusEntry, "name">;

const table = {
  SUCCESS: { code: 0x0000, webSocketCode: 1000, httpStatus: 200, message: "The operation succeeded." },
  UNSUPPORTED: { code: 0x0100, webSocketCode: 1011, httpStatus: 501, message: "The requested operation is not supported." },
  SERVER_ERROR: { code: 0x0200, webSocketCode: 1011, httpStatus: 500, message: "An internal error occurred." },
  SERVER_BUSY: { code: 0x0201, webSocketCode: 1008, httpStatus: 503, message: "The server is busy." },
  UPSTREAM_TIMEOUT: { code: 0x0202, webSocketCode: 1011, httpStatus: 504, message: "The remote desktop server is not responding." },
  UPSTREAM_ERROR: { code: 0x0203, webSocketCode: 1011, httpStatus: 502, message: "The remote desktop server reported an error." },
  RESOURCE_NOT_FOUND: { code: 0x0204, webSocketCode: 1002, httpStatus: 404, message: "The requested resource does not exist." },
  RESOURCE_CONFLICT: { code: 0x0205, webSocketCode: 1008, httpStatus: 409, message: "The requested resource is already in use." },
  RESOURCE_CLOSED: { code: 0x0206, webSocketCode: 1002, httpStatus: 404, message: "The requested resource has been closed." },
  UPSTREAM_NOT_FOUND: { code: 0x0207, webSocketCode: 1011, httpStatus: 502, message: "The remote desktop server does not exist." },
  UPSTREAM_UNAVAILABLE: { code: 0x0208, webSocketCode: 1011, httpStatus: 502, message: "The remote desktop server is unavailable." },
  SESSION_CONFLICT: { code: 0x0209, webSocketCode: 1008, httpStatus: 409, message: "The session ended because it conflicted with another session." },
  SESSION_TIMEOUT: { code: 0x020a, webSocketCode: 1002, httpStatus: 408, message: "The session ended because it was inactive." },
  SESSION_CLOSED: { code: 0x020b, webSocketCode: 1002, httpStatus: 404, message: "The session was closed." },
  CLIENT_BAD_REQUEST: { code: 0x0300, webSocketCode: 1002, httpStatus: 400, message: "The request was invalid." },
  // The Java endpoint maps this to 403, not 401: 401 triggers HTTP authentication schemes in browsers.
  CLIENT_UNAUTHORIZED: { code: 0x0301, webSocketCode: 1008, httpStatus: 403, message: "You are not signed in." },
  CLIENT_FORBIDDEN: { code: 0x0303, webSocketCode: 1008, httpStatus: 403, message: "Permission denied." },
  CLIENT_TIMEOUT: { code: 0x0308, webSocketCode: 1002, httpStatus: 408, message: "The client took too long to respond." },
  CLIENT_OVERRUN: { code: 0x030d, webSocketCode: 1009, httpStatus: 413, message: "The client sent too much data." },
  CLIENT_BAD_TYPE: { code: 0x030f, webSocketCode: 1003, httpStatus: 415, message: "The client sent data of an unsupported type." },
  CLIENT_TOO_MANY: { code: 0x031d, webSocketCode: 1008, httpStatus: 429, message: "Too many connections are open." },
} as const satisfies Record<string, StatusRow>;

export type StatusName = keyof typeof table;

export const statuses: Readonly<Record<StatusName, StatusEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(table).map(([name, row]) => [name, Object.freeze({ name: name as StatusName, ...row })]),
  ) as Record<StatusName, StatusEntry>,
);

const byCode = new Map<number, StatusEntry>(Object.values(statuses).map((entry) => [entry.code, entry]));

/** The status with this protocol code, or undefined for a code this table does not know. */
export function statusByCode(code: number): StatusEntry | undefined {
  return byCode.get(code);
}

/** An error that ends a tunnel with a specific Guacamole status. */
export class GuacamoleError extends Error {
  override readonly name = "GuacamoleError";
  readonly status: StatusEntry;

  constructor(status: StatusName, message?: string) {
    const entry = statuses[status];
    super(message ?? entry.message);
    this.status = entry;
  }
}
