// The viewer's pure parts: what each Guacamole status means to the user, the backoff, the connect
// query, the fit, and the keysyms it types itself.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConnectQuery } from "../../../server/tunnel/connect-query.ts";
import { statuses } from "../../../server/guacamole/status.ts";
import { connectData, deviceSizeOf, fitScale } from "./connect-data.ts";
import { isLeaveChord, isPasteShortcut, keysymOfCodePoint, keysymsOfText } from "./keysyms.ts";
import {
  desktopAttempts,
  outcomeOfDrop,
  outcomeOfError,
  outcomeOfStatus,
  outcomeOfTicketFailure,
  reconnectDelayMs,
  reconnectsByItself,
  sessionEnded,
} from "./status-policy.ts";

describe("status policy", () => {
  test("every status in the status table has its own message", () => {
    for (const entry of Object.values(statuses)) {
      const outcome = outcomeOfStatus(entry.code);
      assert.equal(outcome.code, entry.code);
      assert.ok(outcome.message.length > 10, entry.name);
      assert.notEqual(outcome.message, "The lab connection failed.", `${entry.name} falls back to the generic message`);
    }
  });

  test("the messages the issue asks for", () => {
    assert.equal(outcomeOfStatus(0x0301).message, "Your session link expired — reconnecting…");
    assert.equal(outcomeOfStatus(0x0208).message, "Your lab isn't running yet.");
    assert.equal(outcomeOfStatus(0x0206).message, "This lab has been shut down.");
    assert.equal(outcomeOfStatus(0x0308).message, "Your session ended after inactivity.");
    assert.equal(outcomeOfStatus(0x020a).message, "Your session ended after inactivity.");
    assert.equal(outcomeOfStatus(0x0200).message, "The lab gateway is unavailable.");
    assert.match(outcomeOfStatus(0x031d).message, /^Too many lab windows are open/);
  });

  test("transient statuses reconnect by themselves; permanent ones wait for the user", () => {
    for (const code of [0x0200, 0x0201, 0x0202, 0x0203, 0x0207, 0x0208, 0x0301, 0x030d]) {
      assert.ok(reconnectsByItself(outcomeOfStatus(code).reaction), code.toString(16));
    }
    for (const code of [0x0100, 0x0204, 0x0206, 0x0209, 0x020a, 0x020b, 0x0300, 0x0303, 0x0308, 0x030f, 0x031d]) {
      assert.ok(!reconnectsByItself(outcomeOfStatus(code).reaction), code.toString(16));
    }
    assert.equal(outcomeOfStatus(0x0301).reaction, "retry-now");
    assert.equal(outcomeOfStatus(0x0208).reaction, "wait");
    assert.equal(outcomeOfStatus(0x0206).reaction, "ended");
    assert.equal(outcomeOfStatus(0x0303).reaction, "fatal");
  });

  test("unknown codes: server-side ones retry, client-side ones do not", () => {
    assert.equal(outcomeOfStatus(0x02ff).reaction, "retry");
    assert.equal(outcomeOfStatus(0x03ff).reaction, "fatal");
    assert.equal(outcomeOfStatus(12345).reaction, "fatal");
  });

  test("a tunnel that closes without an error instruction is a drop", () => {
    for (const code of [undefined, 0, 0x0207, 0x0202]) assert.equal(outcomeOfDrop(code).reaction, "retry", String(code));
    assert.equal(outcomeOfDrop(0x0206).reaction, "ended");
    assert.equal(sessionEnded.reaction, "ended");
  });

  describe("error instructions: the tunnel's own, or guacd's after the tunnel opened", () => {
    const before = (protocol: "ssh" | "rdp" | "vnc") => ({ protocol, afterOpen: false, desktopUnreachableBefore: 0 });
    const after = (protocol: "ssh" | "rdp" | "vnc", desktopUnreachableBefore = 0) => ({ protocol, afterOpen: true, desktopUnreachableBefore });

    test("before the tunnel opened, 0x0301 is the tunnel refusing the ticket: retry at once", () => {
      for (const protocol of ["ssh", "rdp", "vnc"] as const) {
        assert.deepEqual(outcomeOfError(0x0301, before(protocol)), outcomeOfStatus(0x0301));
        assert.equal(outcomeOfError(0x0301, before(protocol)).reaction, "retry-now");
      }
    });

    test("after it opened, 0x0301 is the lab refusing guacd's login: no retry, and says so", () => {
      // guacd 1.3: RDP "Security negotiation failed (wrong security type?)", SSH "Aborted. See logs." for a rejected key.
      for (const protocol of ["rdp", "vnc"] as const) {
        assert.deepEqual(outcomeOfError(0x0301, after(protocol)), {
          code: 0x0301,
          message: "The lab's desktop refused the login (wrong password or security settings).",
          reaction: "fatal",
        });
      }
      assert.equal(outcomeOfError(0x0301, after("ssh")).reaction, "fatal");
      assert.match(outcomeOfError(0x0301, after("ssh")).message, /refused the login/);
    });

    test("a desktop guacd cannot reach gets a few attempts, then the viewer stops", () => {
      for (const protocol of ["rdp", "vnc"] as const) {
        const reactions = Array.from({ length: desktopAttempts + 2 }, (_, earlier) => outcomeOfError(0x0207, after(protocol, earlier)).reaction);
        assert.deepEqual(reactions, [...Array<string>(desktopAttempts - 1).fill("retry"), "fatal", "fatal", "fatal"], protocol);
        assert.equal(outcomeOfError(0x0207, after(protocol)).desktopUnreachable, true);
      }
      // guacd 1.3 reports a wrong VNC password as 0x0207 "Aborted. See logs.": the message names both causes.
      assert.equal(outcomeOfError(0x0207, after("rdp", 2)).message, "Labdeck cannot reach your lab's desktop.");
      assert.equal(outcomeOfError(0x0207, after("vnc", 2)).message, "Labdeck cannot reach your lab's desktop, or the desktop refused the password.");
      assert.ok(desktopAttempts <= 4, "fewer attempts than TigerVNC's blacklist threshold (5 failed logins)");
    });

    test("an SSH lab guacd cannot reach, and other statuses, keep their usual reaction", () => {
      assert.deepEqual(outcomeOfError(0x0207, after("ssh", 10)), outcomeOfStatus(0x0207));
      assert.equal(outcomeOfError(0x0207, before("vnc")).reaction, "retry");
      assert.equal(outcomeOfError(0x0207, before("vnc")).desktopUnreachable, undefined);
      for (const code of [0x0206, 0x0208, 0x0202, 0x0203, 0x0209]) {
        assert.deepEqual(outcomeOfError(code, after("rdp", 5)), outcomeOfStatus(code), code.toString(16));
      }
    });
  });

  test("ticket refusals", () => {
    assert.equal(outcomeOfTicketFailure(0).reaction, "retry");
    assert.equal(outcomeOfTicketFailure(503).reaction, "retry");
    assert.equal(outcomeOfTicketFailure(401).reaction, "fatal");
    assert.equal(outcomeOfTicketFailure(404).reaction, "fatal");
    assert.equal(outcomeOfTicketFailure(410).reaction, "ended");
  });

  test("backoff doubles from 1 s up to 30 s", () => {
    assert.deepEqual(
      Array.from({ length: 8 }, (_, attempt) => reconnectDelayMs(attempt)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    );
    assert.equal(reconnectDelayMs(1000), 30000);
    assert.equal(reconnectDelayMs(-1), 1000);
  });
});

describe("connect data", () => {
  test("device pixels and DPI follow the device pixel ratio", () => {
    assert.deepEqual(deviceSizeOf(800, 600, 1), { width: 800, height: 600, dpi: 96 });
    assert.deepEqual(deviceSizeOf(800.7, 600.2, 2), { width: 1601, height: 1200, dpi: 192 });
    assert.deepEqual(deviceSizeOf(640, 480, 1.25), { width: 800, height: 600, dpi: 120 });
    assert.deepEqual(deviceSizeOf(0, 0, Number.NaN), { width: 16, height: 16, dpi: 96 });
  });

  test("the tunnel reads back exactly what the viewer sends", () => {
    const data = connectData({
      ticket: "abc_-123",
      cssWidth: 700,
      cssHeight: 500,
      devicePixelRatio: 1.5,
      timezone: "Europe/Berlin",
      audio: ["audio/L8", "audio/L16"],
      video: [],
      image: ["image/png", "image/jpeg", "image/webp"],
    });
    assert.deepEqual(parseConnectQuery(data), {
      ticket: "abc_-123",
      width: 1050,
      height: 750,
      dpi: 144,
      timezone: "Europe/Berlin",
      audio: ["audio/L8", "audio/L16"],
      video: [],
      image: ["image/png", "image/jpeg", "image/webp"],
    });
  });

  test("the display fits the pane, keeping its aspect", () => {
    assert.equal(fitScale(800, 600, 1600, 1200), 0.5);
    assert.equal(fitScale(800, 300, 1600, 1200), 0.25);
    assert.equal(fitScale(1024, 768, 1024, 768), 1);
    assert.equal(fitScale(800, 600, 0, 0), 1);
  });
});

describe("keysyms", () => {
  const none = { ctrl: false, alt: false, shift: false, meta: false };

  test("code points to keysyms, astral characters whole", () => {
    assert.equal(keysymOfCodePoint(0x61), 0x61);
    assert.equal(keysymOfCodePoint(0xe9), 0xe9);
    assert.equal(keysymOfCodePoint(0x4f60), 0x01004f60);
    assert.equal(keysymOfCodePoint(0x0a), 0xff0d);
    assert.deepEqual(keysymsOfText("é🎉\n"), [0xe9, 0x0101f389, 0xff0d]);
  });

  test("paste shortcuts are left to the browser; Ctrl+Alt+V (AltGr) is not one", () => {
    assert.ok(isPasteShortcut(0x76, { ...none, ctrl: true }));
    assert.ok(isPasteShortcut(0x56, { ...none, ctrl: true, shift: true }));
    assert.ok(isPasteShortcut(0x76, { ...none, meta: true }));
    assert.ok(!isPasteShortcut(0x76, none));
    assert.ok(!isPasteShortcut(0x76, { ...none, ctrl: true, alt: true }));
    assert.ok(!isPasteShortcut(0x63, { ...none, ctrl: true }));
  });

  test("Ctrl+Alt+Shift is the way out", () => {
    assert.ok(isLeaveChord(0xffe1, { ...none, ctrl: true, alt: true, shift: true }));
    assert.ok(!isLeaveChord(0x61, { ...none, ctrl: true, alt: true, shift: true }));
    assert.ok(!isLeaveChord(0xffe1, { ...none, ctrl: true, shift: true }));
  });
});
