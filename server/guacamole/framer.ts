// Cuts guacd's byte stream at instruction boundaries without decoding or re-serializing it: for
// each TCP read the framer says where the last instruction completed in it, and the relay sends
// everything up to there as one WebSocket message, the rest of the read waiting for the next one
// (server/tunnel/browser-stream.ts). This is the hot path, so:
// - a chunk that is all ASCII (nearly always: guacd sends base64 and numbers) has its whole elements
//   framed by a loop in WebAssembly (framer-scan.ts), which skips each value by its length in one
//   step (N ASCII codepoints are N bytes); only an instruction left open by the previous chunk and
//   the element the chunk ends in go through the resumable state machine here;
// - a chunk with non-ASCII bytes goes through the state machine's UTF-8 twin, which counts UTF-8
//   lead bytes (and checks continuation bytes), and the whole chunk through a streaming, fatal UTF-8
//   decoder (overlong forms, surrogates), before any of it is sent;
// - nothing is held from one chunk to the next, except the bytes of an instruction that may be
//   watched, until its opcode is known. Only instructions whose opcode is watched are parsed.

import { isAscii } from "node:buffer";
import { frameWholeElements, scanSettings, watchLengthMask, type ScanSettings } from "./framer-scan.ts";
import type { Instruction } from "./instruction.ts";
import { guacdLimits, maxLengthDigits, ProtocolError, protocolErrors, type ProtocolLimits } from "./limits.ts";
import { InstructionParser } from "./parser.ts";

export type FramedChunk = {
  /** Position in the chunk just past the last instruction completed in it, or -1 if none completed. */
  end: number;
  /** Parsed copies of the instructions completed in this chunk whose opcode is watched, in order. */
  watched: Instruction[];
};

