// Cuts guacd's byte stream at instruction boundaries without decoding, copying or re-serializing it:
// for each TCP read the framer says where the last instruction completed in it, and the relay sends
// everything up to there as one WebSocket message, the rest of the read waiting for the next one
// (server/tunnel/browser-stream.ts). This is the hot path, so:
// - state is resumable across chunks, and nothing is held from one chunk to the next (except the
//   bytes of an instruction that may be watched, until its opcode is known);
// - a chunk that is all ASCII (nearly always: guacd sends base64 and numbers) skips each value by its
//   length in one step, since N ASCII codepoints are N bytes;
// - otherwise long values try `isAscii` on their span and only fall back to counting UTF-8 lead bytes
//   (and checking continuation bytes) when the span is not ASCII, and the whole chunk goes through a
//   streaming, fatal UTF-8 decoder (overlong forms, surrogates), before any of it is sent.
// Only instructions whose opcode is watched are parsed.

import { isAscii } from "node:buffer";
import type { Instruction } from "./instruction.ts";
import { guacdLimits, maxLengthDigits, ProtocolError, type ProtocolLimits } from "./limits.ts";
import { InstructionParser } from "./parser.ts";

export type FramedChunk = {
  /** Position in the chunk just past the last instruction completed in it, or -1 if none completed. */
  end: number;
  /** Parsed copies of the instructions completed in this chunk whose opcode is watched, in order. */
  watched: Instruction[];
};

export type FramerOptions = { watch?: readonly string[]; limits?: ProtocolLimits };

const LENGTH = 0;
const VALUE = 1;

const DIGIT_0 = 0x30;
const PERIOD = 0x2e;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

/** Spans shorter than this are cheaper to walk byte by byte than to hand to `isAscii`. */
const ASCII_PROBE_MIN = 32;

const noWatched: Instruction[] = [];

/**
 * Positions in `push` are relative to the current chunk; an instruction that started in an earlier
 * chunk has a negative start. After `push` throws, the framer is broken for good.
 */
export class InstructionFramer {
  private readonly maxElementLength: number;
  private readonly maxElements: number;
  private readonly maxDigits: number;
  private readonly limits: ProtocolLimits;
  private readonly watch: readonly Buffer[];
  /** Bit n is set when some watched opcode is n bytes long (n < 32); a cheap first filter. */
  private readonly watchLengths: number;

  private state = LENGTH;
  private length = 0;
  private digits = 0;
  /** Codepoints (UTF-8 lead bytes) of the current value still to come. */
  private remaining = 0;
  /** UTF-8 continuation bytes still owed by the last lead byte. */
  private continuation = 0;
  private elementCount = 0;
  private instructionStart = 0;
  private opcodeStart = 0;
  private currentIsWatched = false;

  /** Start and end of each watched instruction completed in the current chunk, in pairs. */
  private readonly watchedAt: number[] = [];
  /** Bytes of the unfinished instruction from earlier chunks, kept only while it may be watched. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes of the unfinished instruction received so far (held or not). */
  private openBytes = 0;
  /** Decodes (and so validates) chunks that are not all ASCII; created on first need. */
  private utf8: TextDecoder | undefined;
  private failure: ProtocolError | undefined;

  constructor(options: FramerOptions = {}) {
    this.limits = options.limits ?? guacdLimits;
    this.maxElementLength = this.limits.maxElementLength;
    this.maxElements = this.limits.maxElements;
    this.maxDigits = maxLengthDigits(this.limits);
    this.watch = (options.watch ?? []).map(opcodeBytes);
    this.watchLengths = this.watch.reduce((mask, opcode) => (opcode.length < 32 ? mask | (1 << opcode.length) : mask), 0);
  }

  /** Bytes received of the instruction not yet complete: the message the relay has left open. */
  get pendingLength(): number {
    return this.openBytes;
  }

  /** Bytes the framer keeps from earlier chunks (only for an instruction that may be watched). */
  get heldLength(): number {
    return this.heldBytes;
  }

  /**
   * Scans `chunk` (which must not be modified while the relay still sends it). Throws ProtocolError
   * before reporting anything when the chunk breaks the protocol or is not valid UTF-8.
   */
  push(chunk: Buffer): FramedChunk {
    if (this.failure) throw this.failure;
    try {
      return this.frame(chunk);
    } catch (error) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
  }

