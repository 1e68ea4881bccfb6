// Awaits a promise that must reject with an AppError, and returns that error for further checks.
import assert from "node:assert/strict";
import { AppError } from "../errors.ts";

export async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an AppError");
}
