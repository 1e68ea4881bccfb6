// X11 keysyms the viewer sends or recognises itself; guacamole-common-js's Keyboard produces the rest.

export const keysyms = {
  shiftLeft: 0xffe1,
  shiftRight: 0xffe2,
  controlLeft: 0xffe3,
  controlRight: 0xffe4,
  metaLeft: 0xffe7,
  metaRight: 0xffe8,
  altLeft: 0xffe9,
  altRight: 0xffea,
  superLeft: 0xffeb,
  superRight: 0xffec,
  backSpace: 0xff08,
  tab: 0xff09,
  enter: 0xff0d,
  lowercaseV: 0x76,
  uppercaseV: 0x56,
} as const;

const modifierKeysyms = new Set<number>([
  keysyms.shiftLeft,
  keysyms.shiftRight,
  keysyms.controlLeft,
  keysyms.controlRight,
  keysyms.metaLeft,
  keysyms.metaRight,
  keysyms.altLeft,
  keysyms.altRight,
  keysyms.superLeft,
  keysyms.superRight,
]);

export function isModifierKeysym(keysym: number): boolean {
  return modifierKeysyms.has(keysym);
}

export type Modifiers = { ctrl: boolean; alt: boolean; shift: boolean; meta: boolean };

/**
 * Ctrl+V, Ctrl+Shift+V and Cmd+V are left to the browser, which then fires a `paste` event with the
 * local clipboard: the viewer sends that text to the lab instead of the keystroke.
 */
export function isPasteShortcut(keysym: number, modifiers: Modifiers): boolean {
  if (keysym !== keysyms.lowercaseV && keysym !== keysyms.uppercaseV) return false;
  return (modifiers.ctrl && !modifiers.alt) || (modifiers.meta && !modifiers.ctrl && !modifiers.alt);
}

/** Ctrl+Alt+Shift together (the Guacamole web app's menu chord) moves focus out of the lab. */
export function isLeaveChord(keysym: number, modifiers: Modifiers): boolean {
  return isModifierKeysym(keysym) && modifiers.ctrl && modifiers.alt && modifiers.shift;
}

/** The keysym that types one Unicode code point (X11: Latin-1 as is, the rest 0x01000000 + code point). */
export function keysymOfCodePoint(codePoint: number): number {
  if (codePoint === 0x0a || codePoint === 0x0d) return keysyms.enter;
  if (codePoint === 0x09) return keysyms.tab;
  if (codePoint === 0x08) return keysyms.backSpace;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0xff00 | codePoint;
  if (codePoint <= 0xff) return codePoint;
  return 0x01000000 | codePoint;
}

/** Keysyms typing `text`, one per code point (surrogate pairs stay one character). */
export function keysymsOfText(text: string): number[] {
  return Array.from(text, (character) => keysymOfCodePoint(character.codePointAt(0)!));
}
