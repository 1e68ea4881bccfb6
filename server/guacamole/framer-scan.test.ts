// The framer's WebAssembly loop (framer-scan.wat) against the resumable state machine it stands in for:
// on any input, the framer with the loop and the framer without it (fastPath: false) must say the same
// thing, chunk by chunk, errors included. And the .wasm that runs is exactly the .wat assembled.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { assembleWat } from "../../scripts/wasm-modules.mjs";
import { InstructionFramer, type FramerOptions } from "./framer.ts";
import { scanReadBuffer, skimmedBytes, skimWalkedBytes } from "./framer-scan.ts";
import { encodeInstruction } from "./instruction.ts";
import { guacdLimits, ProtocolError, type ProtocolLimits } from "./limits.ts";

const here = dirname(fileURLToPath(import.meta.url));

type Step = { end: number; watched: unknown; pending: number; held: number } | { error: string; message: string };

/** What a framer reports for each chunk, until it throws (the error ends the list). */
function framing(chunks: readonly Buffer[], options: FramerOptions, inPlace = false): Step[] {
  const framer = new InstructionFramer(options);
  const steps: Step[] = [];
  for (const chunk of chunks) {
    let input = chunk;
    if (inPlace && chunk.length <= scanReadBuffer.length) {
      chunk.copy(scanReadBuffer);
      input = scanReadBuffer.subarray(0, chunk.length);
    }
    try {
      const { end, watched } = framer.push(input);
      steps.push({ end, watched, pending: framer.pendingLength, held: framer.heldLength });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      steps.push({ error: error.reason, message: error.message });
      break;
    }
  }
  return steps;
}

/** Asserts the loop and the state machine agree on these chunks, read in place and copied. */
function assertSameFraming(chunks: readonly Buffer[], options: Omit<FramerOptions, "fastPath"> = {}): void {
  const reference = framing(chunks, { ...options, fastPath: false });
  assert.deepEqual(framing(chunks, options), reference);
  assert.deepEqual(framing(chunks, options, true), reference);
}

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length));
}

const bytes = (text: string) => Buffer.from(text, "latin1");

describe("framer-scan.wasm", () => {
  // wabt is pinned in package.json: another version may assemble the same text into other bytes.
  it("is framer-scan.wat assembled (run `npm run build:wasm` after editing the .wat or updating wabt)", async () => {
    const assembled = await assembleWat(join(here, "framer-scan.wat"));
    assert.deepEqual(readFileSync(join(here, "framer-scan.wasm")), assembled);
  });
});

