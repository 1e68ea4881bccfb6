// Input validation shared by the domain operations: zod issues become one AppError("invalid_input")
// whose `fields` map each offending input path ("ssh.port") to what is wrong with it. Messages are
// built from the schema, never from the input, so a secret in a bad field is not echoed back.
import { isIP } from "node:net";
import { z } from "zod";
import { AppError } from "../errors.ts";

// Messages read after the field name: "ssh.port is required", "role must be one of learner, admin".
const fieldMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    return `must be ${/^[aeio]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
  }
  if (issue.code === "invalid_value") {
    return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of ${issue.values.map(String).join(", ")}`;
  }
  return undefined;
};

function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[path ? `${path}.${key}` : key] ??= "is not allowed";
    } else {
      fields[path || "input"] ??= issue.message;
    }
  }
  return fields;
}

/** Parses `input` with `schema`, or throws AppError("invalid_input", message, fields). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, message: string): z.output<S> {
  const result = schema.safeParse(input, { error: fieldMessages });
  if (result.success) return result.data;
  const fields = fieldsOf(result.error);
  const list = Object.entries(fields).map(([field, problem]) => `${field} ${problem}`);
  throw new AppError("invalid_input", `${message}: ${list.join("; ")}`, fields);
}

export const portSchema = z.number().int("must be a whole number").min(1, "must be 1-65535").max(65535, "must be 1-65535");

const hostnamePattern = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

// A top-level label is never all digits: "999.1.1.1" is a broken address, not a name.
const numericTopLabel = /(^|\.)\d+\.?$/;

/** A DNS hostname or an IPv4/IPv6 literal (without brackets), as guacd's `hostname` takes it. */
export const hostSchema = z
  .string()
  .trim()
  .refine((value) => isIP(value) !== 0 || (hostnamePattern.test(value) && !numericTopLabel.test(value)), {
    message: "must be a hostname or an IPv4/IPv6 address",
  });

/** A secret or a credential text: no surrounding whitespace trimming (it may be significant). */
export function secretText(maxLength: number) {
  return z.string().min(1, "must not be empty").max(maxLength, `must be at most ${maxLength} characters`);
}
