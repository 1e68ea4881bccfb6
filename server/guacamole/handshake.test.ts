import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { negotiateVersion, newestVersion, performHandshake, type HandshakeChannel, type HandshakeRequest } from "./handshake.ts";
import { encodeInstruction, type Instruction } from "./instruction.ts";
import { InstructionParser } from "./parser.ts";
import { GuacamoleError, statuses } from "./status.ts";

/** A guacd that answers from a script: each read returns the next scripted instruction. */
function scriptedGuacd(script: Instruction[]) {
  const written: Instruction[] = [];
  const parser = new InstructionParser();
  const channel: HandshakeChannel = {
    read: async () => {
      const next = script.shift();
      if (!next) throw new Error("the script ran out");
      return next;
    },
    write: (data) => written.push(...parser.push(data)),
  };
  return { channel, written };
}

const args = (...names: string[]): Instruction => ({ opcode: "args", args: names });
const ready = (id: string): Instruction => ({ opcode: "ready", args: [id] });

const request: HandshakeRequest = {
  protocol: "ssh",
  parameters: { hostname: "10.0.0.5", port: "22", username: "student", "private-key": "KEY" },
  display: { width: 1280, height: 720, dpi: 96 },
  audio: ["audio/L16"],
  video: [],
  image: ["image/png", "image/jpeg"],
  timezone: "Europe/Paris",
  name: "Ada",
};

const opcodes = (written: readonly Instruction[]) => written.map((instruction) => instruction.opcode);
const connectOf = (written: readonly Instruction[]) => written.find((instruction) => instruction.opcode === "connect")?.args;

async function rejectsWith(promise: Promise<unknown>, status: keyof typeof statuses, message?: string) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof GuacamoleError);
    assert.equal(error.status, statuses[status]);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

