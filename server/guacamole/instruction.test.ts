import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codePointLength, encodeInstruction } from "./instruction.ts";
import { corpus } from "./test-corpus.ts";

describe("codePointLength", () => {
  const cases: Array<[string, number]> = [
    ["", 0],
    ["rect", 4],
    ["Café", 4],
    ["漢字", 2],
    ["😀", 1],
    ["a😀b🎉", 4],
    ["👍🏽", 2],
    ["👨‍👩‍👧", 5],
    ["\ud83d", 1], // lone high surrogate
    ["\ude00x", 2], // lone low surrogate
    ["\ude00\ud83d", 2], // low then high is not a pair
  ];
  for (const [value, expected] of cases) {
    it(`counts ${JSON.stringify(value)} as ${expected}`, () => assert.equal(codePointLength(value), expected));
  }

  it("agrees with the string iterator on long ASCII", () => {
    const value = "A".repeat(10_000);
    assert.equal(codePointLength(value), 10_000);
  });
});

describe("encodeInstruction", () => {
  for (const entry of corpus) {
    it(`encodes ${entry.label}`, () => assert.equal(encodeInstruction(entry.opcode, ...entry.args), entry.encoded));
  }

  it("encodes numbers in decimal", () => {
    assert.equal(encodeInstruction("error", "Too many", 0x031d), "5.error,8.Too many,3.797;");
  });

  it("encodes an opcode alone", () => assert.equal(encodeInstruction("nop"), "3.nop;"));

  it("encodes the internal tunnel-UUID instruction", () => {
    const uuid = "7d3f4c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
    assert.equal(encodeInstruction("", uuid), `0.,36.${uuid};`);
  });
});
