// What the lab viewer's browser tests share: reading the viewer's state and pixels, typing into the
// lab, reading files the lab wrote, and cutting the app's TCP connections like a network drop.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect } from "../fixtures.ts";

export const viewerOf = (page: Page): Locator => page.getByTestId("lab-viewer");
export const screenOf = (page: Page): Locator => viewerOf(page).locator(".lab-viewer-screen");

export async function waitForConnected(page: Page, timeout = 30_000): Promise<void> {
  await expect(viewerOf(page)).toHaveAttribute("data-state", "connected", { timeout });
}

/** How much of the lab's display is drawn: pixels differing from the most common colour. */
export async function inkOf(page: Page): Promise<{ width: number; height: number; ink: number }> {
  return viewerOf(page).evaluate((viewer) => {
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
export async function waitForStillDisplay(page: Page, quietMs = 1_000, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const { ink } = await inkOf(page);
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
export async function runInLab(page: Page, command: string): Promise<void> {
  await screenOf(page).focus();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
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
