// The framer's hot loop, `frameWholeElements`, runs in WebAssembly (framer-scan.wat, assembled into
// framer-scan.wasm): it frames every element of an all-ASCII chunk that lies wholly inside it, from an
// element start, and leaves the rest to framer.ts's resumable state machine.
//
// The module's memory holds a read buffer (`scanReadBuffer`, 256 KiB) that the tunnel's guacd sockets
// read into, so guacd's reads are framed where they land. Any other chunk is copied into a window of
// that memory, up to 64 KiB at a time.
import { readFileSync } from "node:fs";
import { maxLengthDigits, protocolErrors, type ProtocolError, type ProtocolLimits } from "./limits.ts";

const readBufferOffset = 131_072;
const readBufferSize = 262_144;
const windowOffset = 393_216;
const windowSize = 65_536;
const firstBytesOffset = 256;
const watchTableOffset = 512;
const watchTableSize = 4096 - watchTableOffset;
const watchedPairsOffset = 4096;

type ScanExports = {
  memory: WebAssembly.Memory;
  frame(
    p: number, end: number, instructionStart: number, elements: number, isWatched: number,
    maxElementLength: number, maxElements: number, maxDigits: number, watchLengths: number, maxSpan: number,
  ): number;
};

const scan = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL("./framer-scan.wasm", import.meta.url)))).exports as ScanExports;
const memory = Buffer.from(scan.memory.buffer);
const results = new Int32Array(scan.memory.buffer, 0, 10);
const maxWatchedPairs = 7680;
const watchedPairs = new Int32Array(scan.memory.buffer, watchedPairsOffset, maxWatchedPairs * 2);

/**
 * The buffer the tunnel's guacd sockets read into: a chunk that is a view of it is framed in place,
 * without a copy. Its content is only valid while the read that filled it is being handled.
 */
export const scanReadBuffer: Buffer = memory.subarray(readBufferOffset, readBufferOffset + readBufferSize);

/** A framer's limits and watched opcodes, prepared once for the scan. */
export type ScanSettings = {
  maxElementLength: number;
  maxElements: number;
  maxDigits: number;
  /** Bit n is set when some watched opcode is n bytes long (n < 32). */
  watchLengths: number;
  /** The longest instruction the skim hands on (bytes): shorter than the fewest bytes of one with too many elements. */
  maxSpan: number;
  /** The module's tables of watched opcodes: 256 first-byte flags, then a count and each length and its bytes. */
  watchTable: Buffer;
};

/** Bit n set for each watched opcode n bytes long: a first, cheap filter (opcodes of 32 bytes and more are never watched). */
export function watchLengthMask(watch: readonly Buffer[]): number {
  return watch.reduce((mask, opcode) => (opcode.length < 32 ? mask | (1 << opcode.length) : mask), 0);
}

export function scanSettings(limits: ProtocolLimits, watch: readonly Buffer[]): ScanSettings {
  // Only opcodes shorter than 32 bytes can be watched (the length mask has 32 bits).
  const watched = watch.filter((opcode) => opcode.length < 32);
  const firstBytes = Buffer.alloc(256);
  for (const opcode of watched) if (opcode.length > 0) firstBytes[opcode[0]!] = 1;
  const entries = Buffer.concat([Buffer.from([watched.length]), ...watched.map((opcode) => Buffer.concat([Buffer.from([opcode.length]), opcode]))]);
  if (watched.length > 255 || entries.length > watchTableSize) throw new RangeError("too many watched opcodes");
  const watchTable = Buffer.concat([firstBytes, entries]);
  return {
    maxElementLength: limits.maxElementLength,
    maxElements: limits.maxElements,
    maxDigits: maxLengthDigits(limits),
    watchLengths: watchLengthMask(watched),
    // An instruction with more than maxElements elements has at least 3 bytes for each ("0.,").
    maxSpan: Math.min(3 * (limits.maxElements + 1) - 1, 0x7fff_ffff),
    watchTable,
  };
}

