import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeInstruction, type Instruction } from "./instruction.ts";
import { createUtf8Decoder, guacdLimits, InstructionParser, ProtocolError, type ProtocolLimits } from "./parser.ts";
import { corpus, corpusText, unicodeText } from "./test-corpus.ts";

const expectedInstructions: Instruction[] = corpus.map(({ opcode, args }) => ({ opcode, args }));

function parseInPieces(pieces: readonly string[], limits?: ProtocolLimits): Instruction[] {
  const parser = new InstructionParser(limits);
  return pieces.flatMap((piece) => parser.push(piece));
}

function throwsReason(action: () => unknown, reason: ProtocolError["reason"]): void {
  assert.throws(action, (error) => error instanceof ProtocolError && error.reason === reason);
}

describe("InstructionParser.push", () => {
  for (const entry of corpus) {
    it(`parses ${entry.label} whole`, () => {
      assert.deepEqual(parseInPieces([entry.encoded]), [{ opcode: entry.opcode, args: entry.args }]);
    });
  }

  it("parses the whole corpus in one push", () => {
    assert.deepEqual(parseInPieces([corpusText]), expectedInstructions);
  });

  it("parses the corpus split at every UTF-16 index, surrogate halves included", () => {
    for (let cut = 0; cut <= corpusText.length; cut++) {
      const pieces = [corpusText.slice(0, cut), corpusText.slice(cut)];
      assert.deepEqual(parseInPieces(pieces), expectedInstructions, `cut at ${cut}`);
    }
  });

  it("parses the corpus one UTF-16 unit at a time", () => {
    assert.deepEqual(parseInPieces([...corpusText.split("")]), expectedInstructions);
  });

  it("keeps a trailing high surrogate until it knows whether a low half follows", () => {
    const parser = new InstructionParser();
    assert.deepEqual(parser.push("4.name,1.\ud83d"), []);
    assert.deepEqual(parser.push("\ude00;"), [{ opcode: "name", args: ["😀"] }]);
  });

  it("counts a lone surrogate as one codepoint", () => {
    assert.deepEqual(parseInPieces(["4.name,2.\ud83dx;"]), [{ opcode: "name", args: ["\ud83dx"] }]);
    assert.deepEqual(parseInPieces(["4.name,1.\ud83d", ";"]), [{ opcode: "name", args: ["\ud83d"] }]);
  });

  it("returns only instructions completed by this push and keeps the rest", () => {
    const parser = new InstructionParser();
    assert.deepEqual(parser.push("4.sync,1.1;4.rect,1"), [{ opcode: "sync", args: ["1"] }]);
    assert.ok(parser.pendingLength > 0);
    assert.deepEqual(parser.push(".0;"), [{ opcode: "rect", args: ["0"] }]);
    assert.equal(parser.pendingLength, 0);
  });

  it("accepts leading zeros within the digit limit", () => {
    assert.deepEqual(parseInPieces(["0004.sync;"]), [{ opcode: "sync", args: [] }]);
  });

  describe("lying lengths and garbage", () => {
    const malformed: Array<[string, string]> = [
      ["value shorter than declared", "4.syn;4.sync;"],
      ["value longer than declared", "3.sync;"],
      ["emoji counted as two", "4.name,2.😀;4.sync;"],
      ["missing terminator, next element follows", "4.sync1.a;"],
      ["non-digit length", "x.sync;"],
      ["sign in length", "-1.a;"],
      ["space in length", " 4.sync;"],
      ["empty length", ".;"],
      ["length without value", "4;"],
      ["terminator other than , or ;", "4.sync:"],
      ["comma then garbage", "4.sync,;"],
      ["newline between instructions", "4.sync;\n4.sync;"],
      ["HTTP request", "GET / HTTP/1.1\r\n"],
      ["JSON", '{"opcode":"sync"}'],
      ["too many digits with leading zeros", "00001.a;"],
    ];
    for (const [label, text] of malformed) {
      it(`rejects ${label} as malformed`, () => throwsReason(() => parseInPieces([text]), "malformed"));
    }
  });

  describe("limits", () => {
    const limits: ProtocolLimits = { maxElementLength: 10, maxElements: 4 };

    it("accepts an element exactly at the length limit, in codepoints", () => {
      const value = "😀".repeat(10);
      assert.deepEqual(parseInPieces([encodeInstruction("a", value)], limits), [{ opcode: "a", args: [value] }]);
    });

    it("rejects an element one over the length limit as soon as its length is read", () => {
      const parser = new InstructionParser(limits);
      throwsReason(() => parser.push("1.a,11."), "element_too_long");
    });

    it("accepts exactly the element limit", () => {
      assert.deepEqual(parseInPieces(["1.a,1.b,1.c,1.d;"], limits), [{ opcode: "a", args: ["b", "c", "d"] }]);
    });

    it("rejects one element over the limit as soon as its comma arrives", () => {
      const parser = new InstructionParser(limits);
      throwsReason(() => parser.push("1.a,1.b,1.c,1.d,"), "too_many_elements");
    });

    it("enforces guacd's limits by default: 8192 codepoints, 128 elements", () => {
      const longest = "x".repeat(guacdLimits.maxElementLength);
      assert.equal(parseInPieces([encodeInstruction("blob", longest)])[0]?.args[0], longest);
      throwsReason(() => parseInPieces([encodeInstruction("blob", longest + "x")]), "element_too_long");
      const most = Array.from({ length: guacdLimits.maxElements - 1 }, () => "1");
      assert.equal(parseInPieces([encodeInstruction("a", ...most)])[0]?.args.length, 127);
      throwsReason(() => parseInPieces([encodeInstruction("a", ...most, "1")]), "too_many_elements");
    });

    it("rejects absurd length digits after the first digit past the limit", () => {
      const parser = new InstructionParser();
      throwsReason(() => parser.push("99999"), "element_too_long");
      throwsReason(() => new InstructionParser().push("9".repeat(1000) + ".a;"), "element_too_long");
    });
  });

  it("stays broken after an error", () => {
    const parser = new InstructionParser();
    throwsReason(() => parser.push("x"), "malformed");
    throwsReason(() => parser.push("4.sync;"), "malformed");
  });
});

