import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InstructionFramer } from "./framer.ts";
import { encodeInstruction, type Instruction } from "./instruction.ts";
import { guacdLimits, InstructionParser, ProtocolError, type ProtocolLimits } from "./parser.ts";
import { corpus, corpusText, unicodeText } from "./test-corpus.ts";

const corpusBytes = Buffer.from(corpusText, "utf8");

/** Byte offsets just past each instruction of the corpus. */
const corpusBoundaries = corpus.reduce<number[]>((ends, entry) => {
  ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(entry.encoded, "utf8"));
  return ends;
}, []);

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length));
}

/**
 * Pushes every chunk and assembles the WebSocket messages a relay sends from the framer's answers (each
 * message ends where `end` says an instruction ended), checking after each chunk that the messages
 * are exactly the whole instructions received so far and that each parses on its own.
 */
function frameAll(chunks: readonly Buffer[], framer = new InstructionFramer(), boundaries?: readonly number[]) {
  const messages: Buffer[] = [];
  const watched: Instruction[] = [];
  let open: Buffer[] = [];
  let received = 0;
  let emittedLength = 0;
  for (const chunk of chunks) {
    const { end, watched: found } = framer.push(chunk);
    received += chunk.length;
    if (end >= 0) {
      const message = Buffer.concat([...open, chunk.subarray(0, end)]);
      new InstructionParser().push(message.toString("utf8")); // whole instructions, valid UTF-8
      messages.push(message);
      emittedLength += message.length;
      open = [chunk.subarray(end)];
    } else {
      open.push(chunk);
    }
    watched.push(...found);
    if (boundaries) {
      const lastWhole = boundaries.filter((boundary) => boundary <= received).at(-1) ?? 0;
      assert.equal(emittedLength, lastWhole, `after ${received} bytes`);
    }
    assert.equal(framer.pendingLength, received - emittedLength);
  }
  return { emitted: Buffer.concat(messages), messages, watched };
}

/** What one push of `chunk` completes: the bytes up to the end of its last whole instruction. */
function completed(framer: InstructionFramer, chunk: Buffer): Buffer | undefined {
  const { end } = framer.push(chunk);
  return end < 0 ? undefined : chunk.subarray(0, end);
}

function throwsReason(action: () => unknown, reason: ProtocolError["reason"]): void {
  assert.throws(action, (error) => error instanceof ProtocolError && error.reason === reason);
}

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));

