import { expect, signIn, test } from "./fixtures.ts";

test("a learner signs in, opens the Linux course and its first page, with the lab beside it", async ({ page, learner, learnerLab }) => {
  await signIn(page, learner);

  await page.goto("/courses/intro-to-linux");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.getByRole("list", { name: "Pages" }).getByRole("link").first().click();

  await expect(page).toHaveURL(/\/courses\/intro-to-linux\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name: "First steps in the shell" })).toBeVisible();
  await expect(page.locator(".prose")).toContainText("pwd");
  const labPane = page.getByTestId("lab-pane");
  await expect(labPane).toBeVisible();
  await expect(labPane.getByRole("status")).toHaveAttribute("data-state", "ready");
  expect(learnerLab.labId).toBeTruthy();
});

test("an unauthenticated visit to a course page is sent to sign-in", async ({ page }) => {
  await page.goto("/courses/intro-to-linux");
  await expect(page).toHaveURL(/\/sign-in(\?|$)/);
  await expect(page.locator('input[name="email"]')).toBeVisible();
});

test("a wrong password keeps the learner on the sign-in page with an error", async ({ page, learner }) => {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(learner.email);
  await page.locator('input[name="password"]').fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).not.toBeEmpty();
  await expect(page).toHaveURL(/\/sign-in/);
});
