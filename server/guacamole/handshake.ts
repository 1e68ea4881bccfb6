// The Guacamole handshake with guacd, as one straight-line script:
//   select -> args -> size, audio, video, image, [timezone], [name] -> connect -> ready.
// Values sent in `connect` come only from the caller's parameters, one per arg name guacd asked for.

import { encodeInstruction, type Instruction } from "./instruction.ts";
import { GuacamoleError, statusByCode } from "./status.ts";

/** The caller's link to guacd; `read` applies the caller's own timeout and parser. */
export interface HandshakeChannel {
  read(): Promise<Instruction>;
  write(data: string): void;
}

/** Protocol versions this side speaks, oldest first. */
const versions = ["VERSION_1_0_0", "VERSION_1_1_0", "VERSION_1_3_0", "VERSION_1_5_0"] as const;

export type ProtocolVersion = (typeof versions)[number];

export const newestVersion = "VERSION_1_5_0" satisfies ProtocolVersion;

export type HandshakeRequest = {
  protocol: string;
  parameters: Readonly<Record<string, string>>;
  display: { width: number; height: number; dpi: number };
  audio: readonly string[];
  video: readonly string[];
  image: readonly string[];
  timezone?: string;
  name?: string;
};

export type HandshakeResult = {
  /** guacd's connection ID: anyone who can reach guacd may join with it, so never send it out. */
  connectionId: string;
  version: ProtocolVersion;
  /** The parameter names guacd asked for, without the version element. */
  argNames: readonly string[];
};

const versionPattern = /^VERSION_(\d+)_(\d+)_(\d+)$/;

function parseVersion(text: string): readonly [number, number, number] | undefined {
  const match = versionPattern.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The newest version both sides speak: the highest of ours not above guacd's offer. No offer (or an
 * unreadable one) means guacd predates versioning, 1.0.0; an offer newer than ours gets ours.
 */
export function negotiateVersion(offered: string | undefined): ProtocolVersion {
  const theirs = offered === undefined ? undefined : parseVersion(offered);
  if (!theirs) return "VERSION_1_0_0";
  let chosen: ProtocolVersion = "VERSION_1_0_0";
  for (const version of versions) {
    if (compareVersions(parseVersion(version) ?? [], theirs) <= 0) chosen = version;
  }
  return chosen;
}

function atLeast(version: ProtocolVersion, minimum: ProtocolVersion): boolean {
  return versions.indexOf(version) >= versions.indexOf(minimum);
}

/** guacd's `error,<message>,<status>` as a GuacamoleError; an unknown status is UPSTREAM_ERROR. */
function errorFromGuacd(instruction: Instruction): GuacamoleError {
  const [message, code] = instruction.args;
  const status = code !== undefined && /^\d+$/.test(code) ? statusByCode(Number(code)) : undefined;
  return new GuacamoleError(status?.name ?? "UPSTREAM_ERROR", message || undefined);
}

/** Runs the handshake; throws GuacamoleError when guacd refuses or answers out of turn. */
export async function performHandshake(channel: HandshakeChannel, request: HandshakeRequest): Promise<HandshakeResult> {
  const send = (opcode: string, ...args: ReadonlyArray<string | number>) => channel.write(encodeInstruction(opcode, ...args));

  const expect = async (opcode: string): Promise<Instruction> => {
    const instruction = await channel.read();
    if (instruction.opcode === "error") throw errorFromGuacd(instruction);
    if (instruction.opcode !== opcode) {
      throw new GuacamoleError("UPSTREAM_ERROR", `guacd sent "${instruction.opcode}" where "${opcode}" was expected.`);
    }
    return instruction;
  };

  send("select", request.protocol);
  const args = await expect("args");

  // From 1.1.0 on, the first element is guacd's version; before that, it is already an arg name.
  const first = args.args[0];
  const offered = first !== undefined && versionPattern.test(first) ? first : undefined;
  const version = negotiateVersion(offered);
  const argNames = offered === undefined ? args.args : args.args.slice(1);

  const { width, height, dpi } = request.display;
  send("size", width, height, dpi);
  send("audio", ...request.audio);
  send("video", ...request.video);
  send("image", ...request.image);
  if (request.timezone !== undefined && atLeast(version, "VERSION_1_1_0")) send("timezone", request.timezone);
  if (request.name !== undefined && atLeast(version, "VERSION_1_5_0")) send("name", request.name);

  // Own properties only: an arg name such as "constructor" must not reach Object.prototype.
  const values = argNames.map((name) => (Object.hasOwn(request.parameters, name) ? (request.parameters[name] ?? "") : ""));
  send("connect", ...(offered === undefined ? [] : [version]), ...values);

  const ready = await expect("ready");
  const connectionId = ready.args[0];
  if (!connectionId) throw new GuacamoleError("UPSTREAM_ERROR", "guacd did not send a connection ID.");
  return { connectionId, version, argNames };
}