export type FramerOptions = {
  watch?: readonly string[];
  limits?: ProtocolLimits;
  /**
   * false: frame every chunk with the resumable state machine alone, never the WebAssembly loop. The
   * tests check the loop against it; nothing else should need it.
   */
  fastPath?: boolean;
};

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
  /** The WebAssembly loop's settings, or undefined when it is not used. */
  private readonly scan: ScanSettings | undefined;

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
    this.watchLengths = watchLengthMask(this.watch);
    this.scan = options.fastPath === false || !fitsTheLoop(this.limits) ? undefined : scanSettingsFor(this.limits, options.watch ?? [], this.watch);
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
      if (this.continuation > 0) throw protocolErrors.invalidUtf8();
    } else {
      this.validateUtf8(chunk);
    }
    // Setting an array's length is a runtime call even when it is already 0: this runs for every read.
    if (this.watchedAt.length !== 0) this.watchedAt.length = 0;
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
      throw protocolErrors.invalidUtf8();
    }
  }

  /**
   * Frames an all-ASCII chunk. Returns the position just past the last completed instruction, or -1
   * when none completed; records watched instructions in `watchedAt`. The state machine finishes the
   * element left open by the previous chunk, the WebAssembly loop frames every whole element after
   * it, and the state machine takes the element the chunk ends in.
   */
  private scanAscii(chunk: Buffer): number {
    if (!this.scan) return this.resumeAscii(chunk, 0, false);
    let lastEnd = -1;
    let p = 0;
    if (this.state !== LENGTH || this.digits !== 0) {
      p = this.resumeAscii(chunk, 0, true);
      if (p < 0) return -1;
      if (this.elementCount === 0) lastEnd = p;
    }
    const run = frameWholeElements(chunk, p, this.instructionStart, this.elementCount, this.currentIsWatched, this.scan, this.watchedAt);
    if (run.lastEnd >= 0) lastEnd = run.lastEnd;
    this.state = LENGTH;
    this.length = 0;
    this.digits = 0;
    this.remaining = 0;
    this.elementCount = run.elements;
    this.instructionStart = run.instructionStart;
    this.currentIsWatched = run.isWatched;
    const tailEnd = this.resumeAscii(chunk, run.stoppedAt, false);
    return tailEnd >= 0 ? tailEnd : lastEnd;
  }

  /**
   * The resumable state machine over an all-ASCII chunk from `from`, one element per turn of the
   * loop, for elements that may begin or end outside the chunk. With `stopAtElementEnd` it returns
   * the position just past the first element it completes (-1: the chunk ended first); otherwise it
   * runs to the end of the chunk and returns the position just past the last instruction completed
   * (or -1). At the end of the chunk it leaves the state for the next one. (`scanUtf8` is its twin
   * for other chunks.)
   */
  private resumeAscii(chunk: Buffer, from: number, stopAtElementEnd: boolean): number {
    const end = chunk.length;
    const { maxElementLength, maxElements, maxDigits, watchLengths } = this;
    let { state, length, digits, remaining, elementCount, instructionStart, opcodeStart, currentIsWatched } = this;
    let lastEnd = -1;
    let p = from;

    for (;;) {
      if (state === LENGTH) {
        while (p < end) {
          const digit = chunk[p]! - DIGIT_0;
          if (digit < 0 || digit > 9) break;
          p++;
          length = length * 10 + digit;
          if (++digits > maxDigits || length > maxElementLength) throw protocolErrors.lengthPrefixTooLong(length, maxElementLength);
        }
        if (p === end) break;
        if (chunk[p] !== PERIOD || digits === 0) throw protocolErrors.notALengthPrefix();
        p++;
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
      if (terminator !== COMMA && terminator !== SEMICOLON) throw protocolErrors.wrongLength();
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
        throw protocolErrors.tooManyElements(maxElements);
      }
      if (stopAtElementEnd) {
        // Between elements: positions stay relative to this chunk, which the caller goes on framing.
        this.state = LENGTH;
        this.length = 0;
        this.digits = 0;
        this.remaining = 0;
        this.elementCount = elementCount;
        this.instructionStart = instructionStart;
        this.currentIsWatched = currentIsWatched;
        return p;
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
          // Fast path: no bounds checks, and no state kept, while reading the prefix. The checks
          // come in the state machine's order, so an error gets the same reason either way.
          let digit = chunk[p++]! - DIGIT_0;
          if (digit < 0 || digit > 9) throw protocolErrors.notALengthPrefix();
          length = digit;
          if (length > maxElementLength) throw protocolErrors.elementTooLong(maxElementLength);
          for (let byte = chunk[p++]!; byte !== PERIOD; byte = chunk[p++]!) {
            digit = byte - DIGIT_0;
            if (digit < 0 || digit > 9) throw protocolErrors.notALengthPrefix();
            length = length * 10 + digit;
            if (++digits >= maxDigits || length > maxElementLength) throw protocolErrors.lengthPrefixTooLong(length, maxElementLength);
          }
        } else {
          while (p < end) {
            const digit = chunk[p]! - DIGIT_0;
            if (digit < 0 || digit > 9) break;
            p++;
            length = length * 10 + digit;
            if (++digits > maxDigits || length > maxElementLength) throw protocolErrors.lengthPrefixTooLong(length, maxElementLength);
          }
          if (p === end) break;
          if (chunk[p] !== PERIOD || digits === 0) throw protocolErrors.notALengthPrefix();
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
      if (terminator !== COMMA && terminator !== SEMICOLON) throw protocolErrors.wrongLength();
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
        throw protocolErrors.tooManyElements(maxElements);
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
        if (byte >= 0xc0) throw continuation > 0 ? protocolErrors.invalidUtf8() : protocolErrors.wrongLength();
        if (byte >= 0x80) {
          // The last character's continuation bytes.
          if (continuation === 0) throw protocolErrors.invalidUtf8();
          continuation--;
          p++;
          continue;
        }
        if (continuation > 0) throw protocolErrors.invalidUtf8();
        break;
      }
      p++;
      if (byte < 0x80) {
        if (continuation > 0) throw protocolErrors.invalidUtf8();
        remaining--;
      } else if (byte < 0xc0) {
        if (continuation === 0) throw protocolErrors.invalidUtf8();
        continuation--;
      } else {
        if (continuation > 0 || byte >= 0xf8) throw protocolErrors.invalidUtf8();
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

/**
 * The loop's arithmetic is 32-bit: lengths of up to 8 digits (guacd's have 4) stay far from overflow,
 * and the limits themselves are passed as 32-bit integers. Other limits (tests' odd ones) get the
 * state machine alone.
 */
function fitsTheLoop(limits: ProtocolLimits): boolean {
  const { maxElementLength, maxElements } = limits;
  return Number.isInteger(maxElementLength) && maxElementLength >= 0 && maxElementLength <= 99_999_999 && Number.isInteger(maxElements) && maxElements > 0 && maxElements <= 0x7fff_ffff;
}

// The loop's settings are shared too, by every framer with the same limits and watched opcodes (every
// tunnel's): the loop then writes its table of watched opcodes once, not on each chunk.
const scanSettingsCache = new Map<string, ScanSettings>();
function scanSettingsFor(limits: ProtocolLimits, opcodes: readonly string[], watch: readonly Buffer[]): ScanSettings {
  const key = JSON.stringify([limits.maxElementLength, limits.maxElements, opcodes]);
  let settings = scanSettingsCache.get(key);
  if (!settings) {
    settings = scanSettings(limits, watch);
    scanSettingsCache.set(key, settings);
  }
  return settings;
}
