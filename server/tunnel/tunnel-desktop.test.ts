// The tunnel end to end against a real guacd and a real desktop lab on loopback (TigerVNC's Xvnc
// running an xterm, xrdp in front of it): over RDP and over VNC the desktop is drawn, a click and
// typed keys reach the xterm and run a command on the lab; a wrong VNC password ends the tunnel
// with guacd's own status. The lab is registered like a provisioner would, with the shipped
// linux-desktop template's settings.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { inflateSync } from "node:zlib";
import { startDesktopLab, type DesktopLabHandle } from "../devlabs/start-desktop-lab.ts";
import { ensureLabUser } from "../devlabs/lab-user.ts";
import { startGuacd, type GuacdHandle } from "../devlabs/start-guacd.ts";
import type { Instruction } from "../guacamole/instruction.ts";
import { statuses } from "../guacamole/status.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { createLearnerWithLab, defaultQuery, isTunnelUuid, openTunnel, startTunnelHarness, type TunnelClient, type TunnelHarness } from "../testing/tunnel-harness.ts";

const enterKeysym = 0xff0d;
const leftButton = 1;
/** Inside the xterm, which startDesktopLab places at +0+0 over most of the 1024x768 screen. */
const xtermSpot = { x: 300, y: 200 };

type DecodedImage = { layer: number; mimetype: string; width: number; height: number; colors: number; atMs: number };

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const channelsOf: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Decodes a non-interlaced PNG far enough to count its distinct colours. guacd writes 8-bit RGB(A)
 * through cairo, or an indexed PNG of 1-8 bits per pixel when the update has few colours.
 */
function decodePng(png: Buffer): { width: number; height: number; colors: number } {
  assert.ok(png.subarray(0, 8).equals(pngSignature), "a PNG signature");
  let width = 0;
  let height = 0;
  let depth = 8;
  let colorType = 2;
  let palette: Buffer | undefined;
  const data: Buffer[] = [];
  for (let offset = 8; offset + 8 <= png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colorType = body[9]!;
      assert.equal(body[12], 0, "not interlaced");
    } else if (type === "PLTE") {
      palette = body;
    } else if (type === "IDAT") {
      data.push(body);
    }
    offset += 12 + length;
  }
  const channels = channelsOf[colorType];
  assert.ok(channels && depth <= 8, `PNG colour type ${colorType} at ${depth} bits`);
  const bitsPerPixel = channels * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const step = Math.max(1, bitsPerPixel / 8);
  const raw = inflateSync(Buffer.concat(data));
  assert.equal(raw.length, height * (stride + 1), "inflated size matches the header");

  const colors = new Set<string>();
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= step ? line[i - step]! : 0;
      const up = previous[i]!;
      const upLeft = i >= step ? previous[i - step]! : 0;
      if (filter === 1) line[i] = line[i]! + left;
      else if (filter === 2) line[i] = line[i]! + up;
      else if (filter === 3) line[i] = line[i]! + ((left + up) >> 1);
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        line[i] = line[i]! + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
    }
    for (let x = 0; x < width; x++) {
      if (depth === 8) {
        const pixel = line.subarray(x * channels, (x + 1) * channels);
        colors.add(colorType === 3 && palette ? palette.subarray(pixel[0]! * 3, pixel[0]! * 3 + 3).toString("hex") : Buffer.from(pixel).toString("hex"));
      } else {
        const bit = x * depth;
        const index = (line[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        colors.add(palette ? palette.subarray(index * 3, index * 3 + 3).toString("hex") : String(index));
      }
    }
    previous = line;
  }
  return { width, height, colors: colors.size };
}

/**
 * What a guacamole-common-js client does with a desktop session, as far as the test needs: reads
 * every instruction, assembles `img` streams (decoding PNGs), answers each `sync` (guacd paces its
 * frames by these and drops a user who never answers) and remembers `error`s.
 */
function watchDesktop(client: TunnelClient) {
  const openedAt = performance.now();
  const streams = new Map<string, { layer: number; mimetype: string; chunks: Buffer[] }>();
  const state = {
    tunnelOpen: false,
    images: [] as DecodedImage[],
    errors: [] as Instruction[],
    /** Images that did not decode: guacd sent something a browser could not draw. */
    undecodable: [] as string[],
    closed: false,
  };
  void client.closed.then(() => (state.closed = true));
  const handle = (instruction: Instruction) => {
    const [first = "", second = ""] = instruction.args;
    switch (instruction.opcode) {
      case "img":
        // img,stream,mask,layer,mimetype,x,y
        streams.set(first, { layer: Number(instruction.args[2]), mimetype: instruction.args[3] ?? "", chunks: [] });
        break;
      case "blob":
        streams.get(first)?.chunks.push(Buffer.from(second, "base64"));
        break;
      case "end": {
        const stream = streams.get(first);
        if (!stream) break;
        streams.delete(first);
        const atMs = performance.now() - openedAt;
        const bytes = Buffer.concat(stream.chunks);
        // JPEG (lossy updates of busy regions) is not decoded: its distinct bytes stand in for colours.
        try {
          const decoded = stream.mimetype === "image/png" ? decodePng(bytes) : { width: 0, height: 0, colors: new Set(bytes).size };
          state.images.push({ layer: stream.layer, mimetype: stream.mimetype, ...decoded, atMs });
        } catch (error) {
          state.undecodable.push(`${stream.mimetype}: ${(error as Error).message}`);
        }
        break;
      }
      case "sync":
        client.send("sync", first);
        break;
      case "error":
        state.errors.push(instruction);
        break;
      default:
        if (isTunnelUuid(instruction)) state.tunnelOpen = true;
    }
  };
  void (async () => {
    while (!state.closed) {
      const instruction = await Promise.race([client.next(), client.closed.then(() => undefined)]);
      if (instruction) handle(instruction);
    }
  })();
  return state;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A left click, as guacamole-common-js sends it: move, press, release. */
function click(client: TunnelClient, { x, y }: { x: number; y: number }): void {
  client.send("mouse", x, y, 0);
  client.send("mouse", x, y, leftButton);
  client.send("mouse", x, y, 0);
}

/** Types text as guacamole-common-js would: a press and a release per character (ASCII keysym = code). */
function typeText(client: TunnelClient, text: string): void {
  for (const char of text) {
    const keysym = char === "\n" ? enterKeysym : char.codePointAt(0)!;
    client.send("key", keysym, 1);
    client.send("key", keysym, 0);
  }
}

async function readWhenWritten(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const content = readFileSync(file, "utf8");
      if (content.endsWith("\n")) return content;
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) return "";
    await sleep(50);
  }
}