  private frame(chunk: Buffer): FramedChunk {
    const ascii = isAscii(chunk);
    if (ascii) {
      if (this.continuation > 0) throw invalidUtf8();
    } else {
      this.validateUtf8(chunk);
    }
    this.watchedAt.length = 0;
    const lastEnd = ascii ? this.scanAscii(chunk) : this.scanUtf8(chunk);
    const watched = this.watchedAt.length === 0 ? noWatched : this.parseAllWatched(chunk);

    // The open instruction now starts at instructionStart (negative: in an earlier chunk).
    const start = this.instructionStart + chunk.length;
    this.openBytes = lastEnd < 0 ? this.openBytes + chunk.length : chunk.length - lastEnd;
    if (this.elementCount === 0 && this.state === LENGTH && this.digits === 0) {
      // Between instructions: nothing to keep.
      this.release();
    } else if (this.watch.length > 0 && (this.elementCount === 0 || this.currentIsWatched)) {
      // Its opcode is not known yet, or it is watched: keep its bytes to parse it when it completes.
      if (start > 0) this.release();
      this.held.push(Buffer.from(chunk.subarray(Math.max(start, 0))));
      this.heldBytes += chunk.length - Math.max(start, 0);
    } else {
      this.release();
    }
    return { end: lastEnd, watched };
  }

  private release(): void {
    if (this.heldBytes === 0) return;
    this.held = [];
    this.heldBytes = 0;
  }

  private validateUtf8(chunk: Buffer): void {
    this.utf8 ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    try {
      this.utf8.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8();
    }
  }

  /**
   * Runs the state machine over an all-ASCII chunk (nearly every chunk), one element per turn of the
   * loop. Returns the position just past the last completed instruction, or -1 when none completed;
   * records watched instructions in `watchedAt`. (`scanUtf8` is its twin for other chunks: one loop
   * each keeps this one small enough for V8 to hold its state in registers, about 40% faster on small
   * instructions.)
   */
  private scanAscii(chunk: Buffer): number {
    const end = chunk.length;
    const { maxElementLength, maxElements, maxDigits, watchLengths } = this;
    let { state, length, digits, remaining, elementCount, instructionStart, opcodeStart, currentIsWatched } = this;
    let lastEnd = -1;
    let p = 0;

    // Far enough from the end, a whole length prefix (at most maxDigits digits and ".") fits in the chunk.
    const prefixFitsBefore = end - (maxDigits + 1);

    for (;;) {
      if (state === LENGTH) {
        if (digits === 0 && p < prefixFitsBefore) {
          // Fast path: no bounds checks, and no state kept, while reading the prefix.
          // (x >>> 0) > 9 is "not a digit" in one comparison.
          let digit = chunk[p++]! - DIGIT_0;
          if (digit >>> 0 > 9) throw notALengthPrefix();
          length = digit;
          for (let byte = chunk[p++]!; byte !== PERIOD; byte = chunk[p++]!) {
            digit = byte - DIGIT_0;
            if (digit >>> 0 > 9) throw notALengthPrefix();
            length = length * 10 + digit;
            if (++digits >= maxDigits) throw lengthPrefixTooLong(length, maxElementLength);
          }
          if (length > maxElementLength) throw elementTooLong(maxElementLength);
        } else {
          while (p < end) {
            const digit = chunk[p]! - DIGIT_0;
            if (digit < 0 || digit > 9) break;
            p++;
            length = length * 10 + digit;
            if (++digits > maxDigits || length > maxElementLength) throw lengthPrefixTooLong(length, maxElementLength);
          }
          if (p === end) break;
          if (chunk[p] !== PERIOD || digits === 0) throw notALengthPrefix();
          p++;
        }
        state = VALUE;
        remaining = length;
        if (elementCount === 0) opcodeStart = p;
      }

      // N ASCII codepoints are N bytes: jump straight to the terminator.
      if (remaining >= end - p) {
        remaining -= end - p;
        p = end;
        break;
      }
      p += remaining;
      remaining = 0;

      const terminator = chunk[p++];
      if (terminator !== COMMA && terminator !== SEMICOLON) throw wrongLength();
      elementCount++;
      if (elementCount === 1) {
        const opcodeLength = p - 1 - opcodeStart;
        currentIsWatched = opcodeLength < 32 && (watchLengths & (1 << opcodeLength)) !== 0 && this.isWatched(chunk, opcodeStart, p - 1);
      }
      length = 0;
      digits = 0;
      state = LENGTH;
      if (terminator === SEMICOLON) {
        if (currentIsWatched) this.watchedAt.push(instructionStart, p);
        elementCount = 0;
        instructionStart = p;
        lastEnd = p;
      } else if (elementCount >= maxElements) {
        throw new ProtocolError("too_many_elements", `An instruction has more than ${maxElements} elements.`);
      }
    }

    // Positions are chunk-relative: shift them so the next chunk starts at 0.
    this.state = state;
    this.length = length;
    this.digits = digits;
    this.remaining = remaining;
    this.elementCount = elementCount;
    this.instructionStart = instructionStart - end;
    this.opcodeStart = opcodeStart - end;
    this.currentIsWatched = currentIsWatched;
    return lastEnd;
  }

