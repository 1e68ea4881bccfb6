// The lab viewer in a course page, in Debian's Chromium against the production build, a real guacd and
// a real sshd per lab: connecting, typing, resizing, pasting, copying, dropping the network, a lab
// torn down under the viewer, and who may open which lab. Desktop labs: desktop-labs.spec.ts.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { provisionSshLab } from "../server/devlabs/provision-ssh-lab.ts";
import { teardownLab } from "../server/labs/teardown-lab.ts";
import { createUser } from "../server/users/create-user.ts";
import { expect, signIn, test, type TestUser } from "./fixtures.ts";
import {
  coursePath,
  cutConnectionsTo,
  inkOf,
  labFile,
  recordTiming,
  runInLab,
  saveScreenshot,
  screenOf,
  terminalSize,
  token,
  viewerOf,
  waitForConnected,
  waitForStillDisplay,
} from "./lab-viewer/helpers.ts";

const labPagePath = `${coursePath}/first-steps`;

test.use({ viewport: { width: 1440, height: 900 } });

async function newUser(role: "learner" | "instructor"): Promise<TestUser> {
  const id = token();
  const user = { email: `${role}-${id}@e2e.labdeck.test`, password: `pw-${randomBytes(9).toString("base64url")}`, name: `${role} ${id}` };
  await createUser({ ...user, role });
  return user;
}

test("a learner opens the lab page: the terminal connects, draws, and runs what they type", async ({ page, learner, learnerLab }) => {
  await signIn(page, learner);
  await page.goto(coursePath);
  const clickedAt = Date.now();
  await page.getByRole("list", { name: "Pages" }).getByRole("link").first().click();

  const viewer = viewerOf(page);
  await expect(viewer).toHaveAttribute("data-protocol", "ssh");
  await waitForConnected(page);
  const firstFrameAt = Number(await viewer.getAttribute("data-first-frame-at"));
  const timeToFirstFrameMs = firstFrameAt - clickedAt;
  expect(timeToFirstFrameMs).toBeGreaterThan(0);

  // The prompt is drawn: the display's canvas has more than its background colour.
  await expect.poll(async () => (await inkOf(page)).ink, { message: "pixels drawn on the display" }).toBeGreaterThan(500);

  // Keys reach the lab only while the pane has focus; Enter runs the command.
  const name = `lv-echo-${token()}.txt`;
  const word = token();
  await runInLab(page, `echo ${word} > ~/${name}`);
  expect((await labFile(join(learnerLab.ssh.homeDir, name))).toString()).toBe(`${word}\n`);
  await expect(viewer.locator(".lab-viewer-hint")).toContainText("Ctrl+Alt+Shift");

  // Ctrl+Alt+Shift leaves the pane for its toolbar; from there Tab moves through the page again.
  await expect(screenOf(page)).toBeFocused();
  for (const key of ["Control", "Alt", "Shift"]) await page.keyboard.down(key);
  for (const key of ["Shift", "Alt", "Control"]) await page.keyboard.up(key);
  await expect(screenOf(page)).not.toBeFocused();
  await expect(viewer.getByRole("toolbar").getByRole("button").first()).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(screenOf(page)).not.toBeFocused();

  const shown = `lv-shown-${token()}`;
  await runInLab(page, `clear; ls -la --color=always /etc | head -n 12; touch ~/${shown}`);
  await labFile(join(learnerLab.ssh.homeDir, shown), () => true);
  await waitForStillDisplay(page);
  saveScreenshot("lab-terminal.png", await page.screenshot());
  recordTiming("ssh", { timeToFirstFrameMs, from: "click on the page link", to: "first frame drawn" });
});

test("the terminal follows the pane's size and the text size buttons", async ({ page, learner, learnerLab }) => {
  await signIn(page, learner);
  await page.goto(labPagePath);
  await waitForConnected(page);
  const viewer = viewerOf(page);
  const home = learnerLab.ssh.homeDir;

  const [rows, columns] = await terminalSize(page, home, `lv-size-a-${token()}`);
  const sizeBefore = await viewer.getAttribute("data-remote-size");

  // A smaller window: the pane shrinks, the viewer sends the new size, guacd redraws, the pty follows.
  await page.setViewportSize({ width: 1100, height: 640 });
  await expect(viewer).not.toHaveAttribute("data-remote-size", sizeBefore!, { timeout: 5_000 });
  const box = (await screenOf(page).boundingBox())!;
  const [remoteWidth, remoteHeight] = (await viewer.getAttribute("data-remote-size"))!.split("x").map(Number);
  expect(Math.abs(remoteWidth! - Math.floor(box.width))).toBeLessThanOrEqual(2);
  expect(Math.abs(remoteHeight! - Math.floor(box.height))).toBeLessThanOrEqual(2);
  const [rowsAfter, columnsAfter] = await terminalSize(page, home, `lv-size-b-${token()}`);
  expect(rowsAfter).toBeLessThan(rows);
  expect(columnsAfter).toBeLessThan(columns);

  // Larger text: fewer columns and rows in the same pane (guacd's argv stream).
  const fontSize = Number(await viewer.getAttribute("data-font-size"));
  expect(fontSize).toBeGreaterThan(0);
  await viewer.getByRole("button", { name: "Larger text" }).click();
  await viewer.getByRole("button", { name: "Larger text" }).click();
  await expect(viewer).toHaveAttribute("data-font-size", String(fontSize + 2));
  await expect
    .poll(async () => (await terminalSize(page, home, `lv-size-c-${token()}`))[1], { timeout: 10_000 })
    .toBeLessThan(columnsAfter);
});

