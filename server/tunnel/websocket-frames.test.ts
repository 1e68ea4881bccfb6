import assert from "node:assert/strict";
import { test } from "node:test";
import { textFrameHeader } from "./websocket-frames.ts";

test("text frame headers: FIN + text, unmasked, with the shortest length encoding (RFC 6455 5.2)", () => {
  assert.deepEqual([...textFrameHeader(0)], [0x81, 0]);
  assert.deepEqual([...textFrameHeader(125)], [0x81, 125]);
  assert.deepEqual([...textFrameHeader(126)], [0x81, 126, 0x00, 126]);
  assert.deepEqual([...textFrameHeader(65_535)], [0x81, 126, 0xff, 0xff]);
  assert.deepEqual([...textFrameHeader(65_536)], [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual([...textFrameHeader(2 ** 32 + 5)], [0x81, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
});
