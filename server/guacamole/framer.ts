// Cuts guacd's byte stream at instruction boundaries without decoding or re-serializing it: the relay
// forwards `complete` as one WebSocket text message per TCP read. This is the hot path, so:
// - state is resumable across chunks (a held tail is never rescanned);
// - a chunk that is all ASCII (nearly always: guacd sends base64 and numbers) skips each value by its
//   length in one step, since N ASCII codepoints are N bytes;
// - otherwise long values try `isAscii` on their span and only fall back to counting UTF-8 lead bytes
//   (and checking continuation bytes) when the span is not ASCII, and everything emitted from such
//   chunks is checked once with `isUtf8` (overlong forms, surrogates).
// Only instructions whose opcode is watched are parsed, from the emitted bytes.

import { isAscii, isUtf8 } from "node:buffer";
import type { Instruction } from "./instruction.ts";
import { guacdLimits, maxLengthDigits, ProtocolError, type ProtocolLimits } from "./limits.ts";
import { InstructionParser } from "./parser.ts";

export type FramedOutput = {
  /** Every byte up to the end of the last instruction completed so far, or undefined if none. */
  complete: Buffer | undefined;
  /** Parsed copies of the completed instructions whose opcode is watched, in order. */
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

/**
 * Positions in `push` are relative to the current chunk; bytes held from earlier chunks sit at
 * negative positions, so an instruction that started earlier has a negative start.
 *
 * Pushed chunks must not be modified afterwards: `complete` may be a view of the chunk and the
 * incomplete tail may be held by reference. After `push` throws, the framer is broken for good.
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

  private tail: Buffer[] = [];
  private tailLength = 0;
  /** The held tail contains non-ASCII bytes, so what is emitted from it needs a UTF-8 check. */
  private tailHasNonAscii = false;
  private failure: ProtocolError | undefined;

  constructor(options: FramerOptions = {}) {
    this.limits = options.limits ?? guacdLimits;
    this.maxElementLength = this.limits.maxElementLength;
    this.maxElements = this.limits.maxElements;
    this.maxDigits = maxLengthDigits(this.limits);
    this.watch = (options.watch ?? []).map(opcodeBytes);
    this.watchLengths = this.watch.reduce((mask, opcode) => (opcode.length < 32 ? mask | (1 << opcode.length) : mask), 0);
  }

  /** Bytes held for the incomplete instruction. */
  get pendingLength(): number {
    return this.tailLength;
  }

  push(chunk: Buffer): FramedOutput {
    if (this.failure) throw this.failure;
    try {
      return this.frame(chunk);
    } catch (error) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
  }

  private frame(chunk: Buffer): FramedOutput {
    const ascii = isAscii(chunk);
    if (ascii && this.continuation > 0) throw invalidUtf8();
    const watched: Array<{ start: number; end: number }> = [];
    const lastEnd = this.scan(chunk, ascii, watched);

    if (lastEnd < 0) {
      this.hold(chunk, !ascii);
      return { complete: undefined, watched: [] };
    }

    const head = chunk.subarray(0, lastEnd);
    const complete = this.tailLength === 0 ? head : Buffer.concat([...this.tail, head], this.tailLength + lastEnd);
    if ((this.tailHasNonAscii || !ascii) && !isUtf8(complete)) throw invalidUtf8();

    const offset = this.tailLength;
    this.tail = [];
    this.tailLength = 0;
    this.tailHasNonAscii = false;
    // Copy a short remainder so it does not pin the whole chunk's memory while we wait.
    if (lastEnd < chunk.length) this.hold(Buffer.from(chunk.subarray(lastEnd)), !ascii);

    return { complete, watched: watched.map(({ start, end }) => this.parseWatched(complete, start + offset, end + offset)) };
  }

  /**
   * Runs the state machine over `chunk`, one element per turn of the loop. Returns the position just
   * past the last completed instruction, or -1 when none completed; records watched instructions.
   */
  private scan(chunk: Buffer, ascii: boolean, watched: Array<{ start: number; end: number }>): number {
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

      if (ascii) {
        // N ASCII codepoints are N bytes: jump straight to the terminator.
        if (remaining >= end - p) {
          remaining -= end - p;
          p = end;
          break;
        }
        p += remaining;
        remaining = 0;
      } else {
        this.remaining = remaining;
        p = this.skipUtf8Value(chunk, p);
        remaining = this.remaining;
        if (p === end) break;
      }

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
        if (currentIsWatched) watched.push({ start: instructionStart, end: p });
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

  private hold(bytes: Buffer, nonAscii: boolean): void {
    if (bytes.length === 0) return;
    this.tail.push(bytes);
    this.tailLength += bytes.length;
    this.tailHasNonAscii ||= nonAscii;
  }

  /** Whether bytes [start, end) (start may lie in the held tail) spell a watched opcode. */
  private isWatched(chunk: Buffer, start: number, end: number): boolean {
    // An opcode that began in the held tail is rare: join the pieces just for it.
    const bytes = start >= 0 ? chunk : Buffer.concat([...this.tail, chunk.subarray(0, end)]);
    const from = start >= 0 ? start : this.tailLength + start;
    const length = end - start;
    for (const opcode of this.watch) {
      if (opcode.length !== length) continue;
      let i = 0;
      while (i < length && bytes[from + i] === opcode[i]) i++;
      if (i === length) return true;
    }
    return false;
  }

  private parseWatched(complete: Buffer, start: number, end: number): Instruction {
    const [instruction] = new InstructionParser(this.limits).push(complete.toString("utf8", start, end));
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