describe("InstructionFramer.push", () => {
  it("finds the end of the whole corpus in one chunk, and keeps nothing", () => {
    const framer = new InstructionFramer();
    assert.deepEqual(framer.push(corpusBytes), { end: corpusBytes.length, watched: [] });
    assert.equal(framer.pendingLength, 0);
    assert.equal(framer.heldLength, 0);
  });

  it("emits exactly the whole instructions when split at every byte (2-, 3- and 4-byte characters)", () => {
    for (let cut = 0; cut <= corpusBytes.length; cut++) {
      const { emitted } = frameAll(splitAt(corpusBytes, [cut]), undefined, corpusBoundaries);
      assert.deepEqual(emitted, corpusBytes, `cut at ${cut}`);
    }
  });

  it("emits exactly the whole instructions when split at every pair of bytes", () => {
    for (let first = 1; first < corpusBytes.length; first += 3) {
      for (let second = first + 1; second < corpusBytes.length; second += 5) {
        const { emitted } = frameAll(splitAt(corpusBytes, [first, second]), undefined, corpusBoundaries);
        assert.deepEqual(emitted, corpusBytes, `cuts at ${first} and ${second}`);
      }
    }
  });

  it("carries one instruction over many one-byte chunks", () => {
    const chunks = [...corpusBytes].map((byte) => Buffer.of(byte));
    const { emitted } = frameAll(chunks, undefined, corpusBoundaries);
    assert.deepEqual(emitted, corpusBytes);
  });

  it("frames 8 KiB blob instructions in chunks of many sizes", () => {
    const blob = encodeInstruction("blob", "7", "QUJD".repeat(2016));
    const stream = Buffer.from(blob.repeat(5) + "4.sync,3.123;", "ascii");
    for (const size of [1, 7, 1000, 4096, 8192, 8205, 65536, stream.length]) {
      const chunks = Array.from({ length: Math.ceil(stream.length / size) }, (_, i) => stream.subarray(i * size, (i + 1) * size));
      assert.deepEqual(frameAll(chunks).emitted, stream, `chunks of ${size}`);
    }
  });

  it("frames a long non-ASCII value mixed with ASCII runs", () => {
    const value = "a".repeat(100) + "é漢😀".repeat(50) + "b".repeat(100);
    const stream = Buffer.from(encodeInstruction("name", value) + encodeInstruction("blob", "1", "x".repeat(500)), "utf8");
    for (const size of [1, 3, 50, 333, stream.length]) {
      const chunks = Array.from({ length: Math.ceil(stream.length / size) }, (_, i) => stream.subarray(i * size, (i + 1) * size));
      assert.deepEqual(frameAll(chunks).emitted, stream, `chunks of ${size}`);
    }
  });

  it("reports no end until an instruction completes", () => {
    const framer = new InstructionFramer();
    assert.deepEqual(framer.push(Buffer.from("4.sy")), { end: -1, watched: [] });
    assert.deepEqual(framer.push(Buffer.from("nc;")), { end: 3, watched: [] });
  });

  it("reports the end of the last instruction in each chunk and counts the open one", () => {
    const framer = new InstructionFramer();
    assert.equal(completed(framer, Buffer.from("4.sync;4.rect,1.0"))?.toString(), "4.sync;");
    assert.equal(framer.pendingLength, 10);
    assert.equal(completed(framer, Buffer.from(";3.nop;5.er"))?.toString(), ";3.nop;");
    assert.equal(framer.pendingLength, 4);
    assert.equal(framer.heldLength, 0, "nothing is kept without a watch list");
  });

  it("keeps an open instruction's bytes only while its opcode may be watched", () => {
    const framer = new InstructionFramer({ watch: ["error"] });
    framer.push(Buffer.from("4.sync;5.er"));
    assert.equal(framer.heldLength, 4, "opcode not known yet");
    framer.push(Buffer.from("ror,3.abc"));
    assert.equal(framer.heldLength, 13, "watched: kept until it completes");
    assert.deepEqual(framer.push(Buffer.from(",3.519;4.rect,1.0")).watched, [{ opcode: "error", args: ["abc", "519"] }]);
    assert.equal(framer.heldLength, 0, "rect is not watched");
  });

  describe("watched instructions", () => {
    const stream = bytes("4.sync;3.nop;5.error,11.Café closed,3.519;4.rect,1.0;6.errors;");

    it("parses only watched opcodes, whole or split at every byte", () => {
      for (let cut = 0; cut <= stream.length; cut++) {
        const { emitted, watched } = frameAll(splitAt(stream, [cut]), new InstructionFramer({ watch: ["error", "nop"] }));
        assert.deepEqual(emitted, stream);
        assert.deepEqual(watched, [
          { opcode: "nop", args: [] },
          { opcode: "error", args: ["Café closed", "519"] },
        ], `cut at ${cut}`);
      }
    });

    it("matches the internal opcode \"\" and non-ASCII opcodes", () => {
      const framer = new InstructionFramer({ watch: ["", "é"] });
      const output = framer.push(bytes("0.,4.ping,1.1;1.é,1.🎉;1.e;"));
      assert.equal(output.end, bytes("0.,4.ping,1.1;1.é,1.🎉;1.e;").length);
      assert.deepEqual(output.watched, [
        { opcode: "", args: ["ping", "1"] },
        { opcode: "é", args: ["🎉"] },
      ]);
    });

    it("reports nothing without a watch list", () => {
      assert.deepEqual(new InstructionFramer().push(stream).watched, []);
    });
  });

  describe("malformed input", () => {
    const malformed: Array<[string, Buffer]> = [
      ["value shorter than declared", bytes("4.syn;4.sync;")],
      ["value longer than declared", bytes("3.sync;")],
      ["emoji counted as two codepoints", bytes("4.name,2.😀;4.sync;")],
      ["accent counted as two bytes", bytes("2.é;4.sync;")],
      ["non-digit length", bytes("x.sync;")],
      ["empty length", bytes(".;")],
      ["missing terminator", bytes("4.sync1.a;")],
      ["wrong terminator", bytes("4.sync:")],
      ["newline between instructions", bytes("4.sync;\n")],
      ["too many digits with leading zeros", bytes("00001.a;")],
      ["HTTP response", bytes("HTTP/1.1 200 OK\r\n")],
      ["non-ASCII where a length belongs", bytes("é.a;")],
    ];
    for (const [label, input] of malformed) {
      it(`rejects ${label} as malformed`, () => throwsReason(() => new InstructionFramer().push(input), "malformed"));
    }

    it("emits nothing from a chunk that contains an error, even after whole instructions", () => {
      const framer = new InstructionFramer();
      throwsReason(() => framer.push(bytes("4.sync;x")), "malformed");
    });

    it("stays broken after an error", () => {
      const framer = new InstructionFramer();
      throwsReason(() => framer.push(bytes("x")), "malformed");
      throwsReason(() => framer.push(bytes("4.sync;")), "malformed");
    });
  });

  describe("limits", () => {
    const limits: ProtocolLimits = { maxElementLength: 10, maxElements: 4 };

    it("accepts an element exactly at the length limit, in codepoints", () => {
      const input = Buffer.from(encodeInstruction("a", "😀".repeat(10)), "utf8");
      assert.deepEqual(completed(new InstructionFramer({ limits }), input), input);
    });

    it("rejects an element one over the length limit as soon as its length is read", () => {
      throwsReason(() => new InstructionFramer({ limits }).push(bytes("1.a,11")), "element_too_long");
    });

    it("accepts exactly the element limit and rejects one more at its comma", () => {
      const exact = bytes("1.a,1.b,1.c,1.d;");
      assert.deepEqual(completed(new InstructionFramer({ limits }), exact), exact);
      throwsReason(() => new InstructionFramer({ limits }).push(bytes("1.a,1.b,1.c,1.d,")), "too_many_elements");
    });

    it("enforces guacd's limits by default", () => {
      const longest = "x".repeat(guacdLimits.maxElementLength);
      const atLimit = Buffer.from(encodeInstruction("blob", longest));
      assert.deepEqual(completed(new InstructionFramer(), atLimit), atLimit);
      throwsReason(() => new InstructionFramer().push(Buffer.from(encodeInstruction("blob", longest + "x"))), "element_too_long");
      const most = Array.from({ length: guacdLimits.maxElements - 1 }, () => "1");
      const manyAtLimit = Buffer.from(encodeInstruction("a", ...most));
      assert.deepEqual(completed(new InstructionFramer(), manyAtLimit), manyAtLimit);
      throwsReason(() => new InstructionFramer().push(Buffer.from(encodeInstruction("a", ...most, "1"))), "too_many_elements");
    });

    it("rejects absurd length digits without buffering them", () => {
      throwsReason(() => new InstructionFramer().push(bytes("4.sync;99999")), "element_too_long");
      throwsReason(() => new InstructionFramer().push(Buffer.from("9".repeat(100_000))), "element_too_long");
    });
  });

  describe("invalid UTF-8", () => {
    const invalid: Array<[string, Buffer]> = [
      ["a lone continuation byte", bytes("2.a", [0x80], ";")],
      ["a truncated sequence before the terminator", bytes("1.", [0xe6, 0xbc], ";")],
      ["a truncated sequence before ASCII", bytes("2.", [0xe6], "a;")],
      ["an overlong encoding", bytes("1.", [0xc0, 0xaf], ";")],
      ["a UTF-16 surrogate", bytes("1.", [0xed, 0xa0, 0x80], ";")],
      ["a byte that never occurs", bytes("1.", [0xff], ";")],
      ["a codepoint past U+10FFFF", bytes("1.", [0xf4, 0x90, 0x80, 0x80], ";")],
      ["invalid bytes in a long value", bytes("40.", "a".repeat(39), [0xc3], ";")],
    ];
    for (const [label, input] of invalid) {
      it(`rejects ${label}`, () => throwsReason(() => new InstructionFramer().push(input), "invalid_utf8"));
      it(`rejects ${label} split at every byte`, () => {
        for (let cut = 1; cut < input.length; cut++) {
          const framer = new InstructionFramer();
          throwsReason(() => splitAt(input, [cut]).forEach((chunk) => framer.push(chunk)), "invalid_utf8");
        }
      });
    }

    it("rejects invalid bytes in the chunk they arrive in, before their instruction completes", () => {
      throwsReason(() => new InstructionFramer().push(bytes("1.", [0xc0, 0xaf])), "invalid_utf8");
    });

    it("rejects a character cut short when the chunk that follows is ASCII", () => {
      const framer = new InstructionFramer();
      assert.deepEqual(completed(framer, bytes("4.sync;1.", [0xe6, 0xbc])), bytes("4.sync;"));
      throwsReason(() => framer.push(bytes(";")), "invalid_utf8");
    });
  });
});

