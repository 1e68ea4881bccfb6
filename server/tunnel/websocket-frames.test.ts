import assert from "node:assert/strict";
import { test } from "node:test";
import { maxFrameHeaderLength, writeTextFrameHeader } from "./websocket-frames.ts";

/** The header writeTextFrameHeader puts before a payload of `length` bytes. */
function header(length: number): number[] {
  const target = Buffer.alloc(maxFrameHeaderLength + 1, 0xee);
  const start = writeTextFrameHeader(target, maxFrameHeaderLength, length);
  assert.equal(target[maxFrameHeaderLength], 0xee, "the payload's first byte is untouched");
  assert.ok(target.subarray(0, start).every((byte) => byte === 0xee), "nothing is written before the header");
  return [...target.subarray(start, maxFrameHeaderLength)];
}

test("writeTextFrameHeader: FIN + text, unmasked, with the shortest length encoding, right before the payload (RFC 6455 5.2)", () => {
  assert.deepEqual(header(0), [0x81, 0]);
  assert.deepEqual(header(125), [0x81, 125]);
  assert.deepEqual(header(126), [0x81, 126, 0x00, 126]);
  assert.deepEqual(header(65_535), [0x81, 126, 0xff, 0xff]);
  assert.deepEqual(header(65_536), [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual(header(2 ** 32 + 5), [0x81, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
});
