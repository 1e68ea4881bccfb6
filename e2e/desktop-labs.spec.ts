// Desktop labs in a course page, in Debian's Chromium against the production build, a real guacd and
// a real desktop per test (TigerVNC's Xvnc running an xterm, xrdp in front of it): RDP and VNC draw
// the desktop and run what is typed into its xterm, RDP scales into a smaller pane, the tabs keep their
// tunnels, and a wrong VNC password ends in an error that says so instead of retrying forever.
import { randomBytes } from "node:crypto";
import type { Page, WebSocket } from "@playwright/test";
import { desktopAttempts } from "../app/_components/lab-viewer/status-policy.ts";
import { expect, signIn, startTestDesktopLab, test } from "./fixtures.ts";
import {
  clickIntoDesktop,
  inkOf,
  labFile,
  openCoursePage,
  recordTiming,
  runInLab,
  saveScreenshot,
  timeToFirstFrame,
  token,
  viewerOf,
  waitForStillDisplay,
} from "./lab-viewer/helpers.ts";

const desktopPage = "A desktop in the browser";

test.use({ viewport: { width: 1440, height: 900 } });

/** The tunnels the page opens, and those that have closed, in order. */
function watchTunnels(page: Page): { opened: WebSocket[]; closed: WebSocket[] } {
  const tunnels = { opened: [] as WebSocket[], closed: [] as WebSocket[] };
  page.on("websocket", (socket) => {
    if (!socket.url().includes("/api/tunnel")) return;
    tunnels.opened.push(socket);
    socket.on("close", () => tunnels.closed.push(socket));
  });
  return tunnels;
}

test("RDP: the desktop page's first tab draws the desktop, runs what is typed in its xterm and scales into a smaller pane", async ({ page, learner, learnerDesktopLab: lab }) => {
  await signIn(page, learner);
  const clickedAt = await openCoursePage(page, desktopPage);
  await expect(page.getByRole("tab")).toHaveText(["Desktop (RDP)", "Desktop (VNC)", "Terminal"]);
  const rdp = viewerOf(page, "rdp");
  const timeToFirstFrameMs = await timeToFirstFrame(rdp, clickedAt);
  recordTiming("rdp", { timeToFirstFrameMs, from: "click on the page link", to: "first RDP frame drawn" });

  // xrdp draws a blank screen of its own first; keys typed before it reaches Xvnc would go to xrdp.
  await expect.poll(() => lab.desktop.readRdpLog(), { timeout: 15_000 }).toContain("VNC connection complete, connected ok");
  // The xterm and its text: far more than one flat colour.
  // Under load xrdp sometimes never delivers the first desktop; the viewer then reconnects after
  // noPictureMs (lab-connection.ts), which this wait leaves room for.
  await expect.poll(async () => (await inkOf(page, rdp)).ink, { message: "the desktop drawn on the canvas", timeout: 25_000 }).toBeGreaterThan(5_000);

  const name = `dl-rdp-${token()}.txt`;
  const word = token();
  await clickIntoDesktop(page, rdp);
  await runInLab(page, `echo ${word} > ~/${name}`, rdp);
  expect((await labFile(lab.fileInHome(name))).toString()).toBe(`${word}\n`);
  await waitForStillDisplay(page, 1_000, 15_000, rdp);
  saveScreenshot("lab-rdp.png", await page.screenshot());

  // A smaller window: the test lab's xrdp has no Display Control channel (drdynvc off, see
  // start-desktop-lab.ts), so the desktop keeps its size and the viewer scales it into the pane.
  await page.setViewportSize({ width: 1100, height: 640 });
  const pane = rdp.locator(".lab-viewer-screen");
  await expect.poll(async () => {
    const [display, box] = [await rdp.locator(".lab-viewer-display").boundingBox(), await pane.boundingBox()];
    return Boolean(display && box && display.width <= box.width + 1 && display.height <= box.height + 1);
  }, { message: "the desktop scaled into the smaller pane" }).toBe(true);
  await expect(rdp).toHaveAttribute("data-state", "connected");
});

