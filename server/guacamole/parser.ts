// Incremental parser over decoded text, for the low-volume directions: the handshake and the
// browser's input to guacd. Text may arrive split anywhere, even between the two halves of a
// surrogate pair. The guacd -> browser hot path works on bytes instead (framer.ts).

import type { Instruction } from "./instruction.ts";
import { maxLengthDigits, guacdLimits, ProtocolError, protocolErrors, type ProtocolLimits } from "./limits.ts";

export { guacdLimits, ProtocolError, type ProtocolErrorReason, type ProtocolLimits } from "./limits.ts";

const LENGTH = 0; // reading the digits of a length prefix
const VALUE = 1; // reading the codepoints of a value
const TERMINATOR = 2; // expecting "," or ";"

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PERIOD = 0x2e;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Turns text into instructions. Only the incomplete instruction is kept between pushes, so memory
 * stays below one maximal instruction. After `push` throws, the parser is broken for good (every
 * later push throws the same error): the caller closes the connection.
 */
export class InstructionParser {
  private readonly maxElementLength: number;
  private readonly maxElements: number;
  private readonly maxDigits: number;

  private state = LENGTH;
  private length = 0;
  private digits = 0;
  /** Codepoints of the current value still to read. */
  private remaining = 0;
  private value = "";
  /** The value read so far ends in a high surrogate whose low half may still arrive. */
  private afterHighSurrogate = false;
  private elements: string[] = [];
  private elementUnits = 0;
  private failure: ProtocolError | undefined;

  constructor(limits: ProtocolLimits = guacdLimits) {
    this.maxElementLength = limits.maxElementLength;
    this.maxElements = limits.maxElements;
    this.maxDigits = maxLengthDigits(limits);
  }

  /** UTF-16 units held for the incomplete instruction. */
  get pendingLength(): number {
    return this.elementUnits + this.value.length;
  }

  /** True between instructions: nothing of an unfinished instruction is held. */
  get atInstructionBoundary(): boolean {
    return this.state === LENGTH && this.digits === 0 && this.elements.length === 0 && !this.failure;
  }

  /** Parses `text` and returns every instruction it completes, in order. */
  push(text: string): Instruction[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(text);
    } catch (error) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
  }

  private consume(text: string): Instruction[] {
    const completed: Instruction[] = [];
    const end = text.length;
    let i = 0;
    while (i < end) {
      if (this.state === LENGTH) {
        const unit = text.charCodeAt(i++);
        if (unit >= DIGIT_0 && unit <= DIGIT_9) {
          this.length = this.length * 10 + (unit - DIGIT_0);
          this.digits++;
          if (this.length > this.maxElementLength) {
            throw protocolErrors.elementTooLong(this.maxElementLength);
          }
          if (this.digits > this.maxDigits) throw protocolErrors.lengthPrefixTooLong(this.length, this.maxElementLength);
        } else if (unit === PERIOD && this.digits > 0) {
          this.state = VALUE;
          this.remaining = this.length;
        } else {
          throw protocolErrors.notALengthPrefix();
        }
      } else if (this.state === VALUE) {
        const start = i;
        i = this.skipValue(text, i);
        this.value += text.slice(start, i);
        // A value ending in a high surrogate at the end of the text waits for a possible low half.
        if (this.remaining === 0 && (i < end || !this.afterHighSurrogate)) this.state = TERMINATOR;
      } else {
        const unit = text.charCodeAt(i++);
        if (unit !== COMMA && unit !== SEMICOLON) {
          throw protocolErrors.wrongLength();
        }
        this.elements.push(this.value);
        this.elementUnits += this.value.length;
        this.value = "";
        this.afterHighSurrogate = false;
        this.length = 0;
        this.digits = 0;
        this.state = LENGTH;
        if (unit === SEMICOLON) {
          const [opcode = "", ...args] = this.elements;
          completed.push({ opcode, args });
          this.elements = [];
          this.elementUnits = 0;
        } else if (this.elements.length >= this.maxElements) {
          throw protocolErrors.tooManyElements(this.maxElements);
        }
      }
    }
    return completed;
  }

  /** Advances over the current value's remaining codepoints; returns where it stopped. */
  private skipValue(text: string, from: number): number {
    let i = from;
    while (i < text.length) {
      const unit = text.charCodeAt(i);
      if (this.afterHighSurrogate && isLowSurrogate(unit)) {
        this.afterHighSurrogate = false;
        i++;
        continue;
      }
      if (this.remaining === 0) break;
      this.remaining--;
      this.afterHighSurrogate = isHighSurrogate(unit);
      i++;
    }
    return i;
  }
}

/**
 * A streaming UTF-8 decoder: keeps a multi-byte character split across chunks until it completes,
 * throws ProtocolError("invalid_utf8") on invalid bytes (and on every call after that), and keeps a
 * leading byte order mark as content rather than swallowing it.
 */
export function createUtf8Decoder(): (bytes: Uint8Array) => string {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let failure: ProtocolError | undefined;
  return (bytes) => {
    if (failure) throw failure;
    try {
      return decoder.decode(bytes, { stream: true });
    } catch {
      failure = protocolErrors.invalidUtf8();
      throw failure;
    }
  };
}
