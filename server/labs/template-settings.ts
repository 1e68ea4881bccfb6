// Display settings of a lab template's pane, per protocol. The content importer validates them when
// it stores a pane; the tunnel reads them back into guacd's connect arguments. Every key is optional
// with a default; unknown keys are refused so a typo does not silently do nothing.
import { z } from "zod";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { AppError } from "../errors.ts";
import { parseInput } from "./validation.ts";

export type SshPaneSettings = {
  fontName: string;
  fontSize: number;
  colorScheme: string;
  scrollback: number;
  readOnly: boolean;
};

export type RdpPaneSettings = {
  security: "any" | "tls" | "nla" | "rdp";
  ignoreCert: boolean;
  colorDepth: 8 | 16 | 24 | 32;
  resizeMethod: "display-update" | "reconnect";
  serverLayout: string;
  readOnly: boolean;
  enableDrive: boolean;
  enablePrinting: boolean;
  enableAudioInput: boolean;
  disableCopy: boolean;
  disablePaste: boolean;
};

export type VncPaneSettings = {
  colorDepth: 8 | 16 | 24 | 32;
  clipboardEncoding: "ISO8859-1" | "UTF-8" | "UTF-16" | "CP1252";
  readOnly: boolean;
  disableCopy: boolean;
  disablePaste: boolean;
};

export type PaneSettings = { ssh: SshPaneSettings; rdp: RdpPaneSettings; vnc: VncPaneSettings };

const colorDepth = z.literal([8, 16, 24, 32], { error: "must be 8, 16, 24 or 32" });

const ssh = z.strictObject({
  // Passed to Pango by guacd: a font family list, nothing else.
  fontName: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(100, "is too long")
    .regex(/^[A-Za-z0-9 ,._-]+$/, "must be a font family name")
    .default("monospace"),
  fontSize: z.number().int("must be a whole number").min(6, "must be 6-48").max(48, "must be 6-48").default(12),
  colorScheme: z.enum(["black-white", "gray-black", "green-black", "white-black"]).default("gray-black"),
  scrollback: z.number().int("must be a whole number").min(0, "must be 0-100000").max(100_000, "must be 0-100000").default(1000),
  readOnly: z.boolean().default(false),
}) satisfies z.ZodType<SshPaneSettings, unknown>;

const rdp = z.strictObject({
  security: z.enum(["any", "tls", "nla", "rdp"]).default("any"),
  ignoreCert: z.boolean().default(false),
  colorDepth: colorDepth.default(24),
  resizeMethod: z.enum(["display-update", "reconnect"]).default("display-update"),
  // guacd's keymap names ("en-us-qwerty", "de-ch-qwertz", "failsafe"); the list grows with guacd releases.
  serverLayout: z
    .string()
    .regex(/^([a-z]{2}-[a-z]{2,5}-[a-z]{3,10}|failsafe)$/, "must be a guacd keyboard layout such as en-us-qwerty")
    .default("en-us-qwerty"),
  readOnly: z.boolean().default(false),
  enableDrive: z.boolean().default(false),
  enablePrinting: z.boolean().default(false),
  enableAudioInput: z.boolean().default(false),
  disableCopy: z.boolean().default(false),
  disablePaste: z.boolean().default(false),
}) satisfies z.ZodType<RdpPaneSettings, unknown>;

const vnc = z.strictObject({
  colorDepth: colorDepth.default(24),
  clipboardEncoding: z.enum(["ISO8859-1", "UTF-8", "UTF-16", "CP1252"]).default("UTF-8"),
  readOnly: z.boolean().default(false),
  disableCopy: z.boolean().default(false),
  disablePaste: z.boolean().default(false),
}) satisfies z.ZodType<VncPaneSettings, unknown>;

const schemas: { [P in Protocol]: z.ZodType<PaneSettings[P], unknown> } = { ssh, rdp, vnc };

/**
 * Validates a pane's settings for `protocol` and fills in defaults. Missing settings (undefined or
 * null) mean all defaults. Throws AppError("invalid_input") naming each bad key.
 */
export function parsePaneSettings<P extends Protocol>(protocol: P, input: unknown): PaneSettings[P] {
  const schema = schemas[protocol] as z.ZodType<PaneSettings[P], unknown> | undefined;
  if (!schema) throw new AppError("invalid_input", "Unknown protocol", { protocol: "must be ssh, rdp or vnc" });
  return parseInput(schema, input ?? {}, `Invalid ${protocol} pane settings`);
}
