// Instructions shared by the codec, parser and framer tests, each with its encoding written by hand
// (lengths in codepoints) so the tests do not trust encodeInstruction to check itself.

import fc from "fast-check";

export type CorpusEntry = { label: string; opcode: string; args: string[]; encoded: string };

export const corpus: readonly CorpusEntry[] = [
  { label: "ASCII drawing", opcode: "rect", args: ["0", "10", "20", "100", "200"], encoded: "4.rect,1.0,2.10,2.20,3.100,3.200;" },
  { label: "no arguments", opcode: "sync", args: [], encoded: "4.sync;" },
  { label: "accents (2-byte UTF-8)", opcode: "name", args: ["Café Noël"], encoded: "4.name,9.Café Noël;" },
  { label: "CJK (3-byte UTF-8)", opcode: "msg", args: ["漢字テスト", "中"], encoded: "3.msg,5.漢字テスト,1.中;" },
  { label: "emoji (surrogate pairs, 4-byte UTF-8)", opcode: "name", args: ["😀x🎉"], encoded: "4.name,3.😀x🎉;" },
  { label: "emoji with modifier and ZWJ sequence", opcode: "name", args: ["👍🏽", "👨‍👩‍👧"], encoded: "4.name,2.👍🏽,5.👨‍👩‍👧;" },
  { label: "empty elements", opcode: "", args: ["", ""], encoded: "0.,0.,0.;" },
  { label: "internal ping", opcode: "", args: ["ping", "1700000000000"], encoded: "0.,4.ping,13.1700000000000;" },
  { label: "digits and punctuation inside values", opcode: "error", args: ["1.a,2;b", "515"], encoded: "5.error,7.1.a,2;b,3.515;" },
  { label: "emoji as the last character before ';'", opcode: "é", args: ["🎉"], encoded: "1.é,1.🎉;" },
];

/** All corpus instructions, back to back. */
export const corpusText = corpus.map((entry) => entry.encoded).join("");

/**
 * Text of any Unicode scalar values, weighted so 1-, 2-, 3- and 4-byte UTF-8 characters are equally
 * likely. (fc.string's "binary" unit would do, but building it costs fast-check about a second.)
 */
export function unicodeText(maxLength: number): fc.Arbitrary<string> {
  const codePoint = fc
    .oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0x7ff }),
      fc.integer({ min: 0x800, max: 0xffff }).filter((code) => code < 0xd800 || code > 0xdfff),
      fc.integer({ min: 0x10000, max: 0x10ffff }),
    )
    .map((code) => String.fromCodePoint(code));
  return fc.string({ unit: codePoint, maxLength });
}