describe("InstructionFramer properties", () => {
  const limits: ProtocolLimits = { maxElementLength: 20, maxElements: 5 };
  const maxInstructionBytes = limits.maxElements * (String(limits.maxElementLength).length + 2 + 4 * limits.maxElementLength);
  const protocolBytes = fc.constantFrom(
    ...["0", "1", "2", "3", "9", ".", ",", ";", "a", "é", "漢", "😀", "1.a", "2.😀", "4.sync;", "3.nop;", "5.error,1.x,3.519;"].map((text) => Buffer.from(text, "utf8")),
    Buffer.of(0x80),
    Buffer.of(0xe6),
    Buffer.of(0xff),
  );
  const garbage = fc.array(fc.oneof(protocolBytes, fc.uint8Array({ maxLength: 4 }).map((array) => Buffer.from(array))), { maxLength: 40 });

  it("throws nothing but ProtocolError on garbage, and keeps at most one instruction", () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 6 }), (parts, cuts) => {
        const input = Buffer.concat(parts);
        const framer = new InstructionFramer({ watch: ["error", "nop"], limits });
        try {
          for (const chunk of splitAt(input, cuts.map((cut) => cut % (input.length + 1)))) {
            framer.push(chunk);
            assert.ok(framer.heldLength <= maxInstructionBytes);
            assert.ok(framer.heldLength <= framer.pendingLength);
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with InstructionParser on garbage text: both reject, or emit what the parser parses", () => {
    fc.assert(
      fc.property(garbage, (parts) => {
        const text = Buffer.concat(parts).toString("utf8"); // valid UTF-8, so only structure differs
        let parsed: Instruction[] | undefined;
        let framed: Buffer | undefined;
        try {
          parsed = new InstructionParser(limits).push(text);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
        try {
          framed = completed(new InstructionFramer({ limits }), Buffer.from(text, "utf8")) ?? Buffer.alloc(0);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
        assert.equal(framed === undefined, parsed === undefined, "one rejected what the other accepted");
        if (framed && parsed) assert.deepEqual(new InstructionParser(limits).push(framed.toString("utf8")), parsed);
      }),
      { numRuns: 500 },
    );
  });

  it("emits exactly the input bytes of encoded instructions split anywhere, and parses watched ones", () => {
    const element = unicodeText(12);
    const opcode = fc.oneof(fc.constantFrom("error", "nop", "sync"), element);
    const instruction = fc.record({ opcode, args: fc.array(element, { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(instruction, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (instructions, cuts) => {
        const input = Buffer.from(instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join(""), "utf8");
        const chunks = splitAt(input, cuts.map((cut) => cut % (input.length + 1)));
        const { emitted, watched } = frameAll(chunks, new InstructionFramer({ watch: ["error", "nop"] }));
        assert.deepEqual(emitted, input);
        const expected = instructions.filter(({ opcode }) => opcode === "error" || opcode === "nop").map(({ opcode, args }) => ({ opcode, args: [...args] }));
        assert.deepEqual(watched, expected);
      }),
      { numRuns: 300 },
    );
  });
});
