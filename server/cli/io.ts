// What every labdeck command shares: reading secret files, printing, and turning errors into a
// message on stderr with an exit code (never a stack trace for an expected error).
import { readFileSync } from "node:fs";
import { ConfigError } from "../config.ts";
import { SecretBoxError } from "../crypto/secret-box.ts";
import { AppError, isAppError } from "../errors.ts";

/** A secret from a file; one trailing newline (as editors and `echo` leave) is removed. */
export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read it";
    throw new AppError("invalid_input", `${flag} ${path}: ${reason}.`, { [flag]: reason });
  }
  return text.replace(/\r?\n$/, "");
}

export function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Prints rows under a header, each column as wide as its widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
}

/** Runs a domain call, renaming the input fields of its AppError to the command's options. */
export async function withOptionNames<T>(optionOf: Readonly<Record<string, string>>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isAppError(error) || !error.fields) throw error;
    const fields = Object.fromEntries(Object.entries(error.fields).map(([field, problem]) => [optionOf[field] ?? field, problem]));
    throw new AppError(error.code, error.message, fields);
  }
}

/** Writes an error for a person to stderr and returns the exit code. */
export function reportError(error: unknown): number {
  if (isAppError(error)) {
    process.stderr.write(`labdeck: ${error.message}\n`);
    for (const [field, problem] of Object.entries(error.fields ?? {})) process.stderr.write(`  ${field}: ${problem}\n`);
    return 1;
  }
  if (error instanceof ConfigError || error instanceof SecretBoxError) {
    process.stderr.write(`labdeck: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`labdeck: unexpected error\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
