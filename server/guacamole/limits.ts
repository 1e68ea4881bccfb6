// Hard limits on what a peer may send, and the one error type for breaking the protocol.

export type ProtocolLimits = {
  /** Longest element value, in codepoints. */
  maxElementLength: number;
  /** Most elements in one instruction, the opcode included. */
  maxElements: number;
};

/** The limits guacd and guacamole-client's parser enforce themselves. */
export const guacdLimits: ProtocolLimits = { maxElementLength: 8192, maxElements: 128 };

export type ProtocolErrorReason = "malformed" | "element_too_long" | "too_many_elements" | "invalid_utf8";

/**
 * The peer broke the protocol. Callers map `reason` to a status (from the browser: malformed ->
 * CLIENT_BAD_REQUEST, limits -> CLIENT_OVERRUN; from guacd: UPSTREAM_ERROR) and close the connection.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly reason: ProtocolErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Digits a length prefix may have: enough for `maxElementLength`, so "99999999999." fails at once. */
export function maxLengthDigits(limits: ProtocolLimits): number {
  return String(limits.maxElementLength).length;
}

/** The errors of the parser and the framer, worded once. */
export const protocolErrors = {
  notALengthPrefix: () => new ProtocolError("malformed", "Expected a digit or '.' in a length prefix."),
  /** Too many digits: an element too long, or (with leading zeros) a malformed prefix. */
  lengthPrefixTooLong: (length: number, max: number) =>
    length > max ? protocolErrors.elementTooLong(max) : new ProtocolError("malformed", "A length prefix has too many digits."),
  elementTooLong: (max: number) => new ProtocolError("element_too_long", `An element is longer than ${max} characters.`),
  tooManyElements: (max: number) => new ProtocolError("too_many_elements", `An instruction has more than ${max} elements.`),
  wrongLength: () => new ProtocolError("malformed", "An element is not followed by ',' or ';' (its length is wrong)."),
  invalidUtf8: () => new ProtocolError("invalid_utf8", "The data is not valid UTF-8."),
};