describe("InstructionParser properties", () => {
  const limits: ProtocolLimits = { maxElementLength: 20, maxElements: 5 };
  // Pieces that often form valid structure, so garbage reaches deep into the state machine.
  const fragments = ["0", "1", "2", "3", "9", ".", ",", ";", "a", "é", "😀", "\ud83d", "\ude00", "1.a", "2.😀", "4.sync;"];
  const piece = fc.oneof(fc.constantFrom(...fragments), unicodeText(4));

  it("throws nothing but ProtocolError on garbage, and buffers at most one instruction", () => {
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 12 }).map((p) => p.join("")), { maxLength: 12 }), (pushes) => {
        const parser = new InstructionParser(limits);
        try {
          for (const text of pushes) {
            parser.push(text);
            assert.ok(parser.pendingLength <= limits.maxElements * 2 * limits.maxElementLength);
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips encodeInstruction for any opcode and arguments, split anywhere", () => {
    const element = unicodeText(12);
    const instruction = fc.record({ opcode: element, args: fc.array(element, { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(instruction, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (instructions, cuts) => {
        const text = instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join("");
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...points].map((start, i) => text.slice(start, points[i] ?? text.length));
        const plain = instructions.map(({ opcode, args }) => ({ opcode, args: [...args] }));
        assert.deepEqual(parseInPieces(pieces), plain);
      }),
      { numRuns: 300 },
    );
  });
});

describe("createUtf8Decoder", () => {
  const text = "a é 漢 😀 z";
  const bytes = Buffer.from(text, "utf8");

  it("decodes multi-byte characters split at every byte", () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decode = createUtf8Decoder();
      assert.equal(decode(bytes.subarray(0, cut)) + decode(bytes.subarray(cut)), text, `cut at ${cut}`);
    }
  });

  it("decodes one byte at a time", () => {
    const decode = createUtf8Decoder();
    assert.equal([...bytes].map((byte) => decode(Uint8Array.of(byte))).join(""), text);
  });

  it("keeps a leading byte order mark as content", () => {
    assert.equal(createUtf8Decoder()(Buffer.from("\ufeff4.sync;", "utf8")), "\ufeff4.sync;");
  });

  const invalid: Array<[string, number[]]> = [
    ["a lone continuation byte", [0x61, 0x80]],
    ["a truncated sequence followed by ASCII", [0xe6, 0xbc, 0x61]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["a byte that never occurs", [0xff]],
    ["a codepoint past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [label, sequence] of invalid) {
    it(`throws invalid_utf8 on ${label}`, () => {
      const decode = createUtf8Decoder();
      throwsReason(() => decode(Uint8Array.from(sequence)), "invalid_utf8");
      throwsReason(() => decode(Buffer.from("ok")), "invalid_utf8");
    });
  }

  it("never throws anything but ProtocolError on random bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 8 }), (chunks) => {
        const decode = createUtf8Decoder();
        try {
          for (const chunk of chunks) decode(chunk);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});
