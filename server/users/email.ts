// Email addresses are stored trimmed and lowercased, so lookups and uniqueness ignore case.
import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("must be an email address").max(254, "must be at most 254 characters"));