/** Where `frameWholeElements` stopped. One object, reused by every call: read it before the next. */
export type WholeRun = {
  /** Position just past the last instruction completed, or -1. */
  lastEnd: number;
  /** Start of the first element not framed: the chunk ends in it (or soon after it starts). */
  stoppedAt: number;
  /** Start of that element's instruction. */
  instructionStart: number;
  /** Elements of that instruction before it. */
  elements: number;
  /** Whether that instruction's opcode is watched (known once elements > 0). */
  isWatched: boolean;
};

const run: WholeRun = { lastEnd: -1, stoppedAt: 0, instructionStart: 0, elements: 0, isWatched: false };
let skimmed = 0;
let walked = 0;

/** Bytes framed by skimming (two chains at once, decision 012) since the process started: for tests and the benchmark. */
export function skimmedBytes(): number {
  return skimmed;
}

/** Bytes the skim's chains walked (taken or not) since the process started: no byte should be walked over and over. */
export function skimWalkedBytes(): number {
  return walked;
}
let tableInMemory: Buffer | undefined;

/**
 * Frames the elements of an all-ASCII `chunk` from `from`, an element start of the instruction at
 * `instructionStart` with `elements` elements before it, up to the first element that may cross the
 * chunk's end. Appends (start, end) of each watched instruction completed to `watchedAt`. Throws
 * ProtocolError as framer.ts's state machine would on the same bytes.
 */
export function frameWholeElements(
  chunk: Buffer, from: number, instructionStart: number, elements: number, isWatched: boolean,
  settings: ScanSettings, watchedAt: number[],
): WholeRun {
  if (tableInMemory !== settings.watchTable) {
    settings.watchTable.copy(memory, firstBytesOffset);
    tableInMemory = settings.watchTable;
  }
  const inPlace = chunk.buffer === scan.memory.buffer;
  let p = from;
  let lastEnd = -1;
  for (;;) {
    // Chunk position x is at memory offset `offset + x`.
    const windowStart = p;
    const windowEnd = inPlace ? chunk.length : Math.min(chunk.length, p + windowSize);
    const offset = inPlace ? chunk.byteOffset : windowOffset - p;
    if (!inPlace) chunk.copy(memory, windowOffset, p, windowEnd);
    const code = scan.frame(
      offset + p, offset + windowEnd, offset + instructionStart, elements, isWatched ? 1 : 0,
      settings.maxElementLength, settings.maxElements, settings.maxDigits, settings.watchLengths, settings.maxSpan,
    );
    skimmed += results[7]!;
    walked += results[9]!;
    if (code !== 0) throw scanError(code, settings);
    if (results[0]! >= 0) lastEnd = results[0]! - offset;
    p = results[1]! - offset;
    instructionStart = results[2]! - offset;
    elements = results[3]!;
    isWatched = results[4] !== 0;
    for (let i = 0, count = results[5]! * 2; i < count; i++) watchedAt.push(watchedPairs[i]! - offset);
    // It stops early only when the watched pairs are full (then at an instruction's end) or near a
    // window's end that is not the chunk's; an element longer than a window is left to the caller.
    const stoppedEarly = results[5] === maxWatchedPairs || (windowEnd < chunk.length && p > windowStart);
    if (!stoppedEarly) break;
  }
  run.lastEnd = lastEnd;
  run.stoppedAt = p;
  run.instructionStart = instructionStart;
  run.elements = elements;
  run.isWatched = isWatched;
  return run;
}

/** The framer's errors for the module's error codes (see framer-scan.wat). */
function scanError(code: number, settings: ScanSettings): ProtocolError {
  switch (code) {
    case 1:
      return protocolErrors.notALengthPrefix();
    case 2:
      return protocolErrors.lengthPrefixTooLong(results[6]!, settings.maxElementLength);
    case 3:
      return protocolErrors.elementTooLong(settings.maxElementLength);
    case 4:
      return protocolErrors.tooManyElements(settings.maxElements);
    case 5:
      return protocolErrors.wrongLength();
    default:
      throw new Error(`framer-scan.wasm returned an unknown code ${code}`);
  }
}
