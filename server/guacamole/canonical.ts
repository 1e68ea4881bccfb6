// Recognizes input that is already exactly what re-encoding it would produce, so a relay can pass it
// on without decoding, parsing and re-encoding it. A browser's instructions nearly always are: whole
// instructions per WebSocket message, ASCII, lengths written without leading zeros.

import type { ProtocolLimits } from "./limits.ts";

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PERIOD = 0x2e;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

/**
 * True when `bytes` is one or more whole instructions, all ASCII, within `limits`, each length written
 * in shortest decimal form, and `acceptOpcode` accepts every opcode (given as the bytes [start, end)).
 * Then `bytes` equals the encoding (encodeInstruction) of the instructions it holds, byte for byte.
 * False means only "not certainly": the caller parses the input the slow way, which finds any error.
 */
export function isCanonicalInstructions(
  bytes: Uint8Array,
  limits: ProtocolLimits,
  acceptOpcode: (bytes: Uint8Array, start: number, end: number) => boolean,
): boolean {
  const end = bytes.length;
  if (end === 0) return false;
  let p = 0;
  let elements = 0;
  while (p < end) {
    // Length prefix: digits, no leading zero unless it is "0", then ".".
    const first = bytes[p]!;
    if (first < DIGIT_0 || first > DIGIT_9) return false;
    let length = first - DIGIT_0;
    let q = p + 1;
    for (; q < end; q++) {
      const byte = bytes[q]!;
      if (byte === PERIOD) break;
      if (byte < DIGIT_0 || byte > DIGIT_9 || length === 0) return false;
      length = length * 10 + (byte - DIGIT_0);
      if (length > limits.maxElementLength) return false;
    }
    if (q >= end || length > limits.maxElementLength) return false;
    const valueStart = q + 1;
    const valueEnd = valueStart + length;
    if (valueEnd >= end) return false;
    for (let i = valueStart; i < valueEnd; i++) if (bytes[i]! > 0x7f) return false;
    if (elements === 0 && !acceptOpcode(bytes, valueStart, valueEnd)) return false;
    const terminator = bytes[valueEnd];
    p = valueEnd + 1;
    if (terminator === COMMA) {
      if (++elements >= limits.maxElements) return false;
    } else if (terminator === SEMICOLON) {
      elements = 0;
    } else {
      return false;
    }
  }
  return elements === 0;
}

/** An `acceptOpcode` for isCanonicalInstructions that accepts exactly `opcodes` (ASCII), comparing bytes. */
export function opcodeMatcher(opcodes: Iterable<string>): (bytes: Uint8Array, start: number, end: number) => boolean {
  const byLength = new Map<number, Buffer[]>();
  for (const opcode of opcodes) {
    const encoded = Buffer.from(opcode, "latin1");
    const sameLength = byLength.get(encoded.length) ?? [];
    sameLength.push(encoded);
    byLength.set(encoded.length, sameLength);
  }
  return (bytes, start, end) => {
    const candidates = byLength.get(end - start);
    if (!candidates) return false;
    for (const candidate of candidates) {
      let i = 0;
      while (i < candidate.length && bytes[start + i] === candidate[i]) i++;
      if (i === candidate.length) return true;
    }
    return false;
  };
}