test("VNC: a tab connects when first opened, draws the desktop and runs what is typed; every tab keeps its tunnel", async ({ page, learner, learnerDesktopLab: lab }) => {
  const tunnels = watchTunnels(page);
  await signIn(page, learner);
  await openCoursePage(page, desktopPage);
  const tabs = page.getByRole("tab");
  await expect(tabs.first()).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("lab-viewer")).toHaveCount(1);
  await expect(viewerOf(page, "rdp")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  // Under load the RDP pane may have needed a second tunnel to get its first picture (noPictureMs):
  // what counts below is what the tabs do from here on.
  const openedBefore = tunnels.opened.length;
  const closedBefore = tunnels.closed.length;
  // Only SSH has a text size.
  await expect(viewerOf(page, "rdp").getByRole("button", { name: "Larger text" })).toHaveCount(0);

  const vnc = viewerOf(page, "vnc");
  const clickedAt = Date.now();
  await page.getByRole("tab", { name: "Desktop (VNC)" }).click();
  const timeToFirstFrameMs = await timeToFirstFrame(vnc, clickedAt);
  recordTiming("vnc", { timeToFirstFrameMs, from: "click on the VNC tab", to: "first VNC frame drawn" });
  await expect.poll(async () => (await inkOf(page, vnc)).ink, { message: "the desktop drawn on the canvas" }).toBeGreaterThan(5_000);

  // The desktop fits the pane.
  const display = (await vnc.locator(".lab-viewer-display").boundingBox())!;
  const pane = (await vnc.locator(".lab-viewer-screen").boundingBox())!;
  expect(display.width).toBeLessThanOrEqual(pane.width + 1);
  expect(display.height).toBeLessThanOrEqual(pane.height + 1);
  await expect(vnc).toHaveAttribute("data-remote-size", /^\d+x\d+$/);

  const name = `dl-vnc-${token()}.txt`;
  const word = token();
  await clickIntoDesktop(page, vnc);
  await runInLab(page, `echo ${word} > ~/${name}`, vnc);
  expect((await labFile(lab.fileInHome(name))).toString()).toBe(`${word}\n`);
  await waitForStillDisplay(page, 1_000, 15_000, vnc);
  saveScreenshot("lab-vnc.png", await page.screenshot());

  await page.getByRole("tab", { name: "Terminal" }).click();
  await expect(viewerOf(page, "ssh")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });

  // One tunnel for each pane opened after RDP's, none closed by switching tabs; the hidden ones are still connected.
  expect(tunnels.opened.length - openedBefore).toBe(2);
  expect(tunnels.closed.length).toBe(closedBefore);
  await expect(page.locator('[data-testid="lab-viewer"][data-state="connected"]')).toHaveCount(3);
});

test("VNC with a wrong password: a few attempts, then an error that names the likely causes and no more retries", async ({ page, learner }) => {
  // Another first character: Xvnc compares only the first 8, so appending would change nothing.
  const lab = await startTestDesktopLab({ ownerEmail: learner.email, registeredVncPassword: `#${randomBytes(6).toString("base64url")}` });
  try {
    const tunnels = watchTunnels(page);
    await signIn(page, learner);
    await openCoursePage(page, desktopPage);
    // The RDP tab (the right password) connects; only the VNC pane is wrong.
    await expect(viewerOf(page, "rdp")).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
    const opened = tunnels.opened.length;

    await page.getByRole("tab", { name: "Desktop (VNC)" }).click();
    const vnc = viewerOf(page, "vnc");
    // guacd 1.3 opens the session, then reports the refused VNC login as 0x0207 "Aborted. See logs.".
    await expect(vnc).toHaveAttribute("data-state", "error", { timeout: 20_000 });
    await expect(vnc).toHaveAttribute("data-status", "0x0207");
    const overlay = vnc.locator(".lab-viewer-overlay");
    await expect(overlay).toContainText("Labdeck cannot reach your lab's desktop, or the desktop refused the password.");
    await expect(overlay.getByRole("button", { name: "Reconnect" })).toBeVisible();
    expect(tunnels.opened.length - opened).toBe(desktopAttempts);

    // Stopped for good: no attempt of its own (the next backoff step would have been 4 s).
    await page.waitForTimeout(6_000);
    await expect(vnc).toHaveAttribute("data-state", "error");
    expect(tunnels.opened.length - opened).toBe(desktopAttempts);
    await expect(viewerOf(page, "rdp")).toHaveAttribute("data-state", "connected");
  } finally {
    await lab.stop();
  }
});
