// The Guacamole instruction and its text encoding: `LEN.VALUE,LEN.VALUE,...;` where LEN counts Unicode
// codepoints, not UTF-16 units or bytes. guacamole-common-js and guacd both count codepoints, so an
// emoji (a surrogate pair in JavaScript) is length 1.

export type Instruction = { readonly opcode: string; readonly args: readonly string[] };

/** Unicode codepoints in `value`; a surrogate pair counts once, a lone surrogate counts once. */
export function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // Only a high surrogate followed by a low one folds two units into one codepoint.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

/** Encodes one instruction. Internal instructions (ping, tunnel UUID) use the empty opcode "". */
export function encodeInstruction(opcode: string, ...args: ReadonlyArray<string | number>): string {
  let text = `${codePointLength(opcode)}.${opcode}`;
  for (const arg of args) {
    const value = String(arg);
    text += `,${codePointLength(value)}.${value}`;
  }
  return text + ";";
}