describe("performHandshake", () => {
  it("speaks 1.3.0 with guacd 1.3: timezone but no name, connect starts with VERSION_1_3_0", async () => {
    const { channel, written } = scriptedGuacd([args("VERSION_1_3_0", "hostname", "port", "username"), ready("$abc")]);
    const result = await performHandshake(channel, request);
    assert.deepEqual(result, { connectionId: "$abc", version: "VERSION_1_3_0", argNames: ["hostname", "port", "username"] });
    assert.deepEqual(written, [
      { opcode: "select", args: ["ssh"] },
      { opcode: "size", args: ["1280", "720", "96"] },
      { opcode: "audio", args: ["audio/L16"] },
      { opcode: "video", args: [] },
      { opcode: "image", args: ["image/png", "image/jpeg"] },
      { opcode: "timezone", args: ["Europe/Paris"] },
      { opcode: "connect", args: ["VERSION_1_3_0", "10.0.0.5", "22", "student"] },
    ]);
  });

  it("speaks 1.5.0 with guacd 1.5/1.6: sends name", async () => {
    const { channel, written } = scriptedGuacd([args("VERSION_1_5_0", "hostname"), ready("$id")]);
    const result = await performHandshake(channel, request);
    assert.equal(result.version, "VERSION_1_5_0");
    assert.deepEqual(opcodes(written), ["select", "size", "audio", "video", "image", "timezone", "name", "connect"]);
    assert.deepEqual(written.find((instruction) => instruction.opcode === "name")?.args, ["Ada"]);
    assert.deepEqual(connectOf(written), ["VERSION_1_5_0", "10.0.0.5"]);
  });

  it("speaks 1.0.0 when args carries no version: no timezone or name, connect has no version", async () => {
    const { channel, written } = scriptedGuacd([args("hostname", "port"), ready("$old")]);
    const result = await performHandshake(channel, request);
    assert.deepEqual(result, { connectionId: "$old", version: "VERSION_1_0_0", argNames: ["hostname", "port"] });
    assert.deepEqual(opcodes(written), ["select", "size", "audio", "video", "image", "connect"]);
    assert.deepEqual(connectOf(written), ["10.0.0.5", "22"]);
  });

  it("answers a newer guacd with our newest version", async () => {
    const { channel, written } = scriptedGuacd([args("VERSION_2_0_0", "hostname"), ready("$new")]);
    assert.equal((await performHandshake(channel, request)).version, newestVersion);
    assert.deepEqual(connectOf(written), [newestVersion, "10.0.0.5"]);
  });

  it("leaves out timezone and name when the request has none", async () => {
    const { channel, written } = scriptedGuacd([args("VERSION_1_5_0"), ready("$id")]);
    const { timezone: _timezone, name: _name, ...bare } = request;
    await performHandshake(channel, bare);
    assert.deepEqual(opcodes(written), ["select", "size", "audio", "video", "image", "connect"]);
    assert.deepEqual(connectOf(written), ["VERSION_1_5_0"]);
  });

  it("sends one connect value per arg name, in guacd's order, from parameters only, missing ones empty", async () => {
    const names = ["username", "password", "hostname", "constructor", "__proto__", "toString", "VERSION_1_1_0", "port"];
    const { channel, written } = scriptedGuacd([args("VERSION_1_3_0", ...names), ready("$id")]);
    const result = await performHandshake(channel, request);
    assert.deepEqual(result.argNames, names);
    assert.deepEqual(connectOf(written), ["VERSION_1_3_0", "student", "", "10.0.0.5", "", "", "", "", "22"]);
  });

  it("never sends parameters guacd did not ask for", async () => {
    const { channel, written } = scriptedGuacd([args("VERSION_1_3_0", "hostname"), ready("$id")]);
    await performHandshake(channel, request);
    const text = written.map((instruction) => encodeInstruction(instruction.opcode, ...instruction.args)).join("");
    assert.ok(!text.includes("KEY"), "the private key was not requested, so it must not be sent");
  });

  describe("errors from guacd", () => {
    it("throws guacd's status and message when it refuses the protocol", async () => {
      const { channel } = scriptedGuacd([{ opcode: "error", args: ["No such protocol.", String(0x0300)] }]);
      await rejectsWith(performHandshake(channel, request), "CLIENT_BAD_REQUEST", "No such protocol.");
    });

    it("throws guacd's status when it fails after connect", async () => {
      const { channel, written } = scriptedGuacd([args("VERSION_1_3_0", "hostname"), { opcode: "error", args: ["Upstream down.", String(0x0207)] }]);
      await rejectsWith(performHandshake(channel, request), "UPSTREAM_NOT_FOUND", "Upstream down.");
      assert.equal(opcodes(written).at(-1), "connect");
    });

    it("maps each known status code", async () => {
      const { channel } = scriptedGuacd([args("VERSION_1_5_0"), { opcode: "error", args: ["Busy.", String(statuses.SERVER_BUSY.code)] }]);
      await rejectsWith(performHandshake(channel, request), "SERVER_BUSY", "Busy.");
    });

    it("maps an unknown or missing status code to UPSTREAM_ERROR", async () => {
      for (const errorArgs of [["Odd.", "12345"], ["Odd.", "abc"], ["Odd."], []]) {
        const { channel } = scriptedGuacd([{ opcode: "error", args: errorArgs }]);
        await rejectsWith(performHandshake(channel, request), "UPSTREAM_ERROR");
      }
    });

    it("throws UPSTREAM_ERROR for any other unexpected opcode", async () => {
      for (const script of [[{ opcode: "ready", args: ["$x"] }], [args("VERSION_1_3_0"), { opcode: "disconnect", args: [] }], [args(), { opcode: "nop", args: [] }]]) {
        const { channel } = scriptedGuacd(script);
        await rejectsWith(performHandshake(channel, request), "UPSTREAM_ERROR");
      }
    });

    it("throws UPSTREAM_ERROR when ready carries no connection ID", async () => {
      const { channel } = scriptedGuacd([args("VERSION_1_3_0"), { opcode: "ready", args: [] }]);
      await rejectsWith(performHandshake(channel, request), "UPSTREAM_ERROR");
    });

    it("passes on the channel's own errors", async () => {
      const timeout = new GuacamoleError("UPSTREAM_TIMEOUT");
      const channel: HandshakeChannel = { read: () => Promise.reject(timeout), write: () => {} };
      await assert.rejects(performHandshake(channel, request), (error) => error === timeout);
    });
  });
});

describe("negotiateVersion", () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, "VERSION_1_0_0"],
    ["VERSION_1_0_0", "VERSION_1_0_0"],
    ["VERSION_1_1_0", "VERSION_1_1_0"],
    ["VERSION_1_2_0", "VERSION_1_1_0"],
    ["VERSION_1_3_0", "VERSION_1_3_0"],
    ["VERSION_1_4_9", "VERSION_1_3_0"],
    ["VERSION_1_5_0", "VERSION_1_5_0"],
    ["VERSION_1_6_0", "VERSION_1_5_0"],
    ["VERSION_1_10_0", "VERSION_1_5_0"],
    ["VERSION_2_0_0", "VERSION_1_5_0"],
    ["VERSION_0_9_0", "VERSION_1_0_0"],
    ["hostname", "VERSION_1_0_0"],
    ["VERSION_1_3", "VERSION_1_0_0"],
  ];
  for (const [offered, expected] of cases) {
    it(`answers ${offered ?? "no version"} with ${expected}`, () => assert.equal(negotiateVersion(offered), expected));
  }
});