describeOnDatabases(
  "tunnel with a real guacd and a real desktop lab (xrdp in front of Xvnc)",
  () => {
    // VNC passwords are 8 characters at most (Xvnc ignores the rest); xrdp hands the RDP one on to Xvnc.
    const password = randomBytes(6).toString("base64url");
    let guacd: GuacdHandle;
    let lab: DesktopLabHandle;
    let harness: TunnelHarness;
    let homeDir: string;
    const written: string[] = [];

    before(async () => {
      [guacd, lab] = await Promise.all([startGuacd(), startDesktopLab({ vncPassword: password })]);
      homeDir = ensureLabUser(lab.username).homeDir;
      harness = await startTunnelHarness({ guacd: { host: guacd.host, port: guacd.port } });
    }, { timeout: 30_000 });
    after(async () => {
      await harness?.close();
      await Promise.all([lab?.stop(), guacd?.stop()]);
      for (const file of written) rmSync(file, { force: true });
    });

    const desktopLab = () =>
      createLearnerWithLab({
        labHost: lab.host,
        rdp: { port: lab.rdpPort, username: lab.username, password },
        vnc: { port: lab.vncPort, password },
      });

    /** Opens the desktop, checks it is drawn, clicks into the xterm and runs a command there. */
    async function runCommandOnDesktop(protocol: "rdp" | "vnc", beforeTyping: () => Promise<void>): Promise<void> {
      const { ticket } = await desktopLab();
      const client = openTunnel(harness.url, defaultQuery(await ticket(protocol)));
      const desktop = watchDesktop(client);
      try {
        await until(() => desktop.tunnelOpen, 10_000, "the tunnel UUID");
        // Layers below 0 are off-screen buffers (the mouse cursor's image among them).
        const onScreen = () => desktop.images.filter((image) => image.layer >= 0);
        await until(() => onScreen().length > 0, 15_000, "the first image on screen");
        console.log(`time-to-first-frame ${protocol}: ${Math.round(onScreen()[0]!.atMs)} ms`);
        await beforeTyping();
        // Not one flat colour: the xterm's white and its anti-aliased black text on the screen.
        await until(() => onScreen().some((image) => image.colors > 2), 15_000, "an image of the xterm with text");
        assert.deepEqual(desktop.errors, []);
        console.log(`time-to-desktop ${protocol}: ${Math.round(onScreen().find((image) => image.colors > 2)!.atMs)} ms`);

        const marker = `labdeck-${protocol}-${randomBytes(5).toString("hex")}`;
        const file = join(homeDir, `${marker}.txt`);
        written.push(file);
        click(client, xtermSpot);
        typeText(client, `echo ${marker} > ${marker}.txt\n`);
        assert.equal(await readWhenWritten(file, 10_000), `${marker}\n`, "the keys reached the xterm and its shell ran the command");
        assert.deepEqual(desktop.errors, []);
        assert.deepEqual(desktop.undecodable, []);
      } finally {
        client.ws.close();
        await client.closed;
      }
    }

    test("RDP: the desktop is drawn, and a click and typed keys run a command in its xterm", { timeout: 30_000 }, async () => {
      await runCommandOnDesktop("rdp", async () => {
        // xrdp draws its own screen first; keys typed before it reaches Xvnc would go to xrdp.
        await until(() => lab.readRdpLog().includes("VNC connection complete, connected ok"), 15_000, "xrdp to reach the Xvnc desktop");
      });
    });

    test("VNC: the desktop is drawn, and a click and typed keys run a command in its xterm", { timeout: 30_000 }, async () => {
      await runCommandOnDesktop("vnc", async () => {});
    });

    test("VNC with a wrong password: guacd's error reaches the browser and the tunnel closes with its status", { timeout: 30_000 }, async () => {
      const { ticket } = await createLearnerWithLab({
        labHost: lab.host,
        // Another first character: Xvnc compares only the first 8, so appending would not do.
        vnc: { port: lab.vncPort, password: password.replace(/^./, (first) => (first === "x" ? "y" : "x")) },
      });
      const client = openTunnel(harness.url, defaultQuery(await ticket("vnc")));
      const desktop = watchDesktop(client);
      const closed = await client.closed;
      await until(() => desktop.errors.length > 0, 1_000, "the error instruction");
      assert.equal(desktop.tunnelOpen, true, "guacd accepted the connect; the VNC login failed after");
      // guacd 1.3 reports every failed VNC connect, a refused password included, as UPSTREAM_NOT_FOUND.
      const status = statuses.UPSTREAM_NOT_FOUND;
      assert.deepEqual(
        desktop.errors.map((error) => error.args),
        [["Aborted. See logs.", String(status.code)]],
      );
      assert.deepEqual(closed, { code: status.webSocketCode, reason: String(status.code) });
      assert.equal(desktop.images.length, 0);
    });
  },
  ["sqlite"],
);
