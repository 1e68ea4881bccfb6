import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GuacamoleError, statusByCode, statuses, type StatusName } from "./status.ts";

// [name, Guacamole code, WebSocket close code, HTTP status] as in guacamole-client's GuacamoleStatus.
const expected: Array<[StatusName, number, number, number]> = [
  ["SUCCESS", 0x0000, 1000, 200],
  ["UNSUPPORTED", 0x0100, 1011, 501],
  ["SERVER_ERROR", 0x0200, 1011, 500],
  ["SERVER_BUSY", 0x0201, 1008, 503],
  ["UPSTREAM_TIMEOUT", 0x0202, 1011, 504],
  ["UPSTREAM_ERROR", 0x0203, 1011, 502],
  ["RESOURCE_NOT_FOUND", 0x0204, 1002, 404],
  ["RESOURCE_CONFLICT", 0x0205, 1008, 409],
  ["RESOURCE_CLOSED", 0x0206, 1002, 404],
  ["UPSTREAM_NOT_FOUND", 0x0207, 1011, 502],
  ["UPSTREAM_UNAVAILABLE", 0x0208, 1011, 502],
  ["SESSION_CONFLICT", 0x0209, 1008, 409],
  ["SESSION_TIMEOUT", 0x020a, 1002, 408],
  ["SESSION_CLOSED", 0x020b, 1002, 404],
  ["CLIENT_BAD_REQUEST", 0x0300, 1002, 400],
  ["CLIENT_UNAUTHORIZED", 0x0301, 1008, 403],
  ["CLIENT_FORBIDDEN", 0x0303, 1008, 403],
  ["CLIENT_TIMEOUT", 0x0308, 1002, 408],
  ["CLIENT_OVERRUN", 0x030d, 1009, 413],
  ["CLIENT_BAD_TYPE", 0x030f, 1003, 415],
  ["CLIENT_TOO_MANY", 0x031d, 1008, 429],
];

describe("statuses", () => {
  it("holds exactly the Guacamole statuses", () => {
    assert.deepEqual(Object.keys(statuses).sort(), expected.map(([name]) => name).sort());
  });

  for (const [name, code, webSocketCode, httpStatus] of expected) {
    it(`maps ${name} to 0x${code.toString(16).padStart(4, "0")}, WebSocket ${webSocketCode}, HTTP ${httpStatus}`, () => {
      const entry = statuses[name];
      assert.equal(entry.name, name);
      assert.equal(entry.code, code);
      assert.equal(entry.webSocketCode, webSocketCode);
      assert.equal(entry.httpStatus, httpStatus);
      assert.ok(entry.message.length > 0);
    });
  }

  it("is frozen", () => {
    assert.ok(Object.isFrozen(statuses));
    assert.ok(Object.isFrozen(statuses.SUCCESS));
  });
});

describe("statusByCode", () => {
  it("finds every status by its code", () => {
    for (const [name, code] of expected) assert.equal(statusByCode(code), statuses[name]);
  });

  it("returns undefined for unknown codes", () => {
    for (const code of [1, 0x0302, 0x0400, -1, Number.NaN]) assert.equal(statusByCode(code), undefined);
  });
});

describe("GuacamoleError", () => {
  it("carries its status and message", () => {
    const error = new GuacamoleError("CLIENT_OVERRUN", "Message too large.");
    assert.ok(error instanceof Error);
    assert.equal(error.status, statuses.CLIENT_OVERRUN);
    assert.equal(error.message, "Message too large.");
    assert.equal(error.name, "GuacamoleError");
  });

  it("defaults to the status's message", () => {
    assert.equal(new GuacamoleError("SERVER_BUSY").message, statuses.SERVER_BUSY.message);
  });
});
