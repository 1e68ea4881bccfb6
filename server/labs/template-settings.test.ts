import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AppError } from "../errors.ts";
import { parsePaneSettings } from "./template-settings.ts";

function invalidFields(run: () => unknown): Readonly<Record<string, string>> {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AppError, "throws an AppError");
    assert.equal(error.code, "invalid_input");
    return error.fields ?? {};
  }
  assert.fail("expected invalid_input");
}

describe("parsePaneSettings", () => {
  test("fills every default for empty, undefined and null settings", () => {
    const ssh = { fontName: "monospace", fontSize: 12, colorScheme: "gray-black", scrollback: 1000, readOnly: false };
    const rdp = {
      security: "any",
      ignoreCert: false,
      colorDepth: 24,
      resizeMethod: "display-update",
      serverLayout: "en-us-qwerty",
      readOnly: false,
      enableDrive: false,
      enablePrinting: false,
      enableAudioInput: false,
      disableCopy: false,
      disablePaste: false,
    };
    const vnc = { colorDepth: 24, clipboardEncoding: "UTF-8", readOnly: false, disableCopy: false, disablePaste: false };
    for (const input of [{}, undefined, null]) {
      assert.deepEqual(parsePaneSettings("ssh", input), ssh);
      assert.deepEqual(parsePaneSettings("rdp", input), rdp);
      assert.deepEqual(parsePaneSettings("vnc", input), vnc);
    }
  });

  test("keeps given values and fills the rest", () => {
    const ssh = parsePaneSettings("ssh", { fontSize: 16, colorScheme: "green-black", readOnly: true });
    assert.deepEqual(ssh, { fontName: "monospace", fontSize: 16, colorScheme: "green-black", scrollback: 1000, readOnly: true });
    const rdp = parsePaneSettings("rdp", { security: "tls", ignoreCert: true, colorDepth: 16, serverLayout: "de-ch-qwertz" });
    assert.equal(rdp.security, "tls");
    assert.equal(rdp.ignoreCert, true);
    assert.equal(rdp.colorDepth, 16);
    assert.equal(rdp.serverLayout, "de-ch-qwertz");
    assert.equal(rdp.resizeMethod, "display-update");
    const vnc = parsePaneSettings("vnc", { clipboardEncoding: "ISO8859-1", colorDepth: 8 });
    assert.equal(vnc.clipboardEncoding, "ISO8859-1");
    assert.equal(vnc.colorDepth, 8);
  });

  test("bounds: fontSize 6..48, scrollback 0..100000", () => {
    assert.equal(parsePaneSettings("ssh", { fontSize: 6 }).fontSize, 6);
    assert.equal(parsePaneSettings("ssh", { fontSize: 48 }).fontSize, 48);
    assert.equal(parsePaneSettings("ssh", { scrollback: 0 }).scrollback, 0);
    assert.equal(parsePaneSettings("ssh", { scrollback: 100_000 }).scrollback, 100_000);
    for (const bad of [5, 49, 12.5, "12"]) assert.ok(invalidFields(() => parsePaneSettings("ssh", { fontSize: bad })).fontSize);
    for (const bad of [-1, 100_001]) assert.ok(invalidFields(() => parsePaneSettings("ssh", { scrollback: bad })).scrollback);
  });

  test("refuses unknown keys, naming them", () => {
    assert.equal(invalidFields(() => parsePaneSettings("ssh", { fontsize: 14 })).fontsize, "is not allowed");
    // A setting of another protocol is unknown here.
    assert.equal(invalidFields(() => parsePaneSettings("vnc", { security: "tls" })).security, "is not allowed");
  });

  test("refuses values outside guacd's choices", () => {
    assert.ok(invalidFields(() => parsePaneSettings("ssh", { colorScheme: "solarized" })).colorScheme);
    assert.ok(invalidFields(() => parsePaneSettings("ssh", { fontName: "mono; rm -rf" })).fontName);
    assert.ok(invalidFields(() => parsePaneSettings("rdp", { security: "none" })).security);
    assert.ok(invalidFields(() => parsePaneSettings("rdp", { colorDepth: 12 })).colorDepth);
    assert.ok(invalidFields(() => parsePaneSettings("rdp", { resizeMethod: "stretch" })).resizeMethod);
    assert.ok(invalidFields(() => parsePaneSettings("rdp", { serverLayout: "../../etc/passwd" })).serverLayout);
    assert.ok(invalidFields(() => parsePaneSettings("rdp", { enableDrive: "true" })).enableDrive);
    assert.ok(invalidFields(() => parsePaneSettings("vnc", { clipboardEncoding: "latin1" })).clipboardEncoding);
  });

  test("refuses settings that are not an object, and unknown protocols", () => {
    assert.ok(Object.keys(invalidFields(() => parsePaneSettings("ssh", [1]))).length > 0);
    assert.ok(Object.keys(invalidFields(() => parsePaneSettings("ssh", "fontSize=12"))).length > 0);
    assert.ok(invalidFields(() => parsePaneSettings("telnet" as "ssh", {})).protocol);
  });
});