  /**
   * `scanAscii` for a chunk with non-ASCII bytes: the same state machine, but values are skipped by
   * counting UTF-8 lead bytes.
   */
  private scanUtf8(chunk: Buffer): number {
    const end = chunk.length;
    const { maxElementLength, maxElements, maxDigits, watchLengths } = this;
    let { state, length, digits, remaining, elementCount, instructionStart, opcodeStart, currentIsWatched } = this;
    let lastEnd = -1;
    let p = 0;

    // Far enough from the end, a whole length prefix (at most maxDigits digits and ".") fits in the chunk.
    const prefixFitsBefore = end - (maxDigits + 1);

    for (;;) {
      if (state === LENGTH) {
        if (digits === 0 && p < prefixFitsBefore) {
          // Fast path: no bounds checks, and no state kept, while reading the prefix.
          let digit = chunk[p++]! - DIGIT_0;
          if (digit < 0 || digit > 9) throw notALengthPrefix();
          length = digit;
          for (let byte = chunk[p++]!; byte !== PERIOD; byte = chunk[p++]!) {
            digit = byte - DIGIT_0;
            if (digit < 0 || digit > 9) throw notALengthPrefix();
            length = length * 10 + digit;
            if (++digits >= maxDigits) throw lengthPrefixTooLong(length, maxElementLength);
          }
          if (length > maxElementLength) throw elementTooLong(maxElementLength);
        } else {
          while (p < end) {
            const digit = chunk[p]! - DIGIT_0;
            if (digit < 0 || digit > 9) break;
            p++;
            length = length * 10 + digit;
            if (++digits > maxDigits || length > maxElementLength) throw lengthPrefixTooLong(length, maxElementLength);
          }
          if (p === end) break;
          if (chunk[p] !== PERIOD || digits === 0) throw notALengthPrefix();
          p++;
        }
        state = VALUE;
        remaining = length;
        if (elementCount === 0) opcodeStart = p;
      }

      this.remaining = remaining;
      p = this.skipUtf8Value(chunk, p);
      remaining = this.remaining;
      if (p === end) break;

      const terminator = chunk[p++];
      if (terminator !== COMMA && terminator !== SEMICOLON) throw wrongLength();
      elementCount++;
      if (elementCount === 1) {
        const opcodeLength = p - 1 - opcodeStart;
        currentIsWatched = opcodeLength < 32 && (watchLengths & (1 << opcodeLength)) !== 0 && this.isWatched(chunk, opcodeStart, p - 1);
      }
      length = 0;
      digits = 0;
      state = LENGTH;
      if (terminator === SEMICOLON) {
        if (currentIsWatched) this.watchedAt.push(instructionStart, p);
        elementCount = 0;
        instructionStart = p;
        lastEnd = p;
      } else if (elementCount >= maxElements) {
        throw new ProtocolError("too_many_elements", `An instruction has more than ${maxElements} elements.`);
      }
    }

    // Positions are chunk-relative: shift them so the next chunk starts at 0.
    this.state = state;
    this.length = length;
    this.digits = digits;
    this.remaining = remaining;
    this.elementCount = elementCount;
    this.instructionStart = instructionStart - end;
    this.opcodeStart = opcodeStart - end;
    this.currentIsWatched = currentIsWatched;
    return lastEnd;
  }

