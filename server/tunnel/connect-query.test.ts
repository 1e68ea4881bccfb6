import assert from "node:assert/strict";
import { test } from "node:test";
import { displayBounds, parseConnectQuery } from "./connect-query.ts";

test("parseConnectQuery reads what guacamole-common-js sends", () => {
  const query = parseConnectQuery(
    "ticket=abc&width=1280&height=720&dpi=144&timezone=America%2FNew_York&audio=audio%2FL16&audio=audio%2FL8&video=video%2Fmp4%3B%20codecs%3D%22avc1.42E01E%22&image=image%2Fpng&image=image%2Fwebp",
  );
  assert.deepEqual(query, {
    ticket: "abc",
    width: 1280,
    height: 720,
    dpi: 144,
    timezone: "America/New_York",
    audio: ["audio/L16", "audio/L8"],
    video: ['video/mp4; codecs="avc1.42E01E"'],
    image: ["image/png", "image/webp"],
  });
});

const clampCases: [string, keyof typeof displayBounds, number][] = [
  ["width=99999", "width", displayBounds.width.max],
  ["width=0", "width", displayBounds.width.min],
  ["width=-5", "width", displayBounds.width.fallback],
  ["width=1e3", "width", displayBounds.width.fallback],
  ["height=12345678", "height", displayBounds.height.fallback],
  ["dpi=1", "dpi", displayBounds.dpi.min],
  ["dpi=", "dpi", displayBounds.dpi.fallback],
  ["", "dpi", displayBounds.dpi.fallback],
];
for (const [search, field, expected] of clampCases) {
  test(`parseConnectQuery clamps "${search}" to ${field}=${expected}`, () => {
    assert.equal(parseConnectQuery(search)[field], expected);
  });
}

test("parseConnectQuery drops timezones that are not IANA names", () => {
  for (const bad of ["Not/AZone", "../../etc/passwd", "x".repeat(80), "Europe/Paris;rm"]) {
    assert.equal(parseConnectQuery(`timezone=${encodeURIComponent(bad)}`).timezone, undefined, bad);
  }
  assert.equal(parseConnectQuery("timezone=UTC").timezone, "UTC");
});

test("parseConnectQuery keeps only allowlisted mimetypes, deduplicated and bounded", () => {
  const many = Array.from({ length: 40 }, () => "image=image%2Fpng").join("&");
  assert.deepEqual(parseConnectQuery(many).image, ["image/png"]);
  const query = parseConnectQuery("audio=audio%2Fmpeg&image=text%2Fhtml&image=image%2Fsvg%2Bxml&video=video%2Fmp4%22%3E");
  assert.deepEqual([query.audio, query.image, query.video], [[], [], []]);
});

test("parseConnectQuery ignores every other parameter", () => {
  const query = parseConnectQuery("ticket=t&hostname=evil&private-key=x&recording-path=/tmp");
  assert.deepEqual(Object.keys(query).sort(), ["audio", "dpi", "height", "image", "ticket", "timezone", "video", "width"]);
});