describe("frameWholeElements (through InstructionFramer) agrees with the state machine", () => {
  const small = Buffer.from(
    Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0 ? encodeInstruction("rect", 0, i % 1024, i % 768, 64, 32) : i % 3 === 1 ? encodeInstruction("cfill", 14, 0, i % 256, 7, 99, 255) : encodeInstruction("error", "busy", 519),
    ).join(""),
    "latin1",
  );

  it("on small drawing instructions split at every offset of a short stretch", () => {
    const stretch = small.subarray(0, 400);
    for (let cut = 0; cut <= stretch.length; cut++) assertSameFraming(splitAt(stretch, [cut]), { watch: ["error"] });
  });

  it("on a stream longer than the scan's 64 KiB window, in one chunk and in socket-sized reads", () => {
    const stream = Buffer.concat(Array.from({ length: 6 }, () => small));
    assert.ok(stream.length > 2 * 65_536);
    assertSameFraming([stream], { watch: ["error"] });
    const reads: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65_536) reads.push(stream.subarray(at, at + 65_536));
    assertSameFraming(reads, { watch: ["error"] });
  });

  it("reports every watched instruction when a chunk holds more than the module has room for (7680)", () => {
    const nops = bytes("3.nop;".repeat(10_000));
    const [step] = framing([nops], { watch: ["nop"] });
    assert.ok(step && "watched" in step);
    assert.equal((step.watched as unknown[]).length, 10_000);
    assertSameFraming([nops], { watch: ["nop"] });
  });

  it("on 8 KiB blob instructions, elements at guacd's length limit", () => {
    const blob = encodeInstruction("blob", 0, "A".repeat(guacdLimits.maxElementLength));
    const stream = bytes(blob.repeat(20));
    for (const size of [1000, 8191, 8192, 8209, 65_536]) {
      const cuts = Array.from({ length: Math.ceil(stream.length / size) }, (_, i) => i * size);
      assertSameFraming(splitAt(stream, cuts), { watch: ["error"] });
    }
  });

  const errors: [string, string][] = [
    ["a letter in a length prefix", "4.sync;4x.sync;"],
    ["a prefix without digits", "4.sync;.sync;"],
    ["five digits (too long)", "4.sync;12345.x;"],
    ["leading zeros past the digit limit", "4.sync;00004.sync;"],
    ["a length over the limit", "4.sync;9000.x;"],
    ["a length over the limit, its prefix unfinished", "4.sync;9000x"],
    ["a wrong length", "4.sync;3.sync;"],
    ["one element too many", `4.sync;${"1.a,".repeat(128)}1.a;`],
  ];
  for (const [label, text] of errors) {
    it(`reports ${label} exactly as the state machine does, and as the UTF-8 path does`, () => {
      const input = bytes(text + "4.sync;".repeat(10));
      const error = framing([input], {}).at(-1);
      assert.ok(error && "error" in error, "the framer rejects it");
      assertSameFraming([input]);
      for (let cut = 0; cut <= text.length; cut++) assertSameFraming(splitAt(input, [cut]));
      // The same bytes in a chunk that is not all ASCII go through scanUtf8.
      const nonAscii = Buffer.concat([Buffer.from("1.é;", "utf8"), input]);
      assert.deepEqual(framing([nonAscii], {}).at(-1), error);
    });
  }

  describe("skimming runs of small instructions (two chains at once)", () => {
    // Pieces the skim takes (one-digit prefixes) and every kind of thing it must stop before: longer
    // prefixes, watched opcodes ("" included), ";" and "," inside values (a wrong guess for chain B's
    // start), instructions of the fewest bytes at the element limit and one over it, values over a
    // length limit under 9, non-protocol bytes.
    const stream = (limits: ProtocolLimits) => {
      // Within the element limit, so that a stream goes on long enough for the skim to matter; under a
      // small limit, short enough for it to be taken (the skim stops before any instruction that is
      // long enough to have too many elements).
      const plain = fc.tuple(fc.constantFrom("rect", "cfill", "copy", "", "a;b", "x,"), fc.array(fc.nat({ max: 999_999_999 }), { maxLength: Math.min(9, limits.maxElements - 1) }));
      const drawing = plain.map(([opcode, args]) => encodeInstruction(opcode, ...args.map((n) => String(n % 10 ** (1 + (n % 9))))));
      const compact = fc.array(fc.constantFrom("0.", "1.a", "1.;"), { minLength: 1, maxLength: limits.maxElements }).map((elements) => `${elements.join(",")};`);
      const piece = fc.oneof(
        { weight: 30, arbitrary: limits.maxElements > 8 ? drawing : compact },
        { weight: 1, arbitrary: fc.constantFrom(encodeInstruction("sync", "1701234567890"), encodeInstruction("error", "busy", 519), encodeInstruction("name", "a;1.b,2.cd;"), encodeInstruction("blob", 0, "QUJD".repeat(40))) },
        { weight: 1, arbitrary: fc.constantFrom(`4.rect${",1.0".repeat(200)};`, "4.rect,1.0,1.0;;", "4.rect,1.x;", "4.rect,1.0:", "4.rect,2.-1,.;", "1\u0000.;", "4.rect,3.ab;", "4.rect,:.abcdefghij;", "4.rect,/.;") },
        { weight: 1, arbitrary: fc.constantFrom(`${"0.,".repeat(limits.maxElements - 1)}0.;`, `${"0.,".repeat(limits.maxElements)}0.;`) },
      );
      return fc.array(piece, { minLength: 20, maxLength: 400 }).map((pieces) => bytes(pieces.join("")));
    };
    const cuts = fc.array(fc.nat(), { maxLength: 4 });
    const cases: [string, ProtocolLimits][] = [
      ["guacd's limits", guacdLimits],
      ["few elements", { maxElementLength: 9, maxElements: 4 }],
      ["values of at most 8", { maxElementLength: 8, maxElements: 128 }],
    ];
    // Watching "" stops the skim before every instruction with an empty opcode, the shortest ones
    // included: both ways are tried.
    for (const [name, limits] of cases) {
      for (const watch of [["error"], ["error", ""]]) {
        it(`agrees with the state machine on long mixed streams split anywhere (${name}, watching ${JSON.stringify(watch)})`, () => {
          fc.assert(
            fc.property(stream(limits), cuts, (input, at) => {
              assertSameFraming(splitAt(input, at.map((cut) => cut % (input.length + 1))), { watch, limits });
            }),
            { numRuns: 100 },
          );
        });
      }
    }

    it("walks no stretch over and over when it keeps stopping before watched instructions", () => {
      const input = bytes(Array.from({ length: 9000 }, (_, i) => (i % 3 === 2 ? encodeInstruction("error", "busy", 519) : encodeInstruction("rect", 0, i % 1000, 7, 64, 32))).join(""));
      const before = skimWalkedBytes();
      assertSameFraming([input], { watch: ["error"] });
      // Twice framed with the loop (in place and copied): each byte walked about once each time.
      const walkedPerByte = (skimWalkedBytes() - before) / (2 * input.length);
      assert.ok(walkedPerByte < 1.5, `walked ${walkedPerByte} times`);
    });

    it("skims nearly all of a stream of small drawing instructions, and nothing of a stream of blobs", () => {
      const drawing = bytes(Array.from({ length: 4000 }, (_, i) => encodeInstruction(i % 2 ? "rect" : "cfill", 0, i % 1000, i % 700, 64, 32)).join(""));
      const blobs = bytes(encodeInstruction("blob", 0, "QUJD".repeat(2000)).repeat(10));
      for (const [stream, least, most] of [[drawing, 0.95, 1], [blobs, 0, 0]] as const) {
        const before = skimmedBytes();
        assertSameFraming([stream], { watch: ["error"] });
        // assertSameFraming frames it twice with the loop (in place and copied).
        const share = (skimmedBytes() - before) / (2 * stream.length);
        assert.ok(share >= least && share <= most, `skimmed ${share}`);
      }
    });

    it("agrees when a value holds a \";\" where chain B would start, at every offset around the middle", () => {
      const run = encodeInstruction("rect", 0, 1, 2, 3, 4).repeat(30);
      // Each "0.;" before moves the middle 1.5 bytes along the value.
      for (let shift = 0; shift < 60; shift++) {
        const input = bytes("0.;".repeat(shift) + run + encodeInstruction("name", ";;;1.a;".repeat(3)) + run);
        assertSameFraming([input], { watch: ["error"] });
      }
    });
  });

  it("leaves limits beyond 32 bits to the state machine", () => {
    const input = bytes("4.sync,3.123,2.ab;".repeat(3));
    for (const limits of [{ maxElementLength: Infinity, maxElements: 128 }, { maxElementLength: 8192, maxElements: Infinity }, { maxElementLength: 8192, maxElements: 2 ** 31 }, { maxElementLength: 1e9, maxElements: 128 }]) {
      const [step] = framing([input], { limits });
      assert.ok(step && "end" in step && step.end === input.length, `${JSON.stringify(limits)}: ${JSON.stringify(step)}`);
    }
  });

  describe("properties", () => {
    const limits: ProtocolLimits = { maxElementLength: 20, maxElements: 5 };
    // Mostly ASCII protocol pieces (the loop only sees all-ASCII chunks), some non-ASCII.
    const piece = fc.constantFrom(
      ...["0", "1", "2", "9", ".", ",", ";", "a", "1.a", "2.ab", "0.", "4.sync;", "3.nop;", "5.error,1.x,3.519;", "4.rect,1.0,2.10,2.20;", "99999.", "00", "é"].map(bytes),
    );
    const garbage = fc.array(piece, { maxLength: 60 }).map((parts) => Buffer.concat(parts));
    const cuts = fc.array(fc.nat(), { maxLength: 6 });

    // Limits under 10 take the loop's one-digit path to its own limit check.
    const tiny: ProtocolLimits = { maxElementLength: 5, maxElements: 3 };
    for (const [name, framerLimits] of [["small limits", limits], ["guacd's limits", guacdLimits], ["limits under 10", tiny]] as const) {
      it(`agree on garbage split anywhere (${name})`, () => {
        fc.assert(
          fc.property(garbage, cuts, (input, at) => {
            assertSameFraming(splitAt(input, at.map((cut) => cut % (input.length + 1))), { watch: ["error", "nop", ""], limits: framerLimits });
          }),
          { numRuns: 400 },
        );
      });
    }

    const element = fc.string({ unit: fc.constantFrom(..."ab0;,.é"), maxLength: 12 });
    const instruction = fc.record({ opcode: fc.oneof(fc.constantFrom("error", "nop", "sync", ""), element), args: fc.array(element, { maxLength: 6 }) });
    // Under the small limits many elements are too long, one-digit prefixes included.
    for (const [name, framerLimits] of [["guacd's limits", guacdLimits], ["limits under 10", { maxElementLength: 5, maxElements: 8 }]] as const) {
      it(`agree on encoded instructions split anywhere (${name})`, () => {
        fc.assert(
          fc.property(fc.array(instruction, { minLength: 1, maxLength: 12 }), cuts, (instructions, at) => {
            const input = Buffer.from(instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join(""), "utf8");
            assertSameFraming(splitAt(input, at.map((cut) => cut % (input.length + 1))), { watch: ["error", "nop"], limits: framerLimits });
          }),
          { numRuns: 300 },
        );
      });
    }
  });
});
