// What the lab viewer's browser tests share: reading the viewer's state and pixels, typing into the
// lab, reading files the lab wrote, cutting the app's TCP connections like a network drop, and
// recording the run's timings and screenshots.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import type { Protocol } from "../../server/db/generated/sqlite/enums.ts";
import { projectRoot } from "../../server/project-root.ts";
import { expect } from "../fixtures.ts";

export const coursePath = "/courses/intro-to-linux";

/** A random word for file names and markers. */
export const token = (): string => randomBytes(6).toString("hex");

/** The page's only viewer, or, on a page with tabs, the pane of one protocol. */
export const viewerOf = (page: Page, protocol?: Protocol): Locator =>
  protocol ? page.locator(`[data-testid="lab-viewer"][data-protocol="${protocol}"]`) : page.getByTestId("lab-viewer");
export const screenOf = (page: Page, viewer: Locator = viewerOf(page)): Locator => viewer.locator(".lab-viewer-screen");

/** Opens a page of the course from its list of pages; returns when the link was clicked (epoch ms). */
export async function openCoursePage(page: Page, title: string): Promise<number> {
  await page.goto(coursePath);
  const link = page.getByRole("list", { name: "Pages" }).getByRole("link", { name: title });
  const clickedAt = Date.now();
  await link.click();
  return clickedAt;
}

/** The viewer's first drawn frame (data-first-frame-at) minus `since`, once it is connected. */
export async function timeToFirstFrame(viewer: Locator, since: number): Promise<number> {
  await expect(viewer).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  const ms = Number(await viewer.getAttribute("data-first-frame-at")) - since;
  expect(ms).toBeGreaterThan(0);
  return ms;
}

const resultsDir = join(projectRoot, "test-results");

/**
 * Adds one measurement to test-results/timings.json under `name` (ssh, rdp, vnc), keeping the
 * others of this run (Playwright empties test-results/ when a run starts).
 */
export function recordTiming(name: string, timing: { timeToFirstFrameMs: number; from: string; to: string }): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, "timings.json");
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  all[name] = { ...timing, measuredAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${name}: ${timing.timeToFirstFrameMs} ms from ${timing.from} to ${timing.to}`);
}

/** Saves a screenshot under test-results/ and as the documentation's copy in docs/screenshots/. */
export function saveScreenshot(name: string, png: Buffer): void {
  for (const dir of [resultsDir, join(projectRoot, "docs", "screenshots")]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), png);
  }
}

export async function waitForConnected(page: Page, timeout = 30_000): Promise<void> {
  await expect(viewerOf(page)).toHaveAttribute("data-state", "connected", { timeout });
}

/** How much of the lab's display is drawn: pixels differing from the most common colour. */
export async function inkOf(page: Page, viewer: Locator = viewerOf(page)): Promise<{ width: number; height: number; ink: number }> {
  return viewer.evaluate((viewer) => {
    const canvases = [...viewer.querySelectorAll<HTMLCanvasElement>(".lab-viewer-display canvas")].filter((c) => c.width > 0 && c.height > 0);
    let width = 0;
    let height = 0;
    let ink = 0;
    for (const canvas of canvases) {
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const background = Math.max(...counts.values());
      ink += data.length / 4 - background;
      width = Math.max(width, canvas.width);
      height = Math.max(height, canvas.height);
    }
    return { width, height, ink };
  });
}

/** Waits until the display has stopped changing for `quietMs` (guacd's frames have caught up). */
export async function waitForStillDisplay(page: Page, quietMs = 1_000, timeout = 15_000, viewer: Locator = viewerOf(page)): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const { ink } = await inkOf(page, viewer);
    if (ink !== last) {
      last = ink;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await page.waitForTimeout(150);
  }
}

/** Focuses the lab's screen and types a shell command, Enter included. */
export async function runInLab(page: Page, command: string, viewer: Locator = viewerOf(page)): Promise<void> {
  await screenOf(page, viewer).focus();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

/**
 * Clicks into the desktop's xterm (startDesktopLab puts it at the top left, over most of the screen).
 * There is no window manager: keyboard focus follows the pointer, and the click focuses the pane.
 */
export async function clickIntoDesktop(page: Page, viewer: Locator): Promise<void> {
  const display = (await viewer.locator(".lab-viewer-display").boundingBox())!;
  const x = display.x + display.width * 0.3;
  const y = display.y + display.height * 0.3;
  await page.mouse.move(x, y);
  await page.mouse.click(x, y);
}

/** The file's bytes once it exists and `done` accepts them. */
export async function labFile(path: string, done: (bytes: Buffer) => boolean = (bytes) => bytes.length > 0, timeout = 10_000): Promise<Buffer> {
  let last: Buffer | undefined;
  await expect
    .poll(
      async () => {
        last = await readFile(path).catch(() => undefined);
        return last !== undefined && done(last);
      },
      { timeout, message: `waiting for ${path}` },
    )
    .toBe(true);
  return last!;
}

/** `stty size` in the lab, as [rows, columns]. */
export async function terminalSize(page: Page, homeDir: string, name: string): Promise<[number, number]> {
  await runInLab(page, `stty size > ~/${name}`);
  const text = (await labFile(join(homeDir, name), (bytes) => /^\d+ \d+\n$/.test(bytes.toString()))).toString();
  const [rows, columns] = text.trim().split(" ").map(Number);
  return [rows!, columns!];
}

/**
 * Cuts every established TCP connection of the app's port from the server side (the kernel's socket
 * destroy, `ss -K`): the browser sees its WebSocket reset, like a network drop, and the server its
 * socket gone. Returns how many connections were cut.
 */
export function cutConnectionsTo(port: number): number {
  const output = execFileSync("ss", ["-K", "-t", "-n", "-H", "state", "established", `( sport = :${port} )`], { encoding: "utf8" });
  return output.split("\n").filter((line) => line.trim()).length;
}
