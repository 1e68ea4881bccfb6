// The header of a server-to-browser WebSocket text frame (RFC 6455, section 5.2): FIN set, opcode 1,
// unmasked (servers never mask), payload length in 7, 7+16 or 7+64 bits. The payload follows as is.

const FIN_TEXT = 0x81;

export function textFrameHeader(payloadLength: number): Buffer {
  if (payloadLength < 126) {
    const header = Buffer.allocUnsafe(2);
    header[0] = FIN_TEXT;
    header[1] = payloadLength;
    return header;
  }
  if (payloadLength < 0x10000) {
    const header = Buffer.allocUnsafe(4);
    header[0] = FIN_TEXT;
    header[1] = 126;
    header.writeUInt16BE(payloadLength, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = FIN_TEXT;
  header[1] = 127;
  header.writeUInt32BE(Math.floor(payloadLength / 0x1_0000_0000), 2);
  header.writeUInt32BE(payloadLength >>> 0, 6);
  return header;
}
