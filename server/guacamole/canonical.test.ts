import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isCanonicalInstructions, opcodeMatcher } from "./canonical.ts";
import { encodeInstruction } from "./instruction.ts";
import { guacdLimits, InstructionParser, ProtocolError, type ProtocolLimits } from "./parser.ts";

const anyOpcode = () => true;
const keysAndMice = opcodeMatcher(["key", "mouse", "size", "sync"]);
const canonical = (text: string, accept = keysAndMice, limits: ProtocolLimits = guacdLimits) =>
  isCanonicalInstructions(Buffer.from(text, "utf8"), limits, accept);

describe("isCanonicalInstructions", () => {
  it("accepts what guacamole-common-js sends: whole, ASCII instructions, one or several", () => {
    assert.ok(canonical("3.key,5.65307,1.1;"));
    assert.ok(canonical("5.mouse,3.512,3.384,1.1;5.mouse,3.513,3.384,1.0;"));
    assert.ok(canonical("4.size,4.1024,3.768,2.96;"));
    assert.ok(canonical("4.sync,10.1700000000;"));
    assert.ok(canonical("3.key,0.,1.1;"), "an empty element is 0.");
  });

  const refused: [string, string][] = [
    ["an empty message", ""],
    ["half an instruction", "3.key,5.65307"],
    ["an instruction and a half", "3.key,1.1,1.1;3.key"],
    ["a leading zero", "03.key,1.1,1.1;"],
    ["a leading zero on an empty element", "3.key,00.,1.1;"],
    ["a wrong length", "3.key,4.65307,1.1;"],
    ["a missing period", "3key,1.1,1.1;"],
    ["a non-ASCII value", "3.key,1.é,1.1;"],
    ["an opcode not accepted", "6.select,3.ssh;"],
    ["the internal opcode", "0.,4.ping,13.1700000000000;"],
    ["garbage after an instruction", "3.key,1.1,1.1;x"],
  ];
  for (const [label, text] of refused) {
    it(`refuses ${label}`, () => assert.equal(canonical(text), false));
  }

  it("refuses elements and instructions past the limits", () => {
    const limits = { maxElementLength: 4, maxElements: 3 };
    assert.ok(canonical("3.key,4.abcd,1.1;", anyOpcode, limits));
    assert.equal(canonical("3.key,5.abcde,1.1;", anyOpcode, limits), false);
    assert.equal(canonical("3.key,1.a,1.b,1.c;", anyOpcode, limits), false);
  });

  it("is true only for bytes equal to the re-encoding of what they parse to (random instructions and garbage)", () => {
    const limits = { maxElementLength: 12, maxElements: 6 };
    const element = fc.string({ unit: fc.constantFrom(..."ab0.;,é"), maxLength: 14 });
    const encoded = fc.array(fc.record({ opcode: fc.constantFrom("key", "mouse", "", "select"), args: fc.array(element, { maxLength: 7 }) }), { minLength: 1, maxLength: 4 })
      .map((instructions) => instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join(""));
    const garbage = fc.array(fc.constantFrom("0", "1", "3", "03", ".", ",", ";", "key", "a", "é"), { maxLength: 30 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(encoded, garbage), (text) => {
        const bytes = Buffer.from(text, "utf8");
        if (!isCanonicalInstructions(bytes, limits, keysAndMice)) return;
        const parser = new InstructionParser(limits);
        let instructions;
        try {
          instructions = parser.push(text);
        } catch (error) {
          assert.ok(!(error instanceof ProtocolError), `accepted bytes the parser rejects: ${text}`);
          throw error;
        }
        assert.ok(parser.atInstructionBoundary, "nothing left over");
        assert.equal(instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join(""), text);
        assert.ok(instructions.every(({ opcode }) => opcode === "key" || opcode === "mouse"));
      }),
      { numRuns: 1000 },
    );
  });

  it("accepts every encoding of ASCII instructions with accepted opcodes", () => {
    const element = fc.string({ unit: fc.constantFrom(..."ab0.;,"), maxLength: 30 });
    fc.assert(
      fc.property(fc.array(fc.record({ opcode: fc.constantFrom("key", "mouse"), args: fc.array(element, { maxLength: 5 }) }), { minLength: 1, maxLength: 4 }), (instructions) => {
        assert.ok(canonical(instructions.map(({ opcode, args }) => encodeInstruction(opcode, ...args)).join("")));
      }),
      { numRuns: 300 },
    );
  });
});

describe("opcodeMatcher", () => {
  it("matches exactly the listed opcodes, by their bytes", () => {
    const match = opcodeMatcher(["key", "mouse", "ack"]);
    const bytes = Buffer.from("xkeymouseackkeys", "latin1");
    assert.ok(match(bytes, 1, 4));
    assert.ok(match(bytes, 4, 9));
    assert.ok(match(bytes, 9, 12));
    assert.equal(match(bytes, 12, 16), false, "keys");
    assert.equal(match(bytes, 0, 3), false, "xke");
    assert.equal(match(bytes, 1, 1), false, "the empty opcode");
  });
});