test("pasting Unicode into the lab and copying out of it keep every character", async ({ page, context, learner, learnerLab }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, learner);
  await page.goto(labPagePath);
  await waitForConnected(page);
  const name = `lv-paste-${token()}.txt`;
  const text = "Grüße, café, naïve — 你好，世界 — こんにちは — 🎉🚀👩‍💻\nzweite Zeile ✓ ½ ∑\n";

  // Ctrl+V in the focused pane: the browser's paste event carries the local clipboard to the lab.
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await runInLab(page, `cat > ~/${name}`);
  await page.keyboard.press("Control+V");
  await page.keyboard.press("Control+D");
  const pasted = await labFile(join(learnerLab.ssh.homeDir, name), (bytes) => bytes.length >= Buffer.byteLength(text));
  expect(pasted.equals(Buffer.from(text, "utf8"))).toBe(true);

  // A paste event dispatched on the pane takes the same path.
  const second = `lv-paste-b-${token()}.txt`;
  const moreText = "Ünïcödé 🧪 測試\n";
  await runInLab(page, `cat > ~/${second}`);
  await screenOf(page).evaluate((screen, value) => {
    const data = new DataTransfer();
    data.setData("text/plain", value);
    screen.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, moreText);
  await page.keyboard.press("Control+D");
  const pastedAgain = await labFile(join(learnerLab.ssh.homeDir, second), (bytes) => bytes.length >= Buffer.byteLength(moreText));
  expect(pastedAgain.equals(Buffer.from(moreText, "utf8"))).toBe(true);

  // Selecting text in the terminal puts it on the lab's clipboard, which the viewer copies locally.
  // (The lab's shell runs in the C locale, so the command spells its non-ASCII output in octal.)
  const id = token();
  const marker = `copy-${id}-é-你-🎉`;
  await runInLab(page, `clear; printf 'copy-${id}-\\303\\251-\\344\\275\\240-\\360\\237\\216\\211\\n'`);
  await page.waitForTimeout(500);
  const screen = (await screenOf(page).boundingBox())!;
  const display = (await viewerOf(page).locator(".lab-viewer-display").boundingBox())!;
  const lineY = display.y + 10;
  await page.mouse.move(display.x + 2, lineY);
  await page.mouse.down();
  await page.mouse.move(Math.min(screen.x + screen.width - 20, display.x + 600), lineY, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(marker);
});

test("a dropped connection shows reconnecting, then comes back by itself", async ({ page, learner, learnerLab }) => {
  await signIn(page, learner);
  await page.goto(labPagePath);
  await waitForConnected(page);
  const viewer = viewerOf(page);

  // Every TCP connection of the app is reset from the server side, the tunnel's WebSocket included.
  const port = Number(new URL(process.env.LABDECK_E2E_URL!).port);
  expect(cutConnectionsTo(port)).toBeGreaterThan(0);
  await expect(viewer).toHaveAttribute("data-state", "reconnecting", { timeout: 10_000 });
  await expect(viewer.locator(".lab-viewer-overlay")).toContainText(/Reconnect/);
  await waitForConnected(page, 30_000);

  const name = `lv-after-drop-${token()}.txt`;
  const word = token();
  await runInLab(page, `echo ${word} > ~/${name}`);
  expect((await labFile(join(learnerLab.ssh.homeDir, name))).toString()).toBe(`${word}\n`);
});

test("a lab torn down under the viewer ends the session for good, with a Reconnect button", async ({ page, learner, learnerLab }) => {
  await signIn(page, learner);
  await page.goto(labPagePath);
  await waitForConnected(page);
  const viewer = viewerOf(page);

  await teardownLab({ labId: learnerLab.labId });
  await expect(viewer).toHaveAttribute("data-state", "disconnected", { timeout: 10_000 });
  await expect(viewer).toHaveAttribute("data-status", "0x0206");
  await expect(viewer.locator(".lab-viewer-overlay")).toContainText("This lab has been shut down");
  await expect(viewer.locator(".lab-viewer-overlay").getByRole("button", { name: "Reconnect" })).toBeVisible();
  // Permanent: no attempt of its own.
  await page.waitForTimeout(3_000);
  await expect(viewer).toHaveAttribute("data-state", "disconnected");
});

test("a learner reaches only their own lab; an instructor previews the page with theirs", async ({ page, browser, learner, learnerLab }) => {
  // The owner gets a ticket, never cached.
  await signIn(page, learner);
  const own = await page.request.post(`/api/labs/${learnerLab.labId}/tickets`, { data: { protocol: "ssh" } });
  expect(own.status()).toBe(200);
  expect(own.headers()["cache-control"]).toContain("no-store");
  const ownBody = (await own.json()) as { ticket: string; expiresAt: string };
  expect(ownBody.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(Date.parse(ownBody.expiresAt)).toBeGreaterThan(Date.now());

  // Nobody signed in: 401.
  const anonymous = await browser.newContext();
  const unauthenticated = await anonymous.request.post(`${process.env.LABDECK_E2E_URL}/api/labs/${learnerLab.labId}/tickets`, { data: { protocol: "ssh" } });
  expect(unauthenticated.status()).toBe(401);
  await anonymous.close();

  // Another learner: the first one's lab does not exist for them, and their page shows no lab.
  const other = await newUser("learner");
  const otherContext = await browser.newContext({ baseURL: process.env.LABDECK_E2E_URL });
  const otherPage = await otherContext.newPage();
  await signIn(otherPage, other);
  const foreign = await otherPage.request.post(`/api/labs/${learnerLab.labId}/tickets`, { data: { protocol: "ssh" } });
  expect(foreign.status()).toBe(404);
  const missing = await otherPage.request.post(`/api/labs/no-such-lab/tickets`, { data: { protocol: "ssh" } });
  expect(missing.status()).toBe(404);
  expect(await foreign.json()).toMatchObject({ error: { code: "not_found" } });
  await otherPage.goto(labPagePath);
  await expect(otherPage.getByTestId("lab-pane")).toContainText("No lab has been started for you yet");
  await expect(otherPage.getByTestId("lab-viewer")).toHaveCount(0);
  await otherContext.close();

  // An instructor opens the same page and works in their own lab.
  const instructor = await newUser("instructor");
  const instructorLab = await provisionSshLab({ ownerEmail: instructor.email, templateSlug: "linux-shell", username: "labdeck-instructor" });
  try {
    const instructorContext = await browser.newContext({ baseURL: process.env.LABDECK_E2E_URL });
    const instructorPage = await instructorContext.newPage();
    await signIn(instructorPage, instructor);
    await instructorPage.goto(labPagePath);
    await expect(instructorPage.getByTestId("lab-pane")).toContainText("Preview: your own lab");
    await waitForConnected(instructorPage);
    const name = `lv-instructor-${token()}.txt`;
    await runInLab(instructorPage, `whoami > ~/${name}`);
    expect((await labFile(join(instructorLab.ssh.homeDir, name))).toString()).toBe(`${instructorLab.ssh.username}\n`);
    await instructorContext.close();
  } finally {
    await instructorLab.stop();
  }
});

test.describe("on a screen with two device pixels per CSS pixel", () => {
  test.use({ deviceScaleFactor: 2 });

  test("the lab draws at device resolution and the mouse lands where it points", async ({ page, context, learner, learnerLab }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signIn(page, learner);
    await page.goto(labPagePath);
    await waitForConnected(page);
    const viewer = viewerOf(page);
    const box = (await screenOf(page).boundingBox())!;
    const [remoteWidth, remoteHeight] = (await viewer.getAttribute("data-remote-size"))!.split("x").map(Number);
    expect(Math.abs(remoteWidth! - 2 * box.width)).toBeLessThanOrEqual(3);
    expect(Math.abs(remoteHeight! - 2 * box.height)).toBeLessThanOrEqual(3);

    // A line about three quarters of the terminal's width, selected by dragging across the pane: only
    // positions divided by the display's scale (0.5) reach its end.
    const id = token();
    const line = `dpr-${id}-${"x".repeat(20)}-end`;
    await runInLab(page, `clear; printf '%s\\n' '${line}'`);
    await page.waitForTimeout(500);
    const display = (await viewer.locator(".lab-viewer-display").boundingBox())!;
    await page.mouse.move(display.x + 1, display.y + 6);
    await page.mouse.down();
    await page.mouse.move(display.x + display.width - 30, display.y + 6, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(line);
  });
});
