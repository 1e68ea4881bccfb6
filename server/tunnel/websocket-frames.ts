// The header of a server-to-browser WebSocket text frame (RFC 6455, section 5.2): FIN set, opcode 1,
// unmasked (servers never mask), payload length in 7, 7+16 or 7+64 bits. The payload follows as is.

const FIN_TEXT = 0x81;

/** The longest header: 2 bytes and a 64-bit length. Frame buffers leave this much room before the payload. */
export const maxFrameHeaderLength = 10;

/**
 * Writes the header of a text frame whose payload starts at `payloadStart` in `target`, right before
 * it, and returns where the header starts. `payloadStart` must be at least `maxFrameHeaderLength`.
 */
export function writeTextFrameHeader(target: Buffer, payloadStart: number, payloadLength: number): number {
  if (payloadLength < 126) {
    const start = payloadStart - 2;
    target[start] = FIN_TEXT;
    target[start + 1] = payloadLength;
    return start;
  }
  if (payloadLength < 0x10000) {
    const start = payloadStart - 4;
    target[start] = FIN_TEXT;
    target[start + 1] = 126;
    target.writeUInt16BE(payloadLength, start + 2);
    return start;
  }
  const start = payloadStart - 10;
  target[start] = FIN_TEXT;
  target[start + 1] = 127;
  target.writeUInt32BE(Math.floor(payloadLength / 0x1_0000_0000), start + 2);
  target.writeUInt32BE(payloadLength >>> 0, start + 6);
  return start;
}
