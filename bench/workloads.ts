// The workloads, their sizes (full and --quick) and the byte streams the synthetic guacd sends.
// Streams are built from whole instructions and repeated, so a stream's size is known exactly and
// the client can verify it by counting bytes.
import { randomBytes } from "node:crypto";
import type { Contender } from "./clients.ts";
import { seededRandom } from "./stats.ts";

export type Sizes = {
  /** Bytes of 8 KiB `blob` instructions (rounded to whole chunks). */
  blobBytes: number;
  /** Small drawing instructions in the stream (rounded to whole patterns). */
  smallInstructions: number;
  /** Measured repetitions of each throughput run; the table shows the median. */
  repetitions: number;
  /** Fraction of a throughput workload sent once, unmeasured, first (JIT warm-up, and it tells which contenders are slow). */
  warmupFraction: number;
  /** Full-size runs, unmeasured, before the measured ones (contenders measured once excepted). */
  warmupRuns: number;
  roundTripTunnels: number;
  /** Seconds per round of the round-trip workload. */
  roundTripSeconds: number;
  /** Rounds of the byte pipe and Labdeck, the pair the target compares, taken in turn. */
  roundTripRounds: number;
  /** Straight TCP and guacamole-lite (shown, not judged) take part in every n-th round only. */
  roundTripReferenceEvery: number;
  roundTripIntervalMs: number;
  idleTunnels: number;
};

export const fullSizes: Sizes = {
  blobBytes: 256 * 1024 * 1024,
  smallInstructions: 2_000_000,
  repetitions: 21,
  warmupFraction: 1 / 8,
  warmupRuns: 5,
  roundTripTunnels: 100,
  roundTripSeconds: 2,
  roundTripRounds: 60,
  roundTripReferenceEvery: 4,
  roundTripIntervalMs: 20,
  idleTunnels: 1_000,
};

export const quickSizes: Sizes = {
  blobBytes: 32 * 1024 * 1024,
  smallInstructions: 200_000,
  repetitions: 1,
  warmupFraction: 1 / 8,
  warmupRuns: 0,
  roundTripTunnels: 20,
  roundTripSeconds: 3,
  roundTripRounds: 1,
  roundTripReferenceEvery: 1,
  roundTripIntervalMs: 20,
  idleTunnels: 200,
};

/**
 * Who runs in round `round` of the key round trip, in order. The target compares Labdeck with the
 * byte pipe only, so those two take every round, back to back (round i of each is a pair of the
 * interval), one first in even rounds and the other in odd ones, so neither always follows the other.
 * Straight TCP and guacamole-lite are shown for reference and take one round in `referenceEvery`:
 * in every round they took half the time and left the judged pair half the rounds, and the p99
 * interval's width is set by how many rounds it rests on (the pairs' p99 hardly correlate: 0.03 over
 * the 30 pairs of the 2026-11-30 03:46 run, so pairing alone does not narrow it).
 */
export function roundTripOrder(round: number, sizes: Pick<Sizes, "roundTripReferenceEvery">): Contender[] {
  const reference: Contender[] = round % sizes.roundTripReferenceEvery === 0 ? ["tcp", "lite"] : [];
  const judged: Contender[] = round % 2 === 0 ? ["pipe", "labdeck"] : ["labdeck", "pipe"];
  return [...reference, ...judged];
}

/** How the synthetic guacd treats the sessions that open while a mode is set. */
export type GuacdMode =
  /** Wait for the client's first instruction, then send `chunk` `repeats` times as fast as backpressure allows. */
  | { kind: "stream"; stream: StreamName; repeats: number }
  /** Answer every `key,<id>,…` with `sync,<id>`; nop every 5 s like guacd. */
  | { kind: "echo" }
  /** Say nothing but a nop every 5 s, like an idle guacd session. */
  | { kind: "idle" };

export type StreamName = "blobs" | "small";

export type StreamChunk = { bytes: Buffer; instructions: number };

/** guacd's and guacamole-common-js's cap on one element: 8192 codepoints (6 KiB of data in base64). */
const blobBase64Length = 8192;
const blobsPerChunk = 16;

/** 16 `4.blob,1.0,8192.<base64>;` instructions (~128 KiB), each with its own random payload. */
function blobChunk(): StreamChunk {
  const parts: string[] = [];
  for (let i = 0; i < blobsPerChunk; i++) {
    const payload = randomBytes((blobBase64Length / 4) * 3).toString("base64");
    parts.push(`4.blob,1.0,${payload.length}.${payload};`);
  }
  return { bytes: Buffer.from(parts.join(""), "ascii"), instructions: blobsPerChunk };
}

const smallPerChunk = 5_000;

function element(value: string | number): string {
  const text = String(value);
  return `${text.length}.${text}`;
}

function instruction(opcode: string, ...args: (string | number)[]): string {
  return [opcode, ...args].map(element).join(",") + ";";
}

/**
 * 5,000 small drawing instructions as a terminal or desktop redraw produces them: `rect` + `cfill`
 * pairs (filled cells) and `copy` (scrolling, moved regions), with varied coordinates and colours.
 */
function smallChunk(): StreamChunk {
  // Seeded, so every run (and every contender) gets the same drawing stream.
  const random = seededRandom(0x1abdec);
  const int = (max: number) => Math.floor(random() * max);
  const parts: string[] = [];
  while (parts.length < smallPerChunk) {
    if (random() < 0.7 && parts.length + 2 <= smallPerChunk) {
      parts.push(instruction("rect", 0, int(1024), int(768), 8 + int(120), 8 + int(60)));
      parts.push(instruction("cfill", 14, 0, int(256), int(256), int(256), 255));
    } else {
      parts.push(instruction("copy", int(3) - 1, int(1024), int(768), 8 + int(120), 8 + int(60), 12, 0, int(1024), int(768)));
    }
  }
  return { bytes: Buffer.from(parts.join(""), "ascii"), instructions: smallPerChunk };
}

let cached: Record<StreamName, StreamChunk> | undefined;

/** The repeated unit of each stream (built once per process). */
export function streamChunks(): Record<StreamName, StreamChunk> {
  cached ??= { blobs: blobChunk(), small: smallChunk() };
  return cached;
}

/** Repeats of the stream's chunk closest to `target` (bytes for blobs, instructions for small), at least 1. */
export function repeatsFor(stream: StreamName, target: number): number {
  const chunk = streamChunks()[stream];
  const unit = stream === "blobs" ? chunk.bytes.length : chunk.instructions;
  return Math.max(1, Math.round(target / unit));
}