  /**
   * Skips the rest of a value in a chunk that is not all ASCII, counting codepoints by UTF-8 lead
   * bytes and checking that continuation bytes sit where a lead byte promised them. Stops at the
   * terminator (returning its position) or at the end of the chunk. Updates `remaining` and
   * `continuation`.
   */
  private skipUtf8Value(chunk: Buffer, from: number): number {
    const end = chunk.length;
    let { remaining, continuation } = this;
    let p = from;
    // Long values are usually ASCII even in a chunk that is not: try the span in one SIMD call.
    if (continuation === 0 && remaining >= ASCII_PROBE_MIN) {
      const span = Math.min(remaining, end - p);
      if (isAscii(chunk.subarray(p, p + span))) {
        p += span;
        remaining -= span;
      }
    }
    while (p < end) {
      const byte = chunk[p]!;
      if (remaining === 0) {
        if (byte >= 0xc0) throw continuation > 0 ? invalidUtf8() : wrongLength();
        if (byte >= 0x80) {
          // The last character's continuation bytes.
          if (continuation === 0) throw invalidUtf8();
          continuation--;
          p++;
          continue;
        }
        if (continuation > 0) throw invalidUtf8();
        break;
      }
      p++;
      if (byte < 0x80) {
        if (continuation > 0) throw invalidUtf8();
        remaining--;
      } else if (byte < 0xc0) {
        if (continuation === 0) throw invalidUtf8();
        continuation--;
      } else {
        if (continuation > 0 || byte >= 0xf8) throw invalidUtf8();
        continuation = byte >= 0xf0 ? 3 : byte >= 0xe0 ? 2 : 1;
        remaining--;
      }
    }
    this.remaining = remaining;
    this.continuation = continuation;
    return p;
  }

  /** Whether bytes [start, end) (start may lie in an earlier chunk, then held) spell a watched opcode. */
  private isWatched(chunk: Buffer, start: number, end: number): boolean {
    // An opcode that began in an earlier chunk is rare: join the pieces just for it.
    const bytes = start >= 0 ? chunk : Buffer.concat([...this.held, chunk.subarray(0, end)]);
    const from = start >= 0 ? start : this.heldBytes + start;
    const length = end - start;
    for (const opcode of this.watch) {
      if (opcode.length !== length) continue;
      let i = 0;
      while (i < length && bytes[from + i] === opcode[i]) i++;
      if (i === length) return true;
    }
    return false;
  }

  private parseAllWatched(chunk: Buffer): Instruction[] {
    const watched: Instruction[] = [];
    for (let i = 0; i < this.watchedAt.length; i += 2) watched.push(this.parseWatched(chunk, this.watchedAt[i]!, this.watchedAt[i + 1]!));
    return watched;
  }

  private parseWatched(chunk: Buffer, start: number, end: number): Instruction {
    const bytes = start >= 0 ? chunk.subarray(start, end) : Buffer.concat([...this.held, chunk.subarray(0, end)]);
    const [instruction] = new InstructionParser(this.limits).push(bytes.toString("utf8"));
    if (!instruction) throw new ProtocolError("malformed", "A watched instruction did not parse.");
    return instruction;
  }
}

// Opcode bytes are shared by every framer: a small Buffer.from() is a slice of Node's 8 KiB pool and
// would keep a whole slab alive per tunnel.
const opcodeBytesCache = new Map<string, Buffer>();
function opcodeBytes(opcode: string): Buffer {
  let bytes = opcodeBytesCache.get(opcode);
  if (!bytes) {
    bytes = Buffer.alloc(Buffer.byteLength(opcode, "utf8"), opcode, "utf8");
    opcodeBytesCache.set(opcode, bytes);
  }
  return bytes;
}

function invalidUtf8(): ProtocolError {
  return new ProtocolError("invalid_utf8", "The data is not valid UTF-8.");
}

function notALengthPrefix(): ProtocolError {
  return new ProtocolError("malformed", "Expected a digit or '.' in a length prefix.");
}

/** Too many digits: an element too long, or (with leading zeros) a malformed prefix. */
function lengthPrefixTooLong(length: number, max: number): ProtocolError {
  return length > max ? elementTooLong(max) : new ProtocolError("malformed", "A length prefix has too many digits.");
}

function elementTooLong(max: number): ProtocolError {
  return new ProtocolError("element_too_long", `An element is longer than ${max} characters.`);
}

function wrongLength(): ProtocolError {
  return new ProtocolError("malformed", "An element is not followed by ',' or ';' (its length is wrong).");
}
